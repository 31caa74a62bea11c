// The readable end-of-run summary on stdout.
import type { RunSummary } from '../metrics/run-summary.ts';

export function formatSummaryTable(s: RunSummary, runDir: string): string {
  const lines: string[] = [];
  const badge = { pass: 'PASS', fail: 'FAIL', inconclusive: 'INCONCLUSIVE', interrupted: 'INTERRUPTED' }[s.verdict.result];
  lines.push('', `verdict: ${badge} (exit ${s.verdict.exitCode})`);
  for (const r of s.verdict.reasons) lines.push(`  - ${r}`);
  lines.push(
    `users: ${s.users.started} started = ${s.users.completed} completed + ${s.users.failed} failed + ${s.users.interrupted} interrupted` +
      `   duration ${(s.durationMs / 1000).toFixed(1)} s   status ${s.status}`,
  );
  lines.push('', table(['journey', 'started', 'completed', 'failed', 'interrupted'],
    Object.entries(s.journeys).map(([j, c]) => [j, c.started, c.completed, c.failed, c.interrupted])));
  const drivers = new Set(s.steps.map((st) => st.driver ?? ''));
  const journeyOf = (st: RunSummary['steps'][number]) => (drivers.size > 1 && st.driver ? `${st.journey} (${st.driver})` : st.journey);
  lines.push('', table(['journey', 'step', 'count', 'errors', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
    s.steps.map((st) => [journeyOf(st), st.step, st.count, st.errors, ms(st.p50), ms(st.p95), ms(st.p99), ms(st.max)])));
  // the plan's own thresholds and any built-in one that did not simply hold; the held built-in ones
  // fold into one line per journey and driver (the demo printed 50 rows of them)
  const folded = s.thresholds.filter((t) => t.source === 'default' && t.ok && !t.deferred);
  const shown = s.thresholds.filter((t) => !folded.includes(t));
  if (shown.length > 0) {
    lines.push('', table(['metric', 'threshold', 'source', 'observed', 'result'],
      shown.map((t) => [t.metric, t.expression, t.source === 'default' ? 'built-in' : 'plan', t.observed === null ? 'no data' : round(t.observed), t.deferred ? 'left to merge' : t.ok ? 'ok' : 'FAILED'])));
  }
  if (folded.length > 0) lines.push(`${shown.length > 0 ? '' : '\n'}built-in gate held: ${foldedByJourney(folded)}`);
  if (s.defaultGate === false) {
    lines.push(s.thresholds.length > 0
      ? 'built-in error gate: OFF (the plan says defaultThresholds: false); only the plan\'s thresholds above gate this run'
      : 'NOT GATED: the built-in error gate is off (defaultThresholds: false) and the plan has no thresholds; a PASS only says the run completed');
  }
  const g = s.generator;
  lines.push('', `generator: CPU p95 ${round(g.cpuPercentP95)}% max ${round(g.cpuPercentMax)}% · memory max ${round(g.memoryMaxMb)} MB · ` +
    `event-loop p99 ${round(g.eventLoopDelayP99Ms)} ms · ${g.saturated ? 'SATURATED' : 'not saturated'}`);
  if (g.machineCpuPercentP95 !== undefined) {
    lines.push(`  beside it (not judged alone): machine CPU p95 ${round(g.machineCpuPercentP95)}% · starved by other processes p95 ${round(g.cpuStarvedPercentP95 ?? 0)}%` +
      (g.startupMs ? ` · start-up burst: CPU max ${round(g.startupCpuPercentMax ?? 0)}% over ${round((g.startupMs ?? 0) / 1000)} s (judged apart)` : ''));
  }
  if (s.blocked) lines.push(blockedLine(s.blocked));
  for (const [name, st] of Object.entries(s.sinks)) {
    lines.push(`sink ${name}: ${st.generated} generated, ${st.delivered} delivered, ${st.retried} retried, ${st.spilled} spilled, ${st.dropped} dropped`);
  }
  lines.push(`run folder: ${runDir}`);
  return lines.join('\n');
}

/** "chatMessaging on protocol (8), voiceCall (6)": held built-in thresholds per journey and driver. */
function foldedByJourney(held: RunSummary['thresholds']): string {
  const counts = new Map<string, number>();
  for (const t of held) {
    const journey = /journey:([^,}]+)/.exec(t.metric)?.[1] ?? '(all)';
    const driver = /driver:([^,}]+)/.exec(t.metric)?.[1];
    const key = `${journey}${driver && driver !== 'browser' ? ` on ${driver}` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return `${[...counts].map(([k, n]) => `${k} (${n})`).join(', ')} — ${held.length} threshold(s), each in summary.json and junit.xml`;
}

function table(head: string[], rows: (string | number)[][]): string {
  if (rows.length === 0) return `(no ${head[0]} data)`;
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r, n) => r.map((c, i) => (i >= 2 && n > 0 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

const round = (n: number) => (Math.round(n * 10) / 10).toString();
const ms = (n: number) => Math.round(n).toString();

/** Host guard refusals: where pages tried to go (nothing left the machine for those hosts). */
function blockedLine(b: NonNullable<RunSummary['blocked']>): string {
  const own = b.browser.total > 0 ? ` (and ${b.browser.total} of Chromium's own background requests)` : '';
  if (b.total === 0) return `host guard: no page tried to reach a host other than the target${own}`;
  const hosts = Object.entries(b.byHost).sort((x, y) => y[1] - x[1]).slice(0, 5).map(([host, n]) => `${host} ×${n}`).join(', ');
  return `host guard: REFUSED ${b.total} attempt(s) to reach other hosts: ${hosts}${own}; if they are yours and needed, name them with --allow-host`;
}
