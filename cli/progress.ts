// Live progress: one rewritten line on a TTY; on a pipe (CI logs) a plain line every 10 s.
import type { FleetProgress } from '../fleet/run.ts';

export function createProgressPrinter(out: NodeJS.WriteStream) {
  const isTty = out.isTTY === true;
  let lastPlainMs = 0;
  let shown = false;
  return {
    update(p: FleetProgress): void {
      const line = formatProgress(p);
      if (isTty) {
        out.write(`\r\x1b[2K${line.slice(0, (out.columns ?? 120) - 1)}`);
        shown = true;
      } else if (Date.now() - lastPlainMs >= 10_000) {
        lastPlainMs = Date.now();
        out.write(line + '\n');
      }
    },
    clear(): void {
      if (isTty && shown) out.write('\r\x1b[2K');
      shown = false;
    },
  };
}

export function formatProgress(p: FleetProgress): string {
  const activeTotal = Object.values(p.activeByJourney).reduce((a, b) => a + b, 0);
  const perJourney = Object.entries(p.activeByJourney)
    .filter(([, n]) => n > 0)
    .map(([j, n]) => `${j} ${n}`)
    .join(', ');
  const remainingMs = Math.max(0, p.totalMs - p.elapsedMs);
  return (
    `[${p.phase}] ${clock(p.elapsedMs)} elapsed, ${clock(remainingMs)} left · ` +
    `${activeTotal} active${perJourney ? ` (${perJourney})` : ''} · ${p.started} started · ` +
    `${p.failed} failed users · ${p.stepErrors} errors`
  );
}

function clock(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(sec).padStart(2, '0')}s`;
}
