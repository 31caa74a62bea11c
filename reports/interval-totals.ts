// Run totals rebuilt from interval snapshots, merged exactly (histograms added, never percentiles
// averaged, DESIGN.md). The report needs them where summary.json has no answer: a run killed
// before it wrote its summary, and splits the summary does not keep (per driver).
// A trend stored without its histogram cannot be merged: it is left out and named, never guessed.
import { SeriesState, seriesKey } from '../metrics/series.ts';
import type { IntervalSnapshot, SeriesAggregate } from '../metrics/types.ts';

export interface IntervalTotals {
  readonly totals: SeriesAggregate[];
  /** series keys left out because they could not be merged (no or corrupt histogram) */
  readonly unmergeable: string[];
}

/** Merges every series of every interval (optionally only those `keep` accepts) into run totals. */
export function totalsFromIntervals(intervals: readonly IntervalSnapshot[], keep: (s: SeriesAggregate) => boolean = () => true): IntervalTotals {
  const merged = new Map<string, SeriesState>();
  const unmergeable = new Set<string>();
  for (const interval of intervals) {
    for (const aggregate of interval.series) {
      if (!keep(aggregate)) continue;
      const key = seriesKey(aggregate.metric, aggregate.tags);
      if (unmergeable.has(key)) continue;
      let incoming: SeriesState;
      try {
        incoming = SeriesState.fromAggregate(aggregate, interval.endMs);
      } catch {
        unmergeable.add(key);
        merged.delete(key);
        continue;
      }
      const have = merged.get(key);
      if (have) have.merge(incoming);
      else merged.set(key, incoming);
    }
  }
  return { totals: [...merged.values()].map((s) => s.toAggregate()), unmergeable: [...unmergeable].sort() };
}

/** Totals per plan phase (each interval belongs to one phase), for {phase:NAME} thresholds. */
export function phaseTotalsFromIntervals(intervals: readonly IntervalSnapshot[]): Map<string, SeriesAggregate[]> {
  const out = new Map<string, SeriesAggregate[]>();
  for (const phase of new Set(intervals.map((i) => i.phase))) {
    out.set(phase, totalsFromIntervals(intervals.filter((i) => i.phase === phase)).totals);
  }
  return out;
}
