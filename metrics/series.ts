// One (metric, tags) series being accumulated, for any metric kind, and its exact
// conversion to and from SeriesAggregate (the stored form). Used by the hub for
// intervals and run totals, by thresholds (merging tag-filtered series) and by the
// shard merge: everything that combines numbers goes through merge() here.
import { TrendHistogram } from './histogram.ts';
import type { MetricKind, SeriesAggregate, Tags } from './types.ts';

/** Stable key of a series: metric name + tags sorted by key. */
export function seriesKey(metric: string, tags: Tags): string {
  const keys = Object.keys(tags).sort();
  if (keys.length === 0) return metric;
  return `${metric}{${keys.map((k) => `${k}=${tags[k]}`).join(',')}}`;
}

export class SeriesState {
  count = 0;
  sum = 0;
  min = 0;
  max = 0;
  nonZero = 0;
  last = 0;
  private lastTimeMs = -Infinity;
  readonly hist: TrendHistogram | undefined;

  constructor(
    readonly metric: string,
    readonly kind: MetricKind,
    readonly tags: Tags,
  ) {
    this.hist = kind === 'trend' ? new TrendHistogram() : undefined;
  }

  /** value already validated (finite; >= 0 for trends and counters) */
  add(value: number, timeMs: number): void {
    if (this.hist) this.hist.record(value);
    if (this.count === 0) {
      this.min = value;
      this.max = value;
    } else {
      if (value < this.min) this.min = value;
      if (value > this.max) this.max = value;
    }
    this.count += 1;
    this.sum += value;
    if (value !== 0) this.nonZero += 1;
    if (timeMs >= this.lastTimeMs) {
      this.last = value;
      this.lastTimeMs = timeMs;
    }
  }

  /** exact merge; for gauges the later series' last value wins (merge in time order) */
  merge(other: SeriesState, otherLastTimeMs = other.lastTimeMs): void {
    if (other.count === 0) return;
    if (this.hist && other.hist) this.hist.merge(other.hist);
    if (this.count === 0) {
      this.min = other.min;
      this.max = other.max;
    } else {
      this.min = Math.min(this.min, other.min);
      this.max = Math.max(this.max, other.max);
    }
    this.count += other.count;
    this.sum += other.sum;
    this.nonZero += other.nonZero;
    if (otherLastTimeMs >= this.lastTimeMs) {
      this.last = other.last;
      this.lastTimeMs = otherLastTimeMs;
    }
  }

  toAggregate(): SeriesAggregate {
    const base = { metric: this.metric, kind: this.kind, tags: this.tags, count: this.count, sum: this.sum, min: this.min, max: this.max };
    switch (this.kind) {
      case 'trend': {
        const h = this.hist as TrendHistogram;
        const [p50, p90, p95, p99] = h.percentiles([50, 90, 95, 99]) as [number, number, number, number];
        return { ...base, p50, p90, p95, p99, hdr: h.encode() };
      }
      case 'rate':
        return { ...base, nonZero: this.nonZero };
      case 'gauge':
        return { ...base, last: this.last };
      default:
        return base;
    }
  }

  /**
   * Rebuild from a stored aggregate. timeMs orders gauge "last" values when merging
   * (pass the interval's end). Throws when a trend's histogram is corrupt.
   */
  static fromAggregate(a: SeriesAggregate, timeMs = 0): SeriesState {
    const s = new SeriesState(a.metric, a.kind, a.tags);
    if (a.count === 0) return s;
    if (s.hist) {
      if (a.hdr === undefined) throw new Error(`trend series ${seriesKey(a.metric, a.tags)} has no hdr histogram: it cannot be merged`);
      const h = TrendHistogram.decode(a.hdr, a);
      s.hist.merge(h);
    }
    s.count = a.count;
    s.sum = a.sum;
    s.min = a.min;
    s.max = a.max;
    s.nonZero = a.nonZero ?? 0;
    s.last = a.last ?? 0;
    s.lastTimeMs = timeMs;
    return s;
  }

  get lastSeenMs(): number {
    return this.lastTimeMs;
  }
}

/** Merge many aggregates (any series, any order) into one state per series key. */
export function mergeAggregates(items: Iterable<{ aggregate: SeriesAggregate; timeMs: number }>): Map<string, SeriesState> {
  const out = new Map<string, SeriesState>();
  for (const { aggregate, timeMs } of items) {
    const key = seriesKey(aggregate.metric, aggregate.tags);
    const incoming = SeriesState.fromAggregate(aggregate, timeMs);
    const have = out.get(key);
    if (have) have.merge(incoming);
    else out.set(key, incoming);
  }
  return out;
}
