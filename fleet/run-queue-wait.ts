// How long the generator's threads waited for a CPU (Linux per-thread scheduler statistics).
// /proc/<pid>/task/<tid>/schedstat is "<ns on cpu> <ns waiting on a runqueue> <timeslices>"
// (Documentation/scheduler/sched-stats.rst). Waiting on a runqueue means runnable but not
// running: the thread had work and no CPU was free for it. Summed over every thread of every
// generator process, this tells starvation apart from our own CPU use: a generator starved by
// other processes waits a lot while its own CPU stays low.
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
