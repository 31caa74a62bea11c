// Distributed runs: all shards start together (a start time in the future) or none do
// (RELIABILITY.md). A shard that is ready after the start time refuses to load.

/** Parse --start-at: an ISO time or epoch milliseconds. */
export function parseStartAt(value: string): number | string {
  const asNumber = Number(value);
  const ms = Number.isFinite(asNumber) && /^\d+$/.test(value) ? asNumber : Date.parse(value);
  if (!Number.isFinite(ms)) return `--start-at: expected an ISO time like 2026-11-23T18:00:00Z or epoch ms, got '${value}'`;
  return ms;
}

/** A start further ahead than this needs --start-at-far: a forgotten placeholder must not wait for months (or, before, start at once). */
export const farStartMs = 24 * 3_600_000;

/** Node's timers hold at most 2^31-1 ms (24.8 days); a longer delay fires at once (TimeoutOverflowWarning). */
const maxTimerMs = 2 ** 31 - 1;

/** The problem with a start time that is more than a day ahead without --start-at-far; undefined when fine. */
export function farStartProblem(startAtMs: number, allowFar: boolean, nowMs = Date.now()): string | undefined {
  const aheadMs = startAtMs - nowMs;
  if (allowFar || aheadMs <= farStartMs) return undefined;
  return `--start-at: ${new Date(startAtMs).toISOString()} is ${describeAhead(aheadMs)} ahead, more than a day: a placeholder left in a manifest? Give the real common start (e.g. a few minutes from now), or add --start-at-far to wait that long`;
}

/** "3 days 4 h", "5 h 20 min", "42 s": how far ahead a start is, for the dry run and errors. */
export function describeAhead(aheadMs: number): string {
  if (aheadMs < 0) return `${describeAhead(-aheadMs)} ago`;
  // rounded to the unit below the largest, so a start computed a second ago still reads "30 days"
  if (aheadMs >= 86_400_000) {
    const hours = Math.round(aheadMs / 3_600_000);
    const [d, h] = [Math.floor(hours / 24), hours % 24];
    return `${d} day${d === 1 ? '' : 's'}${h > 0 ? ` ${h} h` : ''}`;
  }
  if (aheadMs >= 3_600_000) {
    const minutes = Math.round(aheadMs / 60_000);
    return `${Math.floor(minutes / 60)} h${minutes % 60 > 0 ? ` ${minutes % 60} min` : ''}`;
  }
  const s = Math.round(aheadMs / 1000);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

/** Wait until the start time; resolves false when it already passed by more than the tolerance. */
export async function waitForStart(startAtMs: number, signal: AbortSignal, toleranceMs = 2000): Promise<boolean> {
  if (startAtMs - Date.now() < -toleranceMs) return false;
  // in steps a timer can hold, each measured again against the clock, so any start time waits
  for (let waitMs = startAtMs - Date.now(); waitMs > 0 && !signal.aborted; waitMs = startAtMs - Date.now()) {
    await new Promise<void>((resolve) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, Math.min(waitMs, maxTimerMs));
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
  return !signal.aborted;
}
