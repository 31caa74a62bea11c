// One timeline for the report of a distributed run. Shards start together (--start-at) and share
// the interval length, so their intervals line up within one interval: those covering the same
// time are combined into one interval of the merged run.
// - trends, counters and rates add exactly (histograms merged, never percentiles averaged);
// - gauge levels add across shards (active users, browsers, memory of the fleet), except a
//   percentage of a machine (averaged: one worker at 90% is not a fleet at 180%) and the target's
//   own gauges (every shard scrapes the same target: the highest reading is kept).
import { definitionOf, isKnownMetric } from './catalogue.ts';
import { SeriesState, seriesKey } from './series.ts';
import type { IntervalSnapshot, SeriesAggregate } from './types.ts';

type GaugeRule = 'sum' | 'mean' | 'max';

function gaugeRule(metric: string): GaugeRule {
  if (metric.startsWith('target.')) return 'max';
  if (isKnownMetric(metric) && definitionOf(metric).unit === 'percent') return 'mean';
  return 'sum';
}

/** combine one gauge series as seen by several shards in the same interval */
function combineGauges(parts: readonly SeriesAggregate[]): SeriesAggregate {
  const rule = gaugeRule(parts[0]!.metric);
  const pick = (values: number[]): number =>
    rule === 'sum' ? values.reduce((a, b) => a + b, 0) : rule === 'mean' ? values.reduce((a, b) => a + b, 0) / values.length : Math.max(...values);
  return {
    ...parts[0]!,
    count: parts.reduce((a, p) => a + p.count, 0),
    sum: parts.reduce((a, p) => a + p.sum, 0),
    min: pick(parts.map((p) => p.min)),
    max: pick(parts.map((p) => p.max)),
    last: pick(parts.map((p) => p.last ?? 0)),
  };
}

function medianIntervalMs(shards: readonly (readonly IntervalSnapshot[])[]): number {
  const lengths = shards.flatMap((s) => s.map((i) => i.endMs - i.startMs)).filter((d) => d > 0).sort((a, b) => a - b);
  return lengths[Math.floor(lengths.length / 2)] ?? 5_000;
}

export function mergeShardIntervals(shards: readonly (readonly IntervalSnapshot[])[], runId: string): IntervalSnapshot[] {
  const all = shards.flat();
  if (all.length === 0) return [];
  const stepMs = medianIntervalMs(shards);
  const t0 = Math.min(...all.map((i) => i.startMs));
  const bucketOf = (i: IntervalSnapshot): number => Math.floor((i.startMs - t0) / stepMs + 0.5);

  // bucket → shard → series key → state (within a shard, gauges keep their latest level)
  const buckets = new Map<number, { phase: string; startMs: number; endMs: number; shards: Map<string, Map<string, SeriesState>> }>();
  for (const interval of all) {
    const b = bucketOf(interval);
    let bucket = buckets.get(b);
    if (!bucket) buckets.set(b, (bucket = { phase: interval.phase, startMs: interval.startMs, endMs: interval.endMs, shards: new Map() }));
    bucket.startMs = Math.min(bucket.startMs, interval.startMs);
    bucket.endMs = Math.max(bucket.endMs, interval.endMs);
    let states = bucket.shards.get(interval.shard);
    if (!states) bucket.shards.set(interval.shard, (states = new Map()));
    for (const a of interval.series) {
      const key = seriesKey(a.metric, a.tags);
      const incoming = SeriesState.fromAggregate(a, interval.endMs);
      if (a.kind === 'gauge' && a.count === 0) incoming.last = a.last ?? 0; // a carried level
      const have = states.get(key);
      if (have) have.merge(incoming);
      else states.set(key, incoming);
    }
  }

  const out: IntervalSnapshot[] = [];
  for (const [, bucket] of [...buckets.entries()].sort((x, y) => x[0] - y[0])) {
    const byKey = new Map<string, SeriesAggregate[]>();
    for (const states of bucket.shards.values()) {
      for (const [key, state] of states) {
        const aggregate = state.toAggregate();
        const list = byKey.get(key);
        if (list) list.push(aggregate);
        else byKey.set(key, [aggregate]);
      }
    }
    const series: SeriesAggregate[] = [];
    for (const parts of byKey.values()) {
      if (parts.length === 1) series.push(parts[0]!);
      else if (parts[0]!.kind === 'gauge') series.push(combineGauges(parts));
      else {
        const merged = SeriesState.fromAggregate(parts[0]!);
        for (const p of parts.slice(1)) merged.merge(SeriesState.fromAggregate(p));
        series.push(merged.toAggregate());
      }
    }
    out.push({ runId, shard: 'merged', startMs: bucket.startMs, endMs: bucket.endMs, phase: bucket.phase, series });
  }
  return out;
}
