// Reaction names are data: names that are also Object.prototype members (`__proto__`,
// `constructor`, `toString`) must round-trip like any emoji, through real WebSocket clients,
// in live updates and in the history a newcomer gets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerFrame } from './protocol.ts';
import { startReferenceWaddle, type ReferenceWaddle } from './server.ts';
import { login, TestSocket } from './test-client.ts';

type Of<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;
let waddle: ReferenceWaddle;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  waddle = await startReferenceWaddle({ port: 0 });
});
afterAll(async () => {
  await Promise.all(sockets.map((s) => s.close()));
  await waddle.stop();
});

async function user(name: string): Promise<TestSocket> {
  const socket = await TestSocket.open(waddle.url, await login(waddle.url, name));
  sockets.push(socket);
  await socket.request({ type: 'waddle.join', waddleId: 'hq' });
  await socket.request({ type: 'channel.open', channelId: 'hq-general' });
  return socket;
}

/** Own entries only, in order: a prototype member never shows up as a reaction. */
const entriesOf = (reactions: Readonly<Record<string, readonly string[]>>): [string, readonly string[]][] => Object.entries(reactions);

describe.each([
  ['__proto__', 'proto'],
  ['constructor', 'ctor'],
  ['toString', 'tostr'],
])('a reaction named %s', (name, tag) => {
  it('is added, pushed, kept in history and removed like any other', async () => {
    const [a, b, c] = [`${tag}-a`, `${tag}-b`, `${tag}-c`];
    const alice = await user(a);
    const bob = await user(b);
    const { id } = await alice.request<Of<'chat.ack'>>({ type: 'chat.send', channelId: 'hq-general', text: `react ${name}` });

    const added = await bob.request<Of<'reaction.update'>>({ type: 'reaction.add', channelId: 'hq-general', messageId: id, emoji: name });
    expect(added).toMatchObject({ type: 'reaction.update', messageId: id });
    expect(entriesOf(added.reactions)).toEqual([[name, [b]]]);
    const pushed = await alice.next<Of<'reaction.update'>>((f) => f.type === 'reaction.update' && f.messageId === id);
    expect(entriesOf(pushed.reactions)).toEqual([[name, [b]]]);

    // a second user and a second emoji: the name's list grows, the other reaction stands apart
    const both = await alice.request<Of<'reaction.update'>>({ type: 'reaction.add', channelId: 'hq-general', messageId: id, emoji: name });
    expect(entriesOf(both.reactions)).toEqual([[name, [b, a]]]);
    const withThumb = await alice.request<Of<'reaction.update'>>({ type: 'reaction.add', channelId: 'hq-general', messageId: id, emoji: '👍' });
    expect(entriesOf(withThumb.reactions)).toEqual([[name, [b, a]], ['👍', [a]]]);

    // a newcomer's history carries it too
    const carol = await user(c);
    const history = await carol.request<Of<'channel.history'>>({ type: 'channel.open', channelId: 'hq-general' });
    const stored = history.messages.find((m) => m.id === id);
    expect(stored && entriesOf(stored.reactions)).toEqual([[name, [b, a]], ['👍', [a]]]);

    await bob.request({ type: 'reaction.remove', channelId: 'hq-general', messageId: id, emoji: name });
    const removed = await alice.request<Of<'reaction.update'>>({ type: 'reaction.remove', channelId: 'hq-general', messageId: id, emoji: name });
    expect(entriesOf(removed.reactions)).toEqual([['👍', [a]]]);
    // a message nobody reacted to with that name reads as empty, not as a prototype member
    const { id: plain } = await alice.request<Of<'chat.ack'>>({ type: 'chat.send', channelId: 'hq-general', text: 'plain' });
    const none = await bob.request<Of<'reaction.update'>>({ type: 'reaction.remove', channelId: 'hq-general', messageId: plain, emoji: name });
    expect(entriesOf(none.reactions)).toEqual([]);
    expect((await bob.request({ type: 'ping' })).type).toBe('pong');
  });
});
