// Run-level figures from interval snapshots: aggregates per tag set, gauge levels and their p95,
// and the memory slope at a steady load (the soak leak rule). Pure functions, no I/O.
import type { IntervalSnapshot } from '../metrics/types.ts';
import { MIN_SAMPLES } from './min-samples.ts';

/** Run-level aggregate of one metric per tag set, from intervals: sums and counts add, levels take the peak. */
export interface TaggedAggregate { tags: Record<string, string>; count: number; sum: number; nonZero: number; maxP95: number; lastValues: number[] }

export function aggregateByTags(intervals: readonly IntervalSnapshot[], metric: string, keys: readonly string[]): TaggedAggregate[] {
  const map = new Map<string, TaggedAggregate>();
  for (const interval of intervals) {
    for (const s of interval.series) {
      if (s.metric !== metric) continue;
      const tags = Object.fromEntries(keys.map((k) => [k, s.tags[k] ?? '']));
      const key = JSON.stringify(tags);
      let agg = map.get(key);
      if (!agg) map.set(key, (agg = { tags, count: 0, sum: 0, nonZero: 0, maxP95: -Infinity, lastValues: [] }));
      agg.count += s.count;
      agg.sum += s.sum;
      agg.nonZero += s.nonZero ?? 0;
      if (s.p95 !== undefined) agg.maxP95 = Math.max(agg.maxP95, s.p95);
      if (s.last !== undefined) agg.lastValues.push(s.last);
    }
  }
  return [...map.values()];
}

/** p95 of a gauge over the run, from each interval's last value (nearest rank). */
export function gaugeP95(intervals: readonly IntervalSnapshot[], metric: string): number | null {
  const values = gaugeLevels(intervals, metric).map((p) => p.value);
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  return values[Math.min(values.length - 1, Math.ceil(0.95 * values.length) - 1)] ?? null;
}

/** the level of a gauge in each interval where it has one, summed over its tag sets */
export function gaugeLevels(intervals: readonly IntervalSnapshot[], metric: string): { timeMs: number; value: number }[] {
  const out: { timeMs: number; value: number }[] = [];
  for (const interval of intervals) {
    let total: number | undefined;
    for (const s of interval.series) if (s.metric === metric && s.last !== undefined) total = (total ?? 0) + s.last;
    if (total !== undefined) out.push({ timeMs: interval.endMs, value: total });
  }
  return out;
}

export interface MemoryGrowth {
  readonly mbPerHour: number; readonly fromMb: number; readonly toMb: number; readonly minutes: number;
  /** intervals the slope was fitted on, and the time they span (epoch ms) */
  readonly samples: number; readonly fromMs: number; readonly toMs: number;
}

/**
 * A leak shows as memory that keeps climbing while the load holds still. Over the second half of
 * a run of at least minRunMinutes (past the ramps of a soak), the least-squares slope of a memory
 * gauge, taken over the intervals where active users were within 10% of that half's peak (the
 * ramp-down at the end and dips between journeys are left out, so growth is not just load).
 */
export function memoryGrowth(intervals: readonly IntervalSnapshot[], metric: string, minRunMinutes = 20): MemoryGrowth | null {
  const points = gaugeLevels(intervals, metric);
  if (points.length < MIN_SAMPLES.memoryGrowthIntervals) return null;
  if ((points.at(-1)!.timeMs - points[0]!.timeMs) / 60_000 < minRunMinutes) return null;
  const secondHalf = points.slice(Math.floor(points.length / 2));
  const usersAt = new Map(gaugeLevels(intervals, 'users.active').map((p) => [p.timeMs, p.value]));
  const peakUsers = Math.max(0, ...secondHalf.map((p) => usersAt.get(p.timeMs) ?? 0));
  const window = usersAt.size === 0 ? secondHalf : secondHalf.filter((p) => (usersAt.get(p.timeMs) ?? 0) >= 0.9 * peakUsers);
  if (window.length < MIN_SAMPLES.memoryGrowthIntervals) return null;
  const fromMs = window[0]!.timeMs;
  const span = window.at(-1)!.timeMs - fromMs;
  if (span / 60_000 < minRunMinutes / 4) return null;
  const n = window.length;
  const mx = window.reduce((a, p) => a + p.timeMs, 0) / n;
  const my = window.reduce((a, p) => a + p.value, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of window) {
    sxy += (p.timeMs - mx) * (p.value - my);
    sxx += (p.timeMs - mx) ** 2;
  }
  if (sxx === 0) return null;
  const perMs = sxy / sxx;
  return { mbPerHour: perMs * 3_600_000, fromMb: my - perMs * (mx - fromMs), toMb: my + perMs * (fromMs + span - mx), minutes: span / 60_000, samples: n, fromMs, toMs: fromMs + span };
}
