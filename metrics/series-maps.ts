// Maps of series (key → state): merging an interval into the run, and the run plus the open interval.
import type { SeriesAggregate } from './types.ts';
import { SeriesState, seriesKey } from './series.ts';

export function mergeInto(run: Map<string, SeriesState>, s: SeriesState): void {
  const key = seriesKey(s.metric, s.tags);
  let r = run.get(key);
  if (r === undefined) {
    r = new SeriesState(s.metric, s.kind, s.tags);
    run.set(key, r);
  }
  r.merge(s);
}

/** closed intervals + the open one, merged exactly, sorted by series key */
export function combinedAggregates(run: ReadonlyMap<string, SeriesState>, open: ReadonlyMap<string, SeriesState>): SeriesAggregate[] {
  const out: SeriesAggregate[] = [];
  for (const key of new Set([...run.keys(), ...open.keys()])) {
    const r = run.get(key);
    const i = open.get(key);
    if (r && i) {
      const m = new SeriesState(r.metric, r.kind, r.tags);
      m.merge(r);
      m.merge(i);
      out.push(m.toAggregate());
    } else out.push(((r ?? i) as SeriesState).toAggregate());
  }
  return out.sort((a, b) => seriesKey(a.metric, a.tags).localeCompare(seriesKey(b.metric, b.tags)));
}
