// Per-metric summaries (all tags merged) from series aggregates: what the run summary's
// `metrics` list and thresholds without tag filters read. Merges histograms, never percentiles.
import { definitionOf, isKnownMetric } from './catalogue.ts';
import type { MetricSummary } from './run-summary.ts';
import { SeriesState } from './series.ts';
import type { SeriesAggregate, Tags } from './types.ts';

/** true when every filter tag is present on the series with the same value */
export function tagsMatch(tags: Tags, filter: Tags): boolean {
  for (const [k, v] of Object.entries(filter)) if (tags[k] !== v) return false;
  return true;
}

/** merge the series of one metric that match a tag filter; undefined when none */
export function mergeMatching(totals: readonly SeriesAggregate[], metric: string, filter: Tags = {}): SeriesState | undefined {
  let out: SeriesState | undefined;
  for (const a of totals) {
    if (a.metric !== metric || !tagsMatch(a.tags, filter)) continue;
    const s = SeriesState.fromAggregate(a);
    if (out === undefined) out = new SeriesState(metric, a.kind, filter);
    out.merge(s);
  }
  return out;
}

export function summarizeState(s: SeriesState): MetricSummary {
  const unit = isKnownMetric(s.metric) ? definitionOf(s.metric).unit : 'unknown';
  const base = { metric: s.metric, kind: s.kind, unit, count: s.count, sum: s.sum, min: s.min, max: s.max, mean: s.count === 0 ? 0 : s.sum / s.count };
  switch (s.kind) {
    case 'trend': {
      const h = s.hist;
      const p = (q: number) => (h ? h.percentile(q) : 0);
      return { ...base, p50: p(50), p90: p(90), p95: p(95), p99: p(99) };
    }
    case 'rate':
      return { ...base, rate: s.count === 0 ? 0 : s.nonZero / s.count };
    case 'gauge':
      return { ...base, last: s.last };
    default:
      return base;
  }
}

/** one MetricSummary per metric name, sorted by name */
export function summarizeByMetric(totals: readonly SeriesAggregate[]): MetricSummary[] {
  const byMetric = new Map<string, SeriesState>();
  for (const a of totals) {
    const s = SeriesState.fromAggregate(a);
    const have = byMetric.get(a.metric);
    if (have) have.merge(s);
    else {
      const fresh = new SeriesState(a.metric, a.kind, {});
      fresh.merge(s);
      byMetric.set(a.metric, fresh);
    }
  }
  return [...byMetric.values()].sort((x, y) => x.metric.localeCompare(y.metric)).map(summarizeState);
}
