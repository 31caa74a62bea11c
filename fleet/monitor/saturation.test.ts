import { describe, expect, it } from 'vitest';
import { defaultSaturationLimits, percentile, SaturationJudge, type LoadSample } from './saturation.ts';

const limits = { ...defaultSaturationLimits, cpuPercent: 85, cpuStarvedPercent: 50, windowMs: 10_000 };
/** a 2 s sample of a 10-user chat generator at ~58% of a 2-core machine: 1.2 cores run, 5.6 queued mostly behind its own threads */
const steady: LoadSample = { wallMs: 2000, generatorCpuPct: 58, cpuWaitPct: 82, demandCores: 6.8, starvedCores: 0.1, cpuStarvedPct: 1.5, machineCpuPct: 63, eventLoopP99Ms: 20, startingUp: false };
/** a sample starved by others: wanted `demand` cores, of which `starved` waited while others held the CPU */
const starvedBy = (demand: number, starved: number, extra: Partial<LoadSample> = {}): LoadSample => ({ ...steady, generatorCpuPct: 10, machineCpuPct: 100, demandCores: demand, starvedCores: starved, cpuStarvedPct: demand >= 0.25 ? (starved / demand) * 100 : 0, ...extra });
const feed = (judge: SaturationJudge, samples: LoadSample[]) => samples.flatMap((s) => judge.add(s));
const times = (n: number, s: Partial<LoadSample>): LoadSample[] => Array.from({ length: n }, () => ({ ...steady, ...s }));

