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

/**
 * The hub's memory of (metric, tags) already checked. Fast path: a key built in the tags' own order,
 * without re-validating, spreading or sorting (measured: validation + seriesKey were ~8% of a
 * protocol thread's busy time at 3,600 users, about a third of it garbage); only string values take
 * it, so a bad value still reaches the checks. Fastest: a frozen tag set (the fleet's own per-user
 * and per-step tags) cannot change, so it resolves by the object itself, with no key built (issue 18:
 * two records per chat delivery, ~15,000 deliveries a second at 10,000 chatters).
 */
export class ResolvedTagCache {
  readonly #byKey = new Map<string, ResolvedTags>();
  readonly #byFrozen = new WeakMap<Tags, Map<string, ResolvedTags>>();

  constructor(private readonly baseTags: Tags) {}

  /** The checked (metric, tags), or undefined after telling `rejected` why not. */
  resolve(metric: string, tags: Tags | undefined, rejected: (problem: TagProblem) => void): ResolvedTags | undefined {
    const frozen = tags !== undefined && Object.isFrozen(tags);
    const known = frozen ? this.#byFrozen.get(tags)?.get(metric) : undefined;
    if (known !== undefined) return known;
    let rawKey: string | undefined = metric;
    if (tags !== undefined) {
      for (const k in tags) {
        const v = tags[k];
        if (typeof v !== 'string' || v.includes('\u0001')) {
          rawKey = undefined;
          break;
        }
        rawKey += `\u0001${k}\u0002${v}`;
      }
    }
    let resolved = rawKey !== undefined ? this.#byKey.get(rawKey) : undefined;
    if (resolved === undefined) {
      const r = resolveTags(metric, tags, this.baseTags);
      if ('reason' in r) return void rejected(r);
      resolved = r;
      if (rawKey !== undefined) {
        // bounded: tag sets are (the cardinality guard); a run that keeps making new ones starts over
        if (this.#byKey.size >= 20_000) this.#byKey.clear();
        this.#byKey.set(rawKey, r);
      }
    }
    if (frozen) {
      let byMetric = this.#byFrozen.get(tags);
      if (byMetric === undefined) this.#byFrozen.set(tags, (byMetric = new Map()));
      byMetric.set(metric, resolved);
    }
    return resolved;
  }
}
