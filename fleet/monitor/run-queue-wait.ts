// How long the generator's threads waited for a CPU (Linux per-thread scheduler statistics).
// /proc/<pid>/task/<tid>/schedstat is "<ns on cpu> <ns waiting on a runqueue> <timeslices>"
// (Documentation/scheduler/sched-stats.rst). Waiting on a runqueue means runnable but not
// running: the thread had work and no CPU was given to it. Summed over every thread of every
// generator process, it says how much CPU the generator wanted and did not get.
// The share wait / (wait + run) alone cannot tell who held the CPU: Chromium's many threads wake
// in bursts (one chat message wakes every page at once) and queue behind each other, so a
// 10-user chat run reads 80-90% on a busy machine much as a generator beside 3 busy loops does.
// What tells starvation by others apart is that others held the CPU while our threads waited:
// see cpuStarvedPercent.
import { readFileSync } from 'node:fs';
import { threadIds } from './process-tree.ts';

export interface ThreadSchedTimes {
  readonly runNs: number;
  readonly waitNs: number;
}

/** tid → its cumulative run and run-queue wait at one instant (a thread that ended is absent). */
export type SchedSnapshot = ReadonlyMap<number, ThreadSchedTimes>;

/** "<run ns> <wait ns> <slices>" → the two times; undefined for anything else. */
export function parseSchedstat(text: string): ThreadSchedTimes | undefined {
  const [run, wait] = text.trim().split(/\s+/).map(Number);
  if (!Number.isFinite(run) || !Number.isFinite(wait) || run! < 0 || wait! < 0) return undefined;
  return { runNs: run!, waitNs: wait! };
}

/** Every thread of every pid, read now. */
export function readSchedTimes(pids: Iterable<number>): Map<number, ThreadSchedTimes> {
  const out = new Map<number, ThreadSchedTimes>();
  for (const pid of pids) {
    for (const tid of threadIds(pid)) {
      try {
        const t = parseSchedstat(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8'));
        if (t) out.set(tid, t);
      } catch {} // the thread ended between listing and reading
    }
  }
  return out;
}

/**
 * Run and wait time spent between two snapshots. A thread seen for the first time counts from
 * that sight; a thread gone drops out; a tid whose counters went backwards is a new thread that
 * reused the id and counts from this sight too. Never negative.
 */
export function schedTimesBetween(prev: SchedSnapshot, cur: SchedSnapshot): { runNs: number; waitNs: number } {
  let runNs = 0;
  let waitNs = 0;
  for (const [tid, now] of cur) {
    const before = prev.get(tid);
    if (!before || now.runNs < before.runNs || now.waitNs < before.waitNs) continue;
    runNs += now.runNs - before.runNs;
    waitNs += now.waitNs - before.waitNs;
  }
  return { runNs, waitNs };
}

/** Share of runnable time spent waiting for a CPU, %: wait / (wait + run); NaN when nothing ran. */
export function cpuWaitPercent(runNs: number, waitNs: number): number {
  const runnable = runNs + waitNs;
  return runnable > 0 ? (waitNs / runnable) * 100 : NaN;
}

/** Below this many cores wanted (run + wait over wall), the generator is not starved: it wanted little. */
export const MIN_DEMAND_CORES = 0.25;

/** Cores the generator's threads wanted over one wall window: (run + wait) / wall. */
export function demandCores(runNs: number, waitNs: number, wallMs: number): number {
  return wallMs > 0 ? (runNs + waitNs) / 1e6 / wallMs : NaN;
}

/**
 * Cores the generator's threads spent waiting while other processes held the CPU, over one wall
 * window: min(wait, others' CPU), where others' CPU is machine busy minus generator CPU. Others
 * can explain at most the CPU they used, so a generator queueing only behind its own threads
 * reads ~0 (its own CPU is rule 1's business). NaN when a figure is unknown.
 */
export function starvedCores(t: { waitNs: number; wallMs: number; cores: number; machineCpuPct: number; generatorCpuPct: number }): number {
  if (!(t.wallMs > 0) || !(t.cores > 0) || !Number.isFinite(t.machineCpuPct) || !Number.isFinite(t.generatorCpuPct)) return NaN;
  const othersCores = (Math.max(0, t.machineCpuPct - t.generatorCpuPct) / 100) * t.cores;
  return Math.min(t.waitNs / 1e6 / t.wallMs, othersCores);
}

/**
 * Share of the generator's runnable time spent waiting while other processes held the CPU, %:
 * starved cores / demand cores (one sample, or sums over a window). 0 when the generator wanted
 * less than MIN_DEMAND_CORES: a mostly idle generator is not starved of much, though its few
 * wake-ups queue on a busy machine.
 */
export function cpuStarvedPercent(starved: number, demand: number): number {
  if (!Number.isFinite(starved) || !Number.isFinite(demand)) return NaN;
  return demand < MIN_DEMAND_CORES ? 0 : Math.min(100, (starved / demand) * 100);
}
