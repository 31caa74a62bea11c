// Chat over the WebSocket: join, history, ack with id and server time, fan-out with the
// sender's nonce and send time, reactions and presence, driven by real ws clients.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ONLINE_SNAPSHOT_LIMIT, PRESENCE_FLUSH_MS, type ChatMessage, type ServerFrame } from './protocol.ts';
import { startReferenceWaddle, type ReferenceWaddle } from './server.ts';
import { login, TestSocket } from './test-client.ts';

let waddle: ReferenceWaddle;
const sockets: TestSocket[] = [];
beforeAll(async () => {
  waddle = await startReferenceWaddle({ port: 0, historyLimit: 5 });
});
afterAll(async () => {
  await Promise.all(sockets.map((s) => s.close()));
  await waddle.stop();
});

async function user(name: string, channelId = 'hq-general'): Promise<TestSocket> {
  const socket = await TestSocket.open(waddle.url, await login(waddle.url, name));
  sockets.push(socket);
  expect((await socket.request({ type: 'waddle.join', waddleId: 'hq' })).type).toBe('waddle.joined');
  expect((await socket.request({ type: 'channel.open', channelId })).type).toBe('channel.history');
  return socket;
}

type Of<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;
const changeOf = (f: ServerFrame, username: string) => (f.type === 'presence' ? f.changes.find((c) => c.username === username) : undefined);

describe('chat', () => {
  it('acks the sender with id and server time, and fans out to the others with nonce and sentAt', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const other = await user('olga', 'hq-random');
    const before = Date.now();
    const ack = await alice.request<Of<'chat.ack'>>({ type: 'chat.send', channelId: 'hq-general', text: 'hello', nonce: 'n-1', sentAtMs: 1234.5 });
    expect(ack).toMatchObject({ type: 'chat.ack', channelId: 'hq-general', nonce: 'n-1' });
    expect(ack.id).toMatch(/^m/);
    expect(ack.serverTs).toBeGreaterThanOrEqual(before);
    const got = await bob.next<Of<'chat.message'>>((f) => f.type === 'chat.message');
    expect(got.message).toMatchObject({ id: ack.id, author: 'alice', text: 'hello', nonce: 'n-1', sentAtMs: 1234.5, serverTs: ack.serverTs, channelId: 'hq-general' });
    // not to the sender's own socket (it has the ack), nor to another channel's subscribers
    await expect(alice.next((f) => f.type === 'chat.message', 300)).rejects.toThrow(/no matching frame/);
    await expect(other.next((f) => f.type === 'chat.message', 300)).rejects.toThrow(/no matching frame/);
  });

  it('sends the last N messages as history on open, capped per channel', async () => {
    const writer = await user('writer', 'hq-load-test');
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push((await writer.request<Of<'chat.ack'>>({ type: 'chat.send', channelId: 'hq-load-test', text: `m${i}` })).id);
    const reader = await TestSocket.open(waddle.url, await login(waddle.url, 'reader'));
    sockets.push(reader);
    await reader.request({ type: 'waddle.join', waddleId: 'hq' });
    const history = await reader.request<Of<'channel.history'>>({ type: 'channel.open', channelId: 'hq-load-test' });
    expect(history.messages.map((m: ChatMessage) => m.id)).toEqual(ids.slice(-5));
  });

  it('adds and removes reactions and pushes them to members', async () => {
    const alice = await user('r-alice');
    const bob = await user('r-bob');
    const { id } = await alice.request<Of<'chat.ack'>>({ type: 'chat.send', channelId: 'hq-general', text: 'react to me' });
    const mine = await bob.request<Of<'reaction.update'>>({ type: 'reaction.add', channelId: 'hq-general', messageId: id, emoji: '👍' });
    expect(mine.reactions).toEqual({ '👍': ['r-bob'] });
    const pushed = await alice.next<Of<'reaction.update'>>((f) => f.type === 'reaction.update' && f.messageId === id);
    expect(pushed.reactions).toEqual({ '👍': ['r-bob'] });
    await alice.request({ type: 'reaction.add', channelId: 'hq-general', messageId: id, emoji: '👍' });
    const removed = await bob.request<Of<'reaction.update'>>({ type: 'reaction.remove', channelId: 'hq-general', messageId: id, emoji: '👍' });
    expect(removed.reactions).toEqual({ '👍': ['r-alice'] });
    const missing = await bob.request<Of<'error'>>({ type: 'reaction.add', channelId: 'hq-general', messageId: 'm-none', emoji: '👍' });
    expect(missing).toMatchObject({ type: 'error', code: 'not_found' });
  });
});

