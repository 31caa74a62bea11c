import { describe, expect, it } from 'vitest';
import type { IntervalSnapshot, SeriesAggregate } from '../metrics/types.ts';
import type { RunSummary, StepSummary } from '../metrics/run-summary.ts';
import { identifyBottlenecks } from './bottlenecks.ts';
import { recommendations } from './recommendations.ts';
import { makeFixtureRun } from './testing/fixture-run.ts';

const base = makeFixtureRun({ intervalCount: 6, seed: 1 }).summary;
const step = (over: Partial<StepSummary>): StepSummary => ({ journey: 'chatMessaging', step: 'send_message', count: 100, errors: 0, p50: 50, p95: 100, p99: 150, max: 300, mean: 60, ...over });
const summaryWith = (over: Partial<RunSummary>): RunSummary => ({ ...base, steps: [], journeys: {}, ...over });
const interval = (series: SeriesAggregate[], i = 0): IntervalSnapshot => ({ runId: 'r', shard: '1/1', startMs: i * 5000, endMs: (i + 1) * 5000, phase: 'steady', series });
const media = (metric: string, kind: SeriesAggregate['kind'], tags: Record<string, string>, over: Partial<SeriesAggregate>): SeriesAggregate => ({ metric, kind, tags, count: 30, sum: 0, min: 0, max: 0, ...over });

describe('identifyBottlenecks', () => {
  it('flags a step whose p99 is more than twice its p95, and not one just under', () => {
    const found = identifyBottlenecks(summaryWith({ steps: [step({ p95: 100, p99: 201 }), step({ step: 'connect', p95: 100, p99: 199 })] }));
    expect(found.filter((b) => b.type === 'latency_spike').map((b) => b.component)).toEqual(['chatMessaging/send_message']);
    expect(found[0]!.details).toContain('201');
  });

  it('calls no spike below the absolute floor: p99 8 ms against p95 3 ms is no tail a user feels', () => {
    const found = identifyBottlenecks(summaryWith({ steps: [step({ p50: 2, p95: 3, p99: 8, max: 12 }), step({ step: 'connect', p50: 20, p95: 60, p99: 150 })] }));
    expect(found.filter((b) => b.type === 'latency_spike').map((b) => b.component)).toEqual([]);
  });

  it('flags error rates over 5% per step and per journey', () => {
    const found = identifyBottlenecks(summaryWith({
      steps: [step({ errors: 6 }), step({ step: 'connect', errors: 5 })],
      journeys: { videoCall: { started: 40, completed: 30, failed: 3, interrupted: 7 }, chatMessaging: { started: 40, completed: 38, failed: 2, interrupted: 0 } },
    }));
    const errors = found.filter((b) => b.type === 'high_error_rate');
    expect(errors.map((b) => b.component)).toEqual(['chatMessaging/send_message', 'videoCall']);
    expect(errors.every((b) => b.severity === 'critical')).toBe(true);
  });

  it('flags generator CPU, memory and saturation from the summary', () => {
    const found = identifyBottlenecks(summaryWith({
      generator: { ...base.generator, saturated: true, reasons: ['cpu'], cpuPercentP95: 91, cpuPercentMax: 99 },
      metrics: [{ metric: 'generator.system_memory_pct', kind: 'gauge', unit: 'percent', count: 6, sum: 480, min: 70, max: 88, mean: 80, last: 88 },
        { metric: 'generator.cpu_pct', kind: 'gauge', unit: 'percent', count: 6, sum: 540, min: 80, max: 99, mean: 90, last: 90 }],
    }));
    expect(found.map((b) => b.type).sort()).toEqual(['generator_cpu', 'generator_memory', 'generator_saturation']);
    expect(found.find((b) => b.type === 'generator_cpu')?.severity).toBe('critical');
  });

  it('does not call CPU bursts shorter than the saturation window critical when the run was not saturated', () => {
    const found = identifyBottlenecks(summaryWith({ generator: { ...base.generator, saturated: false, reasons: [], cpuPercentP95: 98, cpuPercentMax: 99 } }));
    const cpu = found.find((b) => b.type === 'generator_cpu');
    expect(cpu?.severity).toBe('medium');
    expect(cpu?.details).toContain('verdict stands');
  });

  it('flags media problems from intervals: CPU-limited video, loss, freezes, low MOS', () => {
    const videoOut = { kind: 'video', direction: 'outbound' };
    const videoIn = { kind: 'video', direction: 'inbound' };
    const audioIn = { kind: 'audio', direction: 'inbound' };
    const intervals = [interval([
      media('webrtc.quality_limited_cpu', 'rate', videoOut, { count: 30, nonZero: 9 }),
      media('webrtc.quality_limited_bandwidth', 'rate', videoOut, { count: 30, nonZero: 0 }),
      media('webrtc.packets_lost_pct', 'trend', videoIn, { count: 30, sum: 105, p95: 6 }),
      media('webrtc.packets_lost_pct', 'trend', audioIn, { count: 30, sum: 15, p95: 1 }),
      media('webrtc.video.freeze_count', 'counter', videoIn, { count: 1, sum: 4 }),
      media('webrtc.video.freeze_ms', 'trend', videoIn, { count: 4, sum: 2400 }),
      media('webrtc.audio.mos', 'trend', audioIn, { count: 30, sum: 93 }),
    ])];
    const found = identifyBottlenecks(summaryWith({}), intervals);
    expect(found.map((b) => `${b.type} ${b.component}`).sort()).toEqual([
      'low_mos audio inbound', 'video_cpu_limited video outbound', 'video_freezes video inbound', 'webrtc_loss video inbound',
    ]);
    expect(found.find((b) => b.type === 'video_freezes')!.details).toContain('2.4 s');
  });

  it('flags target CPU from the p95 of its gauge over intervals', () => {
    const intervals = Array.from({ length: 20 }, (_, i) => interval([media('target.cpu_pct', 'gauge', {}, { count: 1, last: i < 17 ? 40 : 97 })], i));
    expect(identifyBottlenecks(summaryWith({}), intervals).map((b) => b.type)).toEqual(['target_cpu']);
    const calm = intervals.map((iv, i) => (i < 19 ? iv : interval([media('target.cpu_pct', 'gauge', {}, { count: 1, last: 40 })], i)));
    expect(identifyBottlenecks(summaryWith({}), calm.slice(0, 10))).toEqual([]);
  });

  it('flags the target\'s media server (SFU) CPU apart from the target process', () => {
    const intervals = Array.from({ length: 20 }, (_, i) => interval([
      media('target.cpu_pct', 'gauge', {}, { count: 1, last: 30 }),
      media('target.sfu_cpu_pct', 'gauge', {}, { count: 1, last: i < 15 ? 50 : 140 }),
    ], i));
    const found = identifyBottlenecks(summaryWith({}), intervals);
    expect(found.map((b) => `${b.type} ${b.component}`)).toEqual(['target_sfu_cpu target']);
    expect(found[0]!.details).toContain("target's media server (SFU) CPU p95 140% of one core");
  });
});

