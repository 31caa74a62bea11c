// What one shard of a distributed run can judge. A shard runs a slice of the users (--shard i/n),
// so a count threshold of the plan is a total of the whole run (count>3000000 messages) that no
// slice reaches, and a threshold can have no data in a slice that holds none of the users it
// filters on (the browser sample's 8 users spread over 10 shards). Both are left to
// `waddle-fleet merge`, which judges every threshold on the merged totals; the shard's own verdict
// judges the rates and percentiles it measured. Not deferred: the built-in gate, which is built
// from the journeys and drivers this shard runs.
import type { ThresholdResult } from './run-summary.ts';

export function deferToMerge(results: readonly ThresholdResult[], shardCount: number): ThresholdResult[] {
  if (shardCount <= 1) return [...results];
  return results.map((r) => (isLeftToMerge(r) ? { ...r, ok: true, deferred: true } : r));
}

function isLeftToMerge(r: ThresholdResult): boolean {
  if (r.source === 'default') return false;
  return (r.noData && !r.ok) || /^\s*count\b/.test(r.expression);
}
