import { describe, expect, it } from 'vitest';
import type { IntervalSnapshot, SeriesAggregate } from '../metrics/types.ts';
import { bucketSize, buildChart, buildReportCharts, indexByMetric, STEP_CHART_TOP, type ChartDef } from './series.ts';
import { makeFixtureRun } from './testing/fixture-run.ts';

const s = (metric: string, kind: SeriesAggregate['kind'], tags: Record<string, string>, over: Partial<SeriesAggregate>): SeriesAggregate => ({ metric, kind, tags, count: 1, sum: 0, min: 0, max: 0, ...over });
const iv = (i: number, series: SeriesAggregate[]): IntervalSnapshot => ({ runId: 'r', shard: '1/1', startMs: 1_000_000 + i * 5000, endMs: 1_000_000 + (i + 1) * 5000, phase: 'steady', series });

describe('chart series', () => {
  it('sums gauge levels across journeys within an interval and keeps the peak when merging intervals', () => {
    const intervals = [0, 1, 2, 3].map((i) => iv(i, [s('users.active', 'gauge', { journey: 'a' }, { last: i + 1 }), s('users.active', 'gauge', { journey: 'b' }, { last: 10 })]));
    const def: ChartDef = { id: 'u', title: 'u', unit: 'users', group: 'g', queries: [{ metric: 'users.active', field: 'last', label: 'all' }] };
    expect(buildChart(def, intervals, indexByMetric(intervals)).series).toEqual([{ label: 'all', values: [11, 12, 13, 14] }]);
    const merged = buildChart(def, intervals, indexByMetric(intervals), 2);
    expect(merged.x).toEqual([1000, 1010]);
    expect(merged.series[0]!.values).toEqual([12, 14]);
  });

  it('draws a gauge the hub carried into an interval with count 0 at its level, not as a gap', () => {
    const intervals = [iv(0, [s('users.active', 'gauge', { journey: 'a' }, { last: 2 })]), iv(1, [s('users.active', 'gauge', { journey: 'a' }, { count: 0, last: 2 })])];
    const def: ChartDef = { id: 'u', title: 'u', unit: 'users', group: 'g', queries: [{ metric: 'users.active', field: 'last', label: 'all' }] };
    expect(buildChart(def, intervals, indexByMetric(intervals)).series).toEqual([{ label: 'all', values: [2, 2] }]);
  });

  it('takes the worst percentile of merged intervals and recomputes per-minute rates from sums and durations', () => {
    const intervals = [0, 1].map((i) => iv(i, [s('chat.delivery_ms', 'trend', {}, { count: 10, sum: 500, p95: i === 0 ? 90 : 300 }), s('chat.messages_sent', 'counter', {}, { sum: 10 })]));
    const def: ChartDef = { id: 'c', title: 'c', unit: 'ms', group: 'g', queries: [{ metric: 'chat.delivery_ms', field: 'p95', label: 'p95' }, { metric: 'chat.messages_sent', field: 'perMinute', label: 'sent' }] };
    const chart = buildChart(def, intervals, indexByMetric(intervals), 1);
    expect(chart.series.find((x) => x.label === 'p95')!.values).toEqual([300]);
    expect(chart.series.find((x) => x.label === 'sent')!.values).toEqual([120]); // 20 messages in 10 s
  });

  it('bounds every chart to maxPoints on a long run and leaves gaps where a series has no data', () => {
    expect(bucketSize(7200, 2000)).toBe(4);
    const run = makeFixtureRun({ intervalCount: 500, valuesPerInterval: 3, seed: 4 });
    for (const chart of buildReportCharts(run.intervals, 120)) {
      expect(chart.x.length).toBeLessThanOrEqual(120);
      for (const line of chart.series) expect(line.values).toHaveLength(chart.x.length);
    }
    const gappy = [iv(0, [s('target.cpu_pct', 'gauge', {}, { last: 5 })]), iv(1, [])];
    const def: ChartDef = { id: 't', title: 't', unit: '%', group: 'g', queries: [{ metric: 'target.cpu_pct', field: 'last', label: 't' }] };
    expect(buildChart(def, gappy, indexByMetric(gappy)).series[0]!.values).toEqual([5, null]);
  });

  it('draws only the slowest steps by default on the step latency charts, the rest selectable', () => {
    const run = makeFixtureRun({ intervalCount: 12, seed: 6, extraSteps: 9, stepLatencyFactor: { 'chatMessaging/open_channel': 40 } });
    const chart = buildReportCharts(run.intervals).find((c) => c.id === 'step-p95')!;
    expect(chart.series).toHaveLength(38);
    expect(chart.shownByDefault).toBe(STEP_CHART_TOP);
    const shown = chart.series.filter((x) => x.shown);
    expect(shown).toHaveLength(STEP_CHART_TOP);
    expect(chart.series[0]!.label).toBe('chatMessaging / open_channel');
    // every shown line peaks at least as high as every hidden one
    const lowestShown = Math.min(...shown.map((x) => x.peak!));
    expect(chart.series.filter((x) => !x.shown).every((x) => x.peak! <= lowestShown)).toBe(true);
    // a chart with few lines shows them all, in name order
    const users = buildReportCharts(run.intervals).find((c) => c.id === 'users-active')!;
    expect(users.shownByDefault).toBeUndefined();
    expect(users.series.map((x) => x.label)).toEqual(['chatMessaging', 'fileUpload', 'videoCall']);
  });
});