describe('presence and waddles', () => {
  it('pushes presence when a user comes online in a waddle and when the last tab goes', async () => {
    const watcher = await user('watcher');
    const tab1 = await user('pete');
    const came = await watcher.next<Of<'presence'>>((f) => f.type === 'presence' && changeOf(f, 'pete')?.online === true);
    expect(came).toMatchObject({ waddleId: 'hq' });
    expect(came.onlineCount).toBeGreaterThanOrEqual(2);
    const tab2 = await user('pete'); // a second tab of the same user is not a new arrival
    const joined = await TestSocket.open(waddle.url, await login(waddle.url, 'late'));
    sockets.push(joined);
    const snapshot = await joined.request<Of<'waddle.joined'>>({ type: 'waddle.join', waddleId: 'hq' });
    expect(snapshot.online).toContain('pete');
    expect(snapshot.onlineCount).toBe(snapshot.online.length);
    await tab1.close();
    await expect(watcher.next((f) => f.type === 'presence' && changeOf(f, 'pete')?.online === false, PRESENCE_FLUSH_MS + 300)).rejects.toThrow(/no matching frame/);
    await tab2.close();
    expect(await watcher.next((f) => f.type === 'presence' && changeOf(f, 'pete')?.online === false)).toBeTruthy();
  });

  it('coalesces a join storm into a few presence frames and bounds the online list a joiner gets', async () => {
    const watcher = await user('storm-watcher');
    watcher.frames.length = 0;
    const storm = await Promise.all(Array.from({ length: ONLINE_SNAPSHOT_LIMIT + 20 }, (_, i) => user(`storm-${i}`)));
    await new Promise((r) => setTimeout(r, PRESENCE_FLUSH_MS * 2));
    const frames = watcher.frames.filter((f): f is Of<'presence'> => f.type === 'presence');
    const seen = new Set(frames.flatMap((f) => f.changes.filter((c) => c.online).map((c) => c.username)));
    expect(storm.length).toBe(ONLINE_SNAPSHOT_LIMIT + 20);
    for (let i = 0; i < storm.length; i++) expect(seen.has(`storm-${i}`)).toBe(true);
    // one frame per flush, not one per join: the joins took a few flush periods at most
    expect(frames.length).toBeLessThan(storm.length / 10);
    const late = await TestSocket.open(waddle.url, await login(waddle.url, 'storm-late'));
    sockets.push(late);
    const snapshot = await late.request<Of<'waddle.joined'>>({ type: 'waddle.join', waddleId: 'hq' });
    expect(snapshot.online).toHaveLength(ONLINE_SNAPSHOT_LIMIT);
    expect(snapshot.online[0]).toBe('storm-late'); // the latest first
    expect(snapshot.onlineCount).toBeGreaterThan(ONLINE_SNAPSHOT_LIMIT + 20);
  });

  it('lists waddles and lets a connection leave one', async () => {
    const s = await user('leaver');
    const list = await s.request<Of<'waddle.list'>>({ type: 'waddle.list' });
    expect(list.waddles.map((w) => w.id)).toEqual(['hq', 'sandbox']);
    expect((await s.request({ type: 'waddle.leave', waddleId: 'hq' })).type).toBe('waddle.left');
    const refused = await s.request<Of<'error'>>({ type: 'chat.send', channelId: 'hq-general', text: 'still here?' });
    expect(refused.code).toBe('not_member');
  });
});
