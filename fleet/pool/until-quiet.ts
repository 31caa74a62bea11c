// Waits, after the browsers and windows opened before load, until those browsers stop working on
// them. A window's cost mostly comes after Target.createTarget has returned: of its ~0.8 CPU-s,
// ~0.6 fall in the next 500 ms (its compositor and first frames; measured on 2 cores), so load
// started at once would carry it as the first users' cost (the demo read 77–85% in its first two
// 2 s samples). Start-up work belongs before load.
import { clockTicks, cpuTicksBetween, processTree, readProcCpu } from '../monitor/resource-monitor.ts';

export interface QuietOptions {
  /** how often the browsers' CPU is read */
  readonly stepMs: number;
  /** below this many cores over one step, the browsers are quiet */
  readonly quietCores: number;
  /** give up waiting after this long: a busy machine must not hold the run back */
  readonly maxMs: number;
}

export const defaultQuiet: QuietOptions = { stepMs: 250, quietCores: 0.2, maxMs: 5_000 };

/** Resolves with the ms waited once the process trees of `rootPids` used under quietCores over a step, or at maxMs. */
export async function untilQuiet(rootPids: readonly number[], options: QuietOptions = defaultQuiet): Promise<number> {
  const started = performance.now();
  if (rootPids.length === 0) return 0; // a run without browsers has nothing to wait for
  const pids = () => rootPids.flatMap((pid) => processTree(pid));
  let before = readProcCpu(pids());
  let beforeMs = performance.now();
  while (performance.now() - started < options.maxMs) {
    await new Promise((resolve) => setTimeout(resolve, options.stepMs));
    const now = readProcCpu(pids());
    const nowMs = performance.now();
    const cores = cpuTicksBetween(before, now) / clockTicks() / ((nowMs - beforeMs) / 1000);
    if (cores < options.quietCores) break;
    [before, beforeMs] = [now, nowMs];
  }
  return performance.now() - started;
}
