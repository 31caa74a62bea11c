import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cpuStarvedPercent, cpuWaitPercent, parseSchedstat, readSchedTimes, schedTimesBetween } from './run-queue-wait.ts';

const snap = (entries: Array<[number, number, number]>) => new Map(entries.map(([tid, runNs, waitNs]) => [tid, { runNs, waitNs }]));

describe('run-queue wait from /proc/<pid>/task/<tid>/schedstat', () => {
  it('parses "<run ns> <wait ns> <slices>" and refuses anything else', () => {
    expect(parseSchedstat('1724042 98765 12\n')).toEqual({ runNs: 1724042, waitNs: 98765 });
    expect(parseSchedstat('')).toBeUndefined();
    expect(parseSchedstat('abc def 1')).toBeUndefined();
    expect(parseSchedstat('-5 3 1')).toBeUndefined();
  });

  it('differences per thread: new threads count from first sight, ended ones drop out, a reused tid is new', () => {
    const t0 = snap([[10, 1_000, 500], [11, 2_000, 0], [12, 9_000, 9_000]]);
    const t1 = snap([[10, 1_600, 900], [11, 2_100, 300], [13, 50_000, 50_000], [12, 10, 10]]); // 13 new, 12 reused
    expect(schedTimesBetween(t0, t1)).toEqual({ runNs: 600 + 100, waitNs: 400 + 300 });
    expect(schedTimesBetween(t1, snap([[13, 50_500, 51_500]]))).toEqual({ runNs: 500, waitNs: 1_500 }); // 10, 11 ended
  });

  it('the wait share is wait / (wait + run), NaN when nothing was runnable', () => {
    expect(cpuWaitPercent(300, 100)).toBe(25);
    expect(cpuWaitPercent(0, 50)).toBe(100);
    expect(cpuWaitPercent(0, 0)).toBeNaN();
  });

  it('CPU starved of = min(generator wait, machine busy − generator CPU), % of the machine', () => {
    // 2 cores, 2 s: threads waited 1.8 s (45% of 4 core-seconds); others held 100 − 10 = 90%
    expect(cpuStarvedPercent(1.8e9, 2000, 2, 100, 10)).toBeCloseTo(45, 9);
    // waiting behind its own threads on an otherwise idle machine: others hold 2%, so 2 at most
    expect(cpuStarvedPercent(8e9, 2000, 2, 62, 60)).toBeCloseTo(2, 9);
    // a mostly idle generator on a busy machine waits for little
    expect(cpuStarvedPercent(0.04e9, 2000, 2, 100, 1)).toBeCloseTo(1, 9);
    expect(cpuStarvedPercent(0, 2000, 2, 100, 100)).toBe(0);
    expect(cpuStarvedPercent(99e9, 2000, 2, 100, 0)).toBe(100);
    expect(cpuStarvedPercent(1e9, 2000, 2, 100, 0)).toBe(25);
    expect(cpuStarvedPercent(1e9, 2000, 2, Number.NaN, 10)).toBeNaN(); // machine figure unknown (first tick)
    expect(cpuStarvedPercent(1e9, 0, 2, 100, 10)).toBeNaN();
  });

  it('reads every thread of real processes, and run time grows with work', async () => {
    const busy = spawn(process.execPath, ['-e', 'const t = Date.now(); while (Date.now() - t < 4000);'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 300));
      const before = readSchedTimes([process.pid, busy.pid!, 999_999_999]);
      expect(before.has(process.pid)).toBe(true); // the main thread
      expect(before.has(busy.pid!)).toBe(true);
      await new Promise((r) => setTimeout(r, 500));
      const spent = schedTimesBetween(before, readSchedTimes([busy.pid!]));
      // a busy loop is runnable the whole 500 ms: on a CPU or waiting for one (the machine is shared)
      expect((spent.runNs + spent.waitNs) / 1e6).toBeGreaterThan(350);
    } finally {
      busy.kill('SIGKILL');
    }
  });
});