describe('a capped SFU', () => {
  it('judges a capped SFU against its CPU limit: 29% of one core is saturated under a 30% limit, not under none', () => {
    // an hour into the run: past the start-up window, so the finding is about load
    const atMs = Date.parse(base.startedAt) + 3_600_000;
    const sfu = (use: number, limitPct: number | undefined, i: number): IntervalSnapshot => ({ ...interval([
      media('target.sfu_cpu_pct', 'gauge', {}, { count: 1, last: use }),
      ...(limitPct === undefined ? [] : [media('target.sfu_cpu_limit_pct', 'gauge', {}, { count: 1, last: limitPct })]),
    ], i), startMs: atMs + i * 5000, endMs: atMs + (i + 1) * 5000 });
    // uncapped for 5 intervals, then capped at 30%; the interval where the cap went on (its CPU
    // figure spans the change: 60%) is left out, so the figure is the SFU at its cap
    // (and the next, still 40%, weighs nothing in the median)
    const capped = Array.from({ length: 15 }, (_, i) => sfu(i < 5 ? 20 : i === 5 ? 60 : i === 6 ? 40 : 29, i < 5 ? 0 : 30, i));
    const found = identifyBottlenecks(summaryWith({}), capped);
    expect(found.map((b) => `${b.type} ${b.severity}`)).toEqual(['target_sfu_cpu high']);
    expect(found[0]!.details).toContain('median 96.7% of its CPU limit (29% of one core used, limit 30%)');
    // the same use without a limit is 29% of one core: no finding
    expect(identifyBottlenecks(summaryWith({}), capped.map((_, i) => sfu(i === 5 ? 60 : 29, undefined, i)))).toEqual([]);
    expect(identifyBottlenecks(summaryWith({}), capped.map((_, i) => sfu(29, 0, i)))).toEqual([]);
    // below its limit: no finding
    expect(identifyBottlenecks(summaryWith({}), capped.map((_, i) => sfu(12, 30, i)))).toEqual([]);
  });
});

