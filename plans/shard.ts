// Sharding: a distributed run splits the plan's virtual users over n workers. Every VU has a
// global index (fleet/scheduler.ts buildSchedule); shard i of n (1-based) takes the VUs whose
// index % n === i - 1. So shards partition the users exactly and each shard gets an even mix
// of journeys and start times.

export interface Shard {
  /** 1-based */
  readonly index: number;
  readonly count: number;
}

export const unsharded: Shard = { index: 1, count: 1 };

export interface ShardProblem {
  readonly problem: string;
}

/**
 * Parse "2/4" into { index: 2, count: 4 }, or { problem } saying what is wrong and how to fix it
 * (a value, not a throw, so the CLI can report it together with every other configuration problem).
 */
export function parseShard(text: string): Shard | ShardProblem {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) {
    return { problem: `--shard: expected "i/n" with whole numbers, like "2/4" (the 2nd of 4 shards), got ${JSON.stringify(text)}` };
  }
  const shard = { index: Number(match[1]), count: Number(match[2]) };
  const problem = shardProblem(shard);
  return problem ? { problem } : shard;
}

/** What is wrong with a shard spec, or undefined when it is valid. */
export function shardProblem(shard: Shard): string | undefined {
  const { index, count } = shard;
  if (!Number.isSafeInteger(count) || count < 1) {
    return `--shard: the shard count n must be a whole number ≥ 1, got ${count}; e.g. "1/4"`;
  }
  if (!Number.isSafeInteger(index) || index < 1 || index > count) {
    return `--shard: the shard index i must be between 1 and ${count} (shards are numbered from 1), got ${index}; e.g. "1/${count}"`;
  }
  return undefined;
}

export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

/** Does the VU with this global index belong to this shard? */
export function inShard(vuIndex: number, shard: Shard): boolean {
  return vuIndex % shard.count === shard.index - 1;
}
