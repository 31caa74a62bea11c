import { describe, expect, it } from 'vitest';
import { mergeShardIntervals } from './merge-timeline.ts';
import { SeriesState } from './series.ts';
import type { IntervalSnapshot, SeriesAggregate } from './types.ts';

const gauge = (metric: string, last: number, tags: Record<string, string> = {}): SeriesAggregate => ({ metric, kind: 'gauge', tags, count: 1, sum: last, min: last, max: last, last });
function trend(values: number[]): SeriesAggregate {
  const s = new SeriesState('chat.delivery_ms', 'trend', {});
  for (const v of values) s.add(v, 0);
  return s.toAggregate();
}
// shard 2 ticks 1.2 s after shard 1, as two workers started together do
const interval = (shard: string, i: number, offsetMs: number, series: SeriesAggregate[]): IntervalSnapshot => ({
  runId: 'r', shard, startMs: 1_000_000 + i * 5_000 + offsetMs, endMs: 1_005_000 + i * 5_000 + offsetMs, phase: i < 2 ? 'ramp' : 'steady', series,
});

describe('mergeShardIntervals', () => {
  const shard1 = [0, 1, 2].map((i) => interval('1/2', i, 0, [gauge('users.active', 10 + i, { journey: 'voiceCall' }), gauge('generator.cpu_pct', 80), gauge('target.cpu_pct', 40), trend([10, 20, 30])]));
  const shard2 = [0, 1, 2].map((i) => interval('2/2', i, 1_200, [gauge('users.active', 5, { journey: 'voiceCall' }), gauge('generator.cpu_pct', 60), gauge('target.cpu_pct', 45), trend([1000, 2000])]));
  const merged = mergeShardIntervals([shard1, shard2], 'r');
  const find = (i: number, metric: string) => merged[i]!.series.find((s) => s.metric === metric)!;

  it('lines up intervals that cover the same time, one per interval length', () => {
    expect(merged).toHaveLength(3);
    expect(merged.map((m) => m.phase)).toEqual(['ramp', 'ramp', 'steady']);
    expect(merged[0]).toMatchObject({ startMs: 1_000_000, endMs: 1_006_200, shard: 'merged' });
  });

  it('adds users, averages a machine percentage, keeps the highest target reading', () => {
    expect(find(2, 'users.active').last).toBe(17);
    expect(find(0, 'generator.cpu_pct').last).toBe(70);
    expect(find(0, 'target.cpu_pct').last).toBe(45);
  });

  it('merges trend histograms exactly: counts add and the p95 is of all values', () => {
    const d = find(1, 'chat.delivery_ms');
    expect(d.count).toBe(5);
    expect(d.p95).toBeCloseTo(2000, -1);
    expect(d.p50).toBeCloseTo(30, 0);
  });
});
