// Distributed runs: all shards start together (a start time in the future) or none do
// (RELIABILITY.md). A shard that is ready after the start time refuses to load.

/** Parse --start-at: an ISO time or epoch milliseconds. */
export function parseStartAt(value: string): number | string {
  const asNumber = Number(value);
  const ms = Number.isFinite(asNumber) && /^\d+$/.test(value) ? asNumber : Date.parse(value);
  if (!Number.isFinite(ms)) return `--start-at: expected an ISO time like 2026-11-23T18:00:00Z or epoch ms, got '${value}'`;
  return ms;
}

/** Wait until the start time; resolves false when it already passed by more than the tolerance. */
export async function waitForStart(startAtMs: number, signal: AbortSignal, toleranceMs = 2000): Promise<boolean> {
  const waitMs = startAtMs - Date.now();
  if (waitMs < -toleranceMs) return false;
  if (waitMs <= 0) return true;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, waitMs);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
  return !signal.aborted;
}
