// Bad input and load limits: each gets a clear error frame, the connection stays usable and
// nothing stored is lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerFrame } from './protocol.ts';
import { startReferenceWaddle, type ReferenceWaddle } from './server.ts';
import { login, TestSocket } from './test-client.ts';

type Of<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;
let waddle: ReferenceWaddle;
let s: TestSocket;

beforeAll(async () => {
  waddle = await startReferenceWaddle({ port: 0, chatRatePerSec: 2, chatBurst: 3 });
  s = await TestSocket.open(waddle.url, await login(waddle.url, 'mallory'));
  await s.request({ type: 'waddle.join', waddleId: 'hq' });
  await s.request({ type: 'channel.open', channelId: 'hq-general' });
});
afterAll(async () => {
  await s.close();
  await waddle.stop();
});

async function stillUsable(): Promise<void> {
  expect((await s.request({ type: 'ping' })).type).toBe('pong');
}

describe('bad input', () => {
  it('answers malformed JSON with bad_json and keeps the connection', async () => {
    s.sendRaw('{"type": "ping"');
    expect(await s.next((f) => f.type === 'error')).toMatchObject({ code: 'bad_json' });
    s.sendRaw('[1,2]');
    expect(await s.next((f) => f.type === 'error')).toMatchObject({ code: 'bad_frame' });
    await stillUsable();
  });

  it('answers unknown types and missing fields, echoing the ref', async () => {
    s.sendRaw(JSON.stringify({ type: 'chat.shout', ref: 'x1' }));
    expect(await s.next((f) => f.type === 'error')).toMatchObject({ code: 'unknown_type', ref: 'x1' });
    s.sendRaw(JSON.stringify({ type: 'chat.send', channelId: 'hq-general', ref: 'x2' }));
    const missing = await s.next<Of<'error'>>((f) => f.type === 'error');
    expect(missing).toMatchObject({ code: 'bad_frame', ref: 'x2' });
    expect(missing.message).toMatch(/"text" must be a string/);
    await stillUsable();
  });

  it('refuses messages over 4 KiB and frames over 64 KiB', async () => {
    const tooLong = await s.request<Of<'error'>>({ type: 'chat.send', channelId: 'hq-general', text: 'é'.repeat(2049) });
    expect(tooLong.code).toBe('too_large');
    expect(tooLong.message).toMatch(/4098 bytes is over the 4096-byte limit/);
    s.sendRaw(JSON.stringify({ type: 'ping', pad: 'x'.repeat(70 * 1024) }));
    expect(await s.next((f) => f.type === 'error')).toMatchObject({ code: 'too_large' });
    await stillUsable();
  });

  it('refuses messages to channels the connection has not joined, or that do not exist', async () => {
    expect(await s.request({ type: 'chat.send', channelId: 'sandbox-chat', text: 'hi' })).toMatchObject({ code: 'not_member' });
    expect(await s.request({ type: 'chat.send', channelId: 'nowhere', text: 'hi' })).toMatchObject({ code: 'not_found' });
    expect(await s.request({ type: 'voice.join', channelId: 'sandbox-voice-1' })).toMatchObject({ code: 'not_member' });
  });

  it('rate-limits chat per connection with an explicit error, and loses nothing accepted', async () => {
    const answers = await Promise.all([1, 2, 3, 4, 5].map((i) => s.request({ type: 'chat.send', channelId: 'hq-general', text: `burst ${i}` })));
    const acked = answers.filter((a): a is Of<'chat.ack'> => a.type === 'chat.ack');
    const limited = answers.filter((a) => a.type === 'error');
    expect(acked.length).toBeGreaterThanOrEqual(2);
    expect(limited.length).toBeGreaterThanOrEqual(1);
    expect(limited[0]).toMatchObject({ code: 'rate_limited' });
    const history = await s.request<Of<'channel.history'>>({ type: 'channel.open', channelId: 'hq-general' });
    for (const a of acked) expect(history.messages.map((m) => m.id)).toContain(a.id);
    await new Promise((r) => setTimeout(r, 600)); // refill at 2/s
    expect((await s.request({ type: 'chat.send', channelId: 'hq-general', text: 'after the pause' })).type).toBe('chat.ack');
  });
});