describe('recommendations', () => {
  it('dedupes by problem, sorts by priority and adds sharding advice for a starved generator', () => {
    const summary = summaryWith({ steps: [step({ errors: 9 }), step({ step: 'connect', errors: 9 })], generator: { ...base.generator, saturated: true, reasons: ['cpu'], cpuPercentP95: 95 } });
    const recs = recommendations(identifyBottlenecks(summary), summary);
    const titles = recs.map((r) => r.title);
    expect(titles.filter((t) => t.startsWith('Fix failing steps'))).toEqual(['Fix failing steps: chatMessaging/send_message, chatMessaging/connect']);
    expect(titles).toContain('Shard the load over more workers');
    expect(new Set(titles).size).toBe(titles.length);
    expect(recs.every((r) => r.priority === 'high')).toBe(true);
  });

  it('gives scaling advice when peak users pass 80% of the plan while errors rise', () => {
    const rising = Array.from({ length: 9 }, (_, i) => interval([
      media('users.active', 'gauge', { journey: 'chatMessaging' }, { count: 1, last: i < 3 ? 4 : 11 }),
      media('step.errors', 'rate', { journey: 'chatMessaging', step: 'send_message' }, { count: 100, nonZero: i < 3 ? 0 : 6 }),
    ], i));
    const summary = summaryWith({ phases: [{ name: 'steady', startMs: 0, endMs: 45_000, targetUsers: 12 }] });
    expect(recommendations([], summary, { intervals: rising }).map((r) => r.category)).toEqual(['scaling']);
    const flat = rising.map((iv, i) => interval(iv.series.map((s) => (s.metric === 'step.errors' ? { ...s, nonZero: 0 } : s)), i));
    expect(recommendations([], summary, { intervals: flat })).toEqual([]);
  });
});

describe('memory growth under a steady load (soak leak rule)', () => {
  const gauge = (metric: string, last: number): SeriesAggregate => ({ metric, kind: 'gauge', tags: {}, count: 1, sum: last, min: last, max: last, last });
  // 40 minutes of 1-minute intervals
  const run = (targetMb: (i: number) => number, users: (i: number) => number) =>
    Array.from({ length: 40 }, (_, i) => ({ ...interval([gauge('target.memory_mb', targetMb(i)), gauge('generator.memory_mb', 1500), gauge('users.active', users(i))]), startMs: i * 60_000, endMs: (i + 1) * 60_000 }));

  it('flags target memory that keeps climbing while users hold still, with the slope', () => {
    const found = identifyBottlenecks(summaryWith({}), run((i) => 200 + 5 * i, () => 100));
    const leak = found.find((b) => b.type === 'target_memory_growth');
    expect(leak?.severity).toBe('high');
    expect(leak!.observed).toBeCloseTo(300, 0); // 5 MB a minute
    expect(found.some((b) => b.type === 'generator_memory_growth')).toBe(false); // flat
    expect(recommendations(found, summaryWith({})).map((r) => r.title)).toContain('Find the target memory leak: target');
  });

  it('still sees the climb when users ramp down at the end of the run', () => {
    const found = identifyBottlenecks(summaryWith({}), run((i) => 200 + 5 * i, (i) => (i >= 38 ? 0 : 100)));
    expect(found.find((b) => b.type === 'target_memory_growth')?.observed).toBeCloseTo(300, 0);
  });

  it('does not call growth that follows the users a leak, nor a flat level, nor a short run', () => {
    expect(identifyBottlenecks(summaryWith({}), run((i) => 200 + 5 * i, (i) => 50 + 5 * i)).some((b) => b.type === 'target_memory_growth')).toBe(false);
    expect(identifyBottlenecks(summaryWith({}), run(() => 300, () => 100)).some((b) => b.type === 'target_memory_growth')).toBe(false);
    expect(identifyBottlenecks(summaryWith({}), run((i) => 200 + 5 * i, () => 100).slice(0, 15)).some((b) => b.type === 'target_memory_growth')).toBe(false);
  });
});
