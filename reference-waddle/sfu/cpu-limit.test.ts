// The CPU limit is the kernel's: a busy process capped at 0.1 core gets no more than that, read
// from /proc like the SFU metrics read Janus (a bound from above: other work on a shared machine
// may give it less, never more), and the cap can be lifted and its group removed.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkCores, cpuLimitProblem, limitCpu, parseCpuStat } from './cpu-limit.ts';

const ticksOf = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
};

describe('cpu-limit', () => {
  it('parses cpu.stat and refuses caps that are no number of cores', () => {
    expect(parseCpuStat('nr_periods 31\nnr_throttled 8\nthrottled_time 190479416\n')).toEqual({ nr_periods: 31, nr_throttled: 8, throttled_time: 190479416 });
    expect(checkCores(0.25)).toBeUndefined();
    expect(checkCores(0)).toMatch(/expected a number of cores/);
    expect(checkCores(Number.NaN)).toMatch(/got NaN/);
  });

  it.runIf(cpuLimitProblem() === undefined)('caps a busy process at 0.1 core, counts the throttling, lifts the cap and removes its group', async () => {
    const busy = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
    try {
      const limit = await limitCpu(busy.pid!, 0.1);
      const before = ticksOf(busy.pid!);
      const t0 = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const cores = (ticksOf(busy.pid!) - before) / 100 / ((performance.now() - t0) / 1000);
      // 0.1 core, plus a tick of /proc's 10 ms granularity at each end
      expect(cores).toBeLessThan(0.12);
      const throttling = await limit.throttling();
      expect(throttling.throttledPeriods).toBeGreaterThan(0);
      await limit.set(undefined);
      expect(limit.cores).toBeUndefined();
      busy.kill('SIGKILL');
      await new Promise((resolve) => busy.once('exit', resolve));
      await limit.remove();
      expect(existsSync(limit.cgroupDir)).toBe(false);
    } finally {
      busy.kill('SIGKILL');
    }
  });
});
