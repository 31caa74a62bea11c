// History paging over the WebSocket: channel.open answers with the latest page, channel.history
// with the page before a message, to the first kept message; bad requests get clear errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerFrame } from './protocol.ts';
import { startReferenceWaddle, type ReferenceWaddle } from './server.ts';
import { login, TestSocket } from './test-client.ts';

type Of<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;
let waddle: ReferenceWaddle;
const sockets: TestSocket[] = [];
const sent: string[] = [];

async function member(name: string): Promise<TestSocket> {
  const socket = await TestSocket.open(waddle.url, await login(waddle.url, name));
  sockets.push(socket);
  await socket.request({ type: 'waddle.join', waddleId: 'hq' });
  return socket;
}

beforeAll(async () => {
  waddle = await startReferenceWaddle({ port: 0, historyLimit: 100, historyPageSize: 30, chatRatePerSec: 10_000, chatBurst: 10_000 });
  const writer = await member('writer');
  for (let n = 0; n < 130; n++) sent.push((await writer.request<Of<'chat.ack'>>({ type: 'chat.send', channelId: 'hq-random', text: `message ${n}` })).id);
});
afterAll(async () => {
  await Promise.all(sockets.map((s) => s.close()));
  await waddle.stop();
});

describe('history pages', () => {
  it('opens with the latest page (historyPageSize), then pages back to the first kept message', async () => {
    const reader = await member('reader');
    const opened = await reader.request<Of<'channel.history'>>({ type: 'channel.open', channelId: 'hq-random' });
    expect(opened.messages.map((m) => m.id)).toEqual(sent.slice(-30));
    expect(opened).toMatchObject({ channelId: 'hq-random', hasMore: true, total: 100 });
    const seen = opened.messages.map((m) => m.id);
    let page: Of<'channel.history'> = opened;
    let pages = 0;
    while (page.hasMore) {
      page = await reader.request<Of<'channel.history'>>({ type: 'channel.history', channelId: 'hq-random', before: page.messages[0]!.id });
      seen.unshift(...page.messages.map((m) => m.id));
      pages += 1;
    }
    expect(pages).toBe(3); // 30 + 30 + 30 + 10
    expect(seen).toEqual(sent.slice(-100)); // every kept message once, in order; the 30 oldest were evicted
  });

  it('honours a limit on open and on older pages', async () => {
    const reader = await member('limits');
    const opened = await reader.request<Of<'channel.history'>>({ type: 'channel.open', channelId: 'hq-random', limit: 5 });
    expect(opened.messages.map((m) => m.id)).toEqual(sent.slice(-5));
    const older = await reader.request<Of<'channel.history'>>({ type: 'channel.history', channelId: 'hq-random', before: sent[125]!, limit: 500 });
    expect(older.messages.map((m) => m.id)).toEqual(sent.slice(30, 125));
    expect(older.hasMore).toBe(false);
  });

  it('refuses a page before an evicted or unknown message, a bad limit, and channels of waddles not joined', async () => {
    const reader = await member('mistakes');
    expect(await reader.request({ type: 'channel.history', channelId: 'hq-random', before: sent[0]! })).toMatchObject({ type: 'error', code: 'not_found', message: expect.stringContaining('older than the last 100') });
    for (const limit of [0, 501, 2.5, '10']) {
      expect(await reader.request({ type: 'channel.history', channelId: 'hq-random', before: sent[120]!, limit } as never)).toMatchObject({ type: 'error', code: 'bad_frame', message: expect.stringContaining('"limit" must be an integer from 1 to 500') });
    }
    expect(await reader.request({ type: 'channel.open', channelId: 'hq-random', limit: -1 })).toMatchObject({ type: 'error', code: 'bad_frame' });
    expect(await reader.request({ type: 'channel.history', channelId: 'hq-random' } as never)).toMatchObject({ type: 'error', code: 'bad_frame', message: expect.stringContaining('"before"') });
    expect(await reader.request({ type: 'channel.history', channelId: 'sandbox-chat', before: 'm1' })).toMatchObject({ type: 'error', code: 'not_member' });
    expect((await reader.request({ type: 'ping' })).type).toBe('pong'); // still usable
  });
});
