import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cpuStarvedPercent, cpuWaitPercent, demandCores, starvedCores, parseSchedstat, readSchedTimes, schedTimesBetween } from './run-queue-wait.ts';

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

  it('starved cores = min(wait, machine busy − generator CPU); starved share = starved / wanted, 0 under a quarter core', () => {
    const at = (waitMs: number, machineCpuPct: number, generatorCpuPct: number) => starvedCores({ waitNs: waitMs * 1e6, wallMs: 2000, cores: 2, machineCpuPct, generatorCpuPct });
    // beside 3 busy loops: waited 0.5 core while others held 1.9 cores → all its wait is theirs
    expect(at(1000, 100, 5)).toBeCloseTo(0.5, 9);
    // 10 chat users queueing behind each other (measured shape): waited 5.6 cores, others held 0.8
    expect(at(11_200, 100, 60)).toBeCloseTo(0.8, 9);
    // alone on the machine: ~0 however long its threads queue
    expect(at(11_200, 62, 60)).toBeCloseTo(0.04, 9);
    expect(at(1000, Number.NaN, 5)).toBeNaN(); // machine figure unknown (first tick)
    expect(starvedCores({ waitNs: 1, wallMs: 0, cores: 2, machineCpuPct: 100, generatorCpuPct: 0 })).toBeNaN();
    expect(demandCores(200e6, 1000e6, 2000)).toBeCloseTo(0.6, 9);
    expect(cpuStarvedPercent(0.5, 0.6)).toBeCloseTo(83.33, 2);
    expect(cpuStarvedPercent(0.8, 6.8)).toBeCloseTo(11.76, 2);
    expect(cpuStarvedPercent(0.09, 0.1)).toBe(0); // a mostly idle generator on a busy machine
    expect(cpuStarvedPercent(Number.NaN, 1)).toBeNaN();
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
