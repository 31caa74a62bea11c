import { describe, expect, it } from 'vitest';
import { defaultSaturationLimits, percentile, SaturationJudge, type LoadSample } from './saturation.ts';

const limits = { ...defaultSaturationLimits, cpuPercent: 85, cpuWaitPercent: 60, minDemandCores: 0.25, windowMs: 10_000 };
/** a 2 s sample of a generator at ~58% of the machine, not starved */
const steady: LoadSample = { wallMs: 2000, generatorCpuPct: 58, cpuWaitPct: 20, demandCores: 1.4, machineCpuPct: 62, startingUp: false };
const feed = (judge: SaturationJudge, samples: LoadSample[]) => samples.flatMap((s) => judge.add(s));
const times = (n: number, s: Partial<LoadSample>): LoadSample[] => Array.from({ length: n }, () => ({ ...steady, ...s }));

describe('saturation judge', () => {
  it('sets a start-up burst apart: browsers launching at 100% for 14 s, then a steady 58%, is not saturated', () => {
    const judge = new SaturationJudge(limits);
    const found = feed(judge, [...times(7, { generatorCpuPct: 100, machineCpuPct: 100, cpuWaitPct: 80, startingUp: true }), ...times(30, {})]);
    expect(found).toEqual([]);
    expect(judge.saturated).toBe(false);
    expect(judge.figures()).toMatchObject({ startupCpuPercentMax: 100, startupMs: 14_000, cpuPercentP95: 58, cpuPercentMax: 58, machineCpuPercentP95: 62, cpuWaitPercentP95: 20, loadSamples: 30 });
  });

  it('the same burst under load (no start-up flag) is saturation: the flag is what sets it apart', () => {
    const judge = new SaturationJudge(limits);
    expect(feed(judge, [...times(7, { generatorCpuPct: 100 }), ...times(3, {})]).map((f) => f.reason)).toEqual(['generator_cpu']);
  });

  it('calls generator CPU sustained over the window saturated, once, and says it used the machine up', () => {
    const judge = new SaturationJudge(limits);
    const found = feed(judge, times(4, { generatorCpuPct: 97 }));
    expect(found).toEqual([]); // 8 s < 10 s
    const more = feed(judge, times(3, { generatorCpuPct: 97 }));
    expect(more).toHaveLength(1);
    expect(more[0]!.reason).toBe('generator_cpu');
    expect(more[0]!.message).toMatch(/generator CPU \(node \+ browsers\) stayed above 85% of the machine for 10 s \(now 97%\): the generator itself used the machine up/);
    expect(judge.saturated).toBe(true);
    expect(judge.findings).toHaveLength(1);
  });

  it('ignores a CPU burst shorter than the window, and a dip restarts the count', () => {
    const judge = new SaturationJudge(limits);
    const bursty = [...times(4, { generatorCpuPct: 99 }), steady, ...times(4, { generatorCpuPct: 99 }), steady, ...times(4, { generatorCpuPct: 99 })];
    expect(feed(judge, bursty)).toEqual([]);
    expect(judge.figures().cpuPercentMax).toBe(99);
  });

  it('start-up samples inside a sustained overload neither count toward the window nor break it', () => {
    const judge = new SaturationJudge(limits);
    const found = feed(judge, [...times(3, { generatorCpuPct: 95 }), ...times(5, { generatorCpuPct: 20, startingUp: true }), ...times(2, { generatorCpuPct: 95 })]);
    expect(found.map((f) => [f.reason, f.data.heldMs])).toEqual([['generator_cpu', 10_000]]);
  });

  it('calls a sustained wait share starvation, though generator CPU is low and machine CPU never judged alone', () => {
    const judge = new SaturationJudge(limits);
    const found = feed(judge, times(5, { generatorCpuPct: 12, cpuWaitPct: 85, demandCores: 0.9, machineCpuPct: 100 }));
    expect(found).toHaveLength(1);
    expect(found[0]!.reason).toBe('generator_cpu_wait');
    expect(found[0]!.message).toMatch(/waited for a CPU 85% of their runnable time, above 60% for 10 s \(generator CPU 12%, machine CPU 100%\): the generator was starved/);
  });

  it('a busy machine alone is not saturation: a quiet generator whose few wake-ups queue stays unsaturated', () => {
    const judge = new SaturationJudge(limits);
    // machine at 100%, the generator mostly idle: a high wait share of very little demand
    expect(feed(judge, times(20, { generatorCpuPct: 2, cpuWaitPct: 85, demandCores: 0.05, machineCpuPct: 100 }))).toEqual([]);
    // machine at 100%, the generator busy but served
    expect(feed(judge, times(20, { generatorCpuPct: 40, cpuWaitPct: 30, demandCores: 1, machineCpuPct: 100 }))).toEqual([]);
    expect(judge.figures().machineCpuPercentP95).toBe(100);
  });

  it('ignores a wait burst shorter than the window, and reports both rules when both hold', () => {
    const judge = new SaturationJudge(limits);
    expect(feed(judge, [...times(4, { cpuWaitPct: 90 }), steady, ...times(4, { cpuWaitPct: 90 }), steady])).toEqual([]);
    expect(feed(judge, times(5, { generatorCpuPct: 100, cpuWaitPct: 70 })).map((f) => f.reason)).toEqual(['generator_cpu', 'generator_cpu_wait']);
  });

  it('unknown figures (NaN) never saturate and stay out of the percentiles', () => {
    const judge = new SaturationJudge(limits);
    expect(feed(judge, times(10, { generatorCpuPct: NaN, cpuWaitPct: NaN, demandCores: 0, machineCpuPct: NaN }))).toEqual([]);
    expect(judge.figures()).toMatchObject({ cpuPercentP95: 0, cpuWaitPercentP95: 0, machineCpuPercentP95: 0, loadSamples: 0 });
  });

  it('percentile is nearest-rank', () => {
    expect(percentile([], 95)).toBe(0);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 95)).toBe(95);
    expect(percentile([3, 1, 2], 50)).toBe(2);
  });
});
