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

/**
 * CPU the generator's threads waited for while other processes held the machine, as % of the
 * machine: min(generator wait, others' CPU) over one wall window, where others' CPU is machine
 * busy minus generator CPU. An upper bound of what other work took from the generator: a
 * generator queueing only behind its own threads reads ~0 (that is rule 1's business), and so
 * does a mostly idle generator on a busy machine (it waits for little). NaN when a figure is unknown.
 */
export function cpuStarvedPercent(waitNs: number, wallMs: number, cores: number, machineCpuPct: number, generatorCpuPct: number): number {
  if (!(wallMs > 0) || !(cores > 0) || !Number.isFinite(machineCpuPct) || !Number.isFinite(generatorCpuPct)) return NaN;
  const waitPct = (waitNs / 1e6 / (wallMs * cores)) * 100;
  const othersPct = Math.max(0, machineCpuPct - generatorCpuPct);
  return Math.min(100, waitPct, othersPct);
}