describe('saturation judge: the start-up burst and generator CPU', () => {
  it('sets a start-up burst apart: browsers launching at 100% for 14 s, then a steady 58%, is not saturated', () => {
    const judge = new SaturationJudge(limits);
    const found = feed(judge, [...times(7, { generatorCpuPct: 100, machineCpuPct: 100, starvedCores: 3, demandCores: 4, startingUp: true }), ...times(30, {})]);
    expect(found).toEqual([]);
    expect(judge.saturated).toBe(false);
    expect(judge.figures()).toMatchObject({ startupCpuPercentMax: 100, startupMs: 14_000, cpuPercentP95: 58, cpuPercentMax: 58, machineCpuPercentP95: 63, cpuWaitPercentP95: 82, cpuStarvedPercentP95: 1.5, loadSamples: 30 });
  });

  it('the same burst under load (no start-up flag) is saturation: the flag is what sets it apart', () => {
    const judge = new SaturationJudge(limits);
    expect(feed(judge, [...times(7, { generatorCpuPct: 100 }), ...times(3, {})]).map((f) => f.reason)).toEqual(['generator_cpu']);
  });

  it('calls generator CPU sustained over the window saturated, once, and says it used the machine up', () => {
    const judge = new SaturationJudge(limits);
    expect(feed(judge, times(4, { generatorCpuPct: 97 }))).toEqual([]); // 8 s < 10 s
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
});

describe('saturation judge: a generator starved by other work', () => {
  it('calls a generator whose wait other processes explain, over the window, starved, though its CPU is low', () => {
    const judge = new SaturationJudge(limits);
    expect(feed(judge, times(4, starvedBy(0.6, 0.5)))).toEqual([]); // 8 s < 10 s
    const found = feed(judge, [starvedBy(0.6, 0.5)]);
    expect(found).toHaveLength(1);
    expect(found[0]!.reason).toBe('generator_cpu_starved');
    expect(found[0]!.message).toMatch(/over 10 s the generator's threads spent 83% of their runnable time waiting for a CPU held by other processes \(limit 50%; generator CPU 10%, others 90% of the machine\): the generator was starved by other work/);
  });

  it('catches a bursty generator starved whenever it has work, though its idle samples dip to 0', () => {
    const judge = new SaturationJudge(limits);
    // measured shape: 2 chat users beside 3 busy loops on 2 cores, one sample per 2 s (cores wanted, cores starved)
    const measured: Array<[number, number]> = [[2.09, 1.54], [0.64, 0.5], [0.27, 0.19], [0.11, 0.09], [1.38, 0.98], [0.64, 0.46], [0.91, 0.81], [0.25, 0.21]];
    expect(feed(judge, measured.map(([d, s]) => starvedBy(d, s))).map((f) => f.reason)).toEqual(['generator_cpu_starved']);
  });

  it('a busy machine alone, or a high wait share alone, is not saturation', () => {
    const judge = new SaturationJudge(limits);
    // machine at 100%, the generator mostly idle: wanted 0.1 core, nearly all of it waited
    expect(feed(judge, times(20, starvedBy(0.1, 0.09, { generatorCpuPct: 1 })))).toEqual([]);
    // 10 chat users queueing behind each other with others holding 40% of the machine: 0.8 of 6.8 cores
    expect(feed(judge, times(20, { machineCpuPct: 100, starvedCores: 0.8, cpuStarvedPct: 12 }))).toEqual([]);
    expect(judge.figures()).toMatchObject({ machineCpuPercentP95: 100, cpuWaitPercentP95: 82 });
  });

  it('ignores starvation in part of the window, and reports both rules when both hold', () => {
    const judge = new SaturationJudge(limits);
    // a 4 s stall beside busy loops, then 6 s of healthy load: 2 × 0.5 of 2 × 0.6 + 3 × 6.8 cores
    expect(feed(judge, [...times(2, starvedBy(0.6, 0.5)), ...times(3, {}), ...times(2, starvedBy(0.6, 0.5)), ...times(3, {})])).toEqual([]);
    expect(feed(new SaturationJudge(limits), times(5, starvedBy(1, 0.9, { generatorCpuPct: 90 }))).map((f) => f.reason)).toEqual(['generator_cpu', 'generator_cpu_starved']);
  });

  it('start-up samples stay out of the starvation window', () => {
    const judge = new SaturationJudge(limits);
    expect(feed(judge, [...times(3, starvedBy(1, 0.9)), ...times(10, starvedBy(1, 0.9, { startingUp: true }))])).toEqual([]);
    expect(feed(judge, times(2, starvedBy(1, 0.9))).map((f) => [f.reason, f.data.heldMs])).toEqual([['generator_cpu_starved', 10_000]]);
  });
});

describe('saturation judge: unknown figures and percentiles', () => {
  it('unknown figures (NaN) never saturate and stay out of the percentiles', () => {
    const judge = new SaturationJudge(limits);
    expect(feed(judge, times(10, { generatorCpuPct: NaN, cpuWaitPct: NaN, demandCores: NaN, starvedCores: NaN, cpuStarvedPct: NaN, machineCpuPct: NaN }))).toEqual([]);
    expect(judge.figures()).toMatchObject({ cpuPercentP95: 0, cpuWaitPercentP95: 0, cpuStarvedPercentP95: 0, machineCpuPercentP95: 0, loadSamples: 0 });
  });

  it('percentile is nearest-rank', () => {
    expect(percentile([], 95)).toBe(0);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 95)).toBe(95);
    expect(percentile([3, 1, 2], 50)).toBe(2);
  });
});

describe('saturation judge: a late event loop', () => {
  it('calls a generator whose event loop stays 250+ ms late for the window saturated, and not a short stall or one at start-up', () => {
    const judge = new SaturationJudge(limits);
    expect(feed(judge, [...times(2, { eventLoopP99Ms: 1800 }), ...times(1, { eventLoopP99Ms: 30 }), ...times(8, { eventLoopP99Ms: 900, startingUp: true })])).toEqual([]);
    const found = feed(judge, times(5, { eventLoopP99Ms: 700 }));
    expect(found.map((f) => f.reason)).toEqual(['generator_event_loop']);
    expect(found[0]!.message).toMatch(/event loop ran more than 250 ms late \(p99\) for 10 s \(now 700 ms\)/);
    expect(judge.saturated).toBe(true);
  });
});
