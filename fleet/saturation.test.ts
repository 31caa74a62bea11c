import { describe, expect, it } from 'vitest';
import { defaultSaturationLimits, percentile, SaturationJudge, type LoadSample } from './saturation.ts';

const limits = { ...defaultSaturationLimits, cpuPercent: 85, cpuStarvedPercent: 20, windowMs: 10_000 };
/** a 2 s sample of a generator at ~58% of the machine, not starved */
const steady: LoadSample = { wallMs: 2000, generatorCpuPct: 58, cpuWaitPct: 85, cpuStarvedPct: 4, machineCpuPct: 62, startingUp: false };
const feed = (judge: SaturationJudge, samples: LoadSample[]) => samples.flatMap((s) => judge.add(s));
const times = (n: number, s: Partial<LoadSample>): LoadSample[] => Array.from({ length: n }, () => ({ ...steady, ...s }));

describe('saturation judge', () => {
  it('sets a start-up burst apart: browsers launching at 100% for 14 s, then a steady 58%, is not saturated', () => {
    const judge = new SaturationJudge(limits);
    const found = feed(judge, [...times(7, { generatorCpuPct: 100, machineCpuPct: 100, cpuWaitPct: 95, cpuStarvedPct: 0, startingUp: true }), ...times(30, {})]);
    expect(found).toEqual([]);
    expect(judge.saturated).toBe(false);
    expect(judge.figures()).toMatchObject({ startupCpuPercentMax: 100, startupMs: 14_000, cpuPercentP95: 58, cpuPercentMax: 58, machineCpuPercentP95: 62, cpuWaitPercentP95: 85, cpuStarvedPercentP95: 4, loadSamples: 30 });
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

  it('calls CPU held by others while the generator waited, over the window, starvation, though generator CPU is low', () => {
    const judge = new SaturationJudge(limits);
    expect(feed(judge, times(4, { generatorCpuPct: 12, cpuWaitPct: 90, cpuStarvedPct: 45, machineCpuPct: 100 }))).toEqual([]); // 8 s < 10 s
    const found = feed(judge, times(1, { generatorCpuPct: 12, cpuWaitPct: 90, cpuStarvedPct: 45, machineCpuPct: 100 }));
    expect(found).toHaveLength(1);
    expect(found[0]!.reason).toBe('generator_cpu_starved');
    expect(found[0]!.message).toMatch(/over 10 s the generator's threads waited for a CPU while other processes held it: median 45% of the machine, above 20% \(generator CPU 12%, others 88%, its threads waited 90% of their runnable time\): the generator was starved by other work/);
  });

  it('catches a bursty generator starved whenever it wants CPU: its idle samples dip, the median holds', () => {
    const judge = new SaturationJudge(limits);
    // measured shape: 2 chat users beside 3 busy loops on 2 cores, one sample per 2 s
    const starved = [16, 48, 14, 79, 73, 95, 91, 7, 40, 61].map((cpuStarvedPct) => ({ ...steady, generatorCpuPct: 10, machineCpuPct: 100, cpuStarvedPct }));
    expect(feed(judge, starved).map((f) => f.reason)).toEqual(['generator_cpu_starved']);
  });

  it('a busy machine alone, or a high wait share alone, is not saturation', () => {
    const judge = new SaturationJudge(limits);
    // machine at 100%, the generator mostly idle: it waits for little, so little is taken from it
    expect(feed(judge, times(20, { generatorCpuPct: 2, cpuWaitPct: 85, cpuStarvedPct: 3, machineCpuPct: 100 }))).toEqual([]);
    // Chromium threads queueing behind each other at a healthy load: a high share, nobody else on the machine
    expect(feed(judge, times(20, { generatorCpuPct: 60, cpuWaitPct: 88, cpuStarvedPct: 2, machineCpuPct: 62 }))).toEqual([]);
    expect(judge.figures()).toMatchObject({ machineCpuPercentP95: 100, cpuWaitPercentP95: 88 });
  });

  it('ignores starvation in under half the window, and reports both rules when both hold', () => {
    const judge = new SaturationJudge(limits);
    const spikes = [50, 90, 4, 4, 4, 60, 70, 4, 4, 4, 100, 4, 4].map((cpuStarvedPct) => ({ ...steady, cpuStarvedPct }));
    expect(feed(judge, spikes)).toEqual([]);
    expect(feed(new SaturationJudge(limits), times(5, { generatorCpuPct: 90, cpuStarvedPct: 25 })).map((f) => f.reason)).toEqual(['generator_cpu', 'generator_cpu_starved']);
  });

  it('start-up samples stay out of the starvation window', () => {
    const judge = new SaturationJudge(limits);
    expect(feed(judge, [...times(3, { cpuStarvedPct: 80 }), ...times(10, { cpuStarvedPct: 80, startingUp: true })])).toEqual([]);
    expect(feed(judge, times(2, { cpuStarvedPct: 80 })).map((f) => [f.reason, f.data.heldMs])).toEqual([['generator_cpu_starved', 10_000]]);
  });

  it('unknown figures (NaN) never saturate and stay out of the percentiles', () => {
    const judge = new SaturationJudge(limits);
    expect(feed(judge, times(10, { generatorCpuPct: NaN, cpuWaitPct: NaN, cpuStarvedPct: NaN, machineCpuPct: NaN }))).toEqual([]);
    expect(judge.figures()).toMatchObject({ cpuPercentP95: 0, cpuWaitPercentP95: 0, cpuStarvedPercentP95: 0, machineCpuPercentP95: 0, loadSamples: 0 });
  });

  it('percentile is nearest-rank', () => {
    expect(percentile([], 95)).toBe(0);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 95)).toBe(95);
    expect(percentile([3, 1, 2], 50)).toBe(2);
  });
});
