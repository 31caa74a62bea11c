// ChannelHistory: the kept messages of a channel, evicted oldest first and read in pages, at the
// volume test's size (100,000 kept, more added, the queue compacted underneath).
import { describe, expect, it } from 'vitest';
import { ChannelHistory } from './channel-history.ts';
import type { ChatMessage } from './protocol.ts';

const message = (n: number): ChatMessage => ({ id: `m${n}`, channelId: 'c', author: 'a', text: `text ${n}`, serverTs: n, reactions: {} });
const ids = (messages: readonly ChatMessage[]) => messages.map((m) => m.id);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `m${from + i}`);

describe('ChannelHistory', () => {
  it('pages back from the latest message to the first, oldest first within a page', () => {
    const history = new ChannelHistory(1_000);
    for (let n = 0; n < 120; n++) history.add(message(n));
    const latest = history.latest(50);
    expect(ids(latest.messages)).toEqual(range(70, 120));
    expect(latest).toMatchObject({ hasMore: true, total: 120 });
    const older = history.before('m70', 50)!;
    expect(ids(older.messages)).toEqual(range(20, 70));
    expect(older.hasMore).toBe(true);
    const first = history.before('m20', 50)!;
    expect(ids(first.messages)).toEqual(range(0, 20));
    expect(first.hasMore).toBe(false);
    expect(history.before('m0', 50)).toEqual({ messages: [], hasMore: false, total: 120 });
  });

  it('keeps the latest `limit` at 100,000 messages while more arrive, and pages correctly across compactions', () => {
    const history = new ChannelHistory(100_000);
    for (let n = 0; n < 130_000; n++) history.add(message(n));
    expect(history.size).toBe(100_000);
    expect(history.get('m29999')).toBeUndefined(); // evicted
    expect(history.before('m29999', 10)).toBeUndefined();
    expect(history.get('m30000')?.wire.text).toBe('text 30000');
    // walk the whole kept history back in pages of 500: every message once, in order
    const seen: string[] = [];
    let page = history.latest(500);
    seen.unshift(...ids(page.messages));
    while (page.hasMore) {
      page = history.before(page.messages[0]!.id, 500)!;
      seen.unshift(...ids(page.messages));
    }
    expect(seen).toEqual(range(30_000, 130_000));
  });

  it('gives a message with no reactions the shared empty reactions, never a per-message object', () => {
    const history = new ChannelHistory(10);
    const a = history.add(message(1));
    const b = history.add(message(2));
    expect(a.wire.reactions).toBe(b.wire.reactions);
    expect(JSON.stringify(a.wire.reactions)).toBe('{}');
    expect(a.reactions).toBeUndefined();
  });
});
