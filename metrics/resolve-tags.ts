// The checks record() makes on a (metric, tags) before it counts a value: the metric is in the
// catalogue, every tag is allowed on it and has a non-empty string value. The hub runs them once
// per distinct tag set and caches the answer (metrics/hub.ts recordUnsafe).
import { definitionOf, isKnownMetric, tagsOf, type MetricDefinition } from './catalogue.ts';
import { seriesKey } from './series.ts';
import { didYouMean } from './suggest.ts';
import type { Tags } from './types.ts';

/** tags every series carries implicitly; recording them by hand is refused */
const RESERVED_TAGS = new Set(['run', 'shard', 'phase']);

/** a validated (metric, tags): what record() needs */
export interface ResolvedTags {
  readonly def: MetricDefinition;
  readonly key: string;
  readonly fullTags: Tags;
}

export interface TagProblem {
  readonly reason: 'unknown_metric' | 'tag_not_allowed' | 'bad_tag_value';
  /** one warning per distinct problem key */
  readonly problemKey: string;
  readonly message: string;
}

export function resolveTags(metric: string, tags: Tags | undefined, baseTags: Tags): ResolvedTags | TagProblem {
  if (!isKnownMetric(metric)) {
    return { reason: 'unknown_metric', problemKey: metric, message: `metric "${metric}" is not in the catalogue (metrics/catalogue.ts) nor declared in the plan's metrics.${didYouMean(metric)} Declare it, add it there or fix the name; its samples are dropped.` };
  }
  const def = definitionOf(metric);
  const allowed: readonly string[] = tagsOf(metric);
  let fullTags: Tags = baseTags;
  if (tags !== undefined) {
    for (const [k, v] of Object.entries(tags)) {
      if (RESERVED_TAGS.has(k) || !allowed.includes(k)) {
        const why = RESERVED_TAGS.has(k) ? `"${k}" is added by the hub itself` : `allowed tags: ${allowed.length ? allowed.join(', ') : '(none)'}`;
        return { reason: 'tag_not_allowed', problemKey: `${metric}:${k}`, message: `tag "${k}" is not allowed on "${metric}" (${why}). Remove it or add it to the catalogue; these samples are dropped.` };
      }
      if (typeof v !== 'string' || v.length === 0) {
        return { reason: 'bad_tag_value', problemKey: `${metric}:${k}`, message: `tag "${k}" on "${metric}" must be a non-empty string, got ${JSON.stringify(v)}; these samples are dropped.` };
      }
    }
    fullTags = { ...baseTags, ...tags };
  }
  return { def, key: seriesKey(metric, fullTags), fullTags };
}
