// The hub's tag cache: a frozen tag set resolves by the object, a mutable one by its values, so a
// caller that changes its tags object between records is never counted under the old tags.
import { describe, expect, it } from 'vitest';
import { MetricsHub } from './hub.ts';
import { ResolvedTagCache, type TagProblem } from './resolve-tags.ts';

describe('ResolvedTagCache', () => {
  it('resolves a frozen tag set once and then by the object', () => {
    const cache = new ResolvedTagCache({});
    const tags = Object.freeze({ journey: 'chatMessaging', driver: 'protocol' });
    const first = cache.resolve('chat.delivery_ms', tags, () => {});
    expect(first).toBeDefined();
    expect(cache.resolve('chat.delivery_ms', tags, () => {})).toBe(first);
    // another metric on the same object is its own series
    expect(cache.resolve('chat.messages_received', tags, () => {})?.key).not.toBe(first!.key);
  });

  it('follows a mutable tags object that changed between records', () => {
    const cache = new ResolvedTagCache({});
    const tags: Record<string, string> = { journey: 'chatMessaging', driver: 'protocol' };
    const a = cache.resolve('chat.delivery_ms', tags, () => {});
    tags.journey = 'mixedUsage';
    const b = cache.resolve('chat.delivery_ms', tags, () => {});
    expect(b!.fullTags).toMatchObject({ journey: 'mixedUsage' });
    expect(b!.key).not.toBe(a!.key);
  });

  it('refuses a bad frozen tag set every time, never caching it', () => {
    const cache = new ResolvedTagCache({});
    const problems: TagProblem[] = [];
    const tags = Object.freeze({ colour: 'blue' });
    expect(cache.resolve('chat.delivery_ms', tags, (p) => problems.push(p))).toBeUndefined();
    expect(cache.resolve('chat.delivery_ms', tags, (p) => problems.push(p))).toBeUndefined();
    expect(problems.map((p) => p.reason)).toEqual(['tag_not_allowed', 'tag_not_allowed']);
  });
});

describe('MetricsHub with frozen and plain tags', () => {
  it('counts the same values into the same series either way', () => {
    const hub = new MetricsHub({ runId: 'r', shard: '1/1', sinks: [] });
    const frozen = Object.freeze({ journey: 'chatMessaging', driver: 'protocol' });
    for (let i = 0; i < 5; i++) hub.record('chat.delivery_ms', i, frozen);
    for (let i = 5; i < 10; i++) hub.record('chat.delivery_ms', i, { journey: 'chatMessaging', driver: 'protocol' });
    const series = hub.totals().filter((s) => s.metric === 'chat.delivery_ms');
    expect(series).toHaveLength(1);
    expect(series[0]).toMatchObject({ count: 10, sum: 45, min: 0, max: 9 });
  });
});
