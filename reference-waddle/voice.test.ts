// Voice rooms over the WebSocket: membership pushed to members, state changes, WebRTC
// signalling relayed only inside a room, the mesh limit, leave on disconnect.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerFrame } from './protocol.ts';
import { startReferenceWaddle, type ReferenceWaddle } from './server.ts';
import { login, TestSocket } from './test-client.ts';

type Of<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;
let waddle: ReferenceWaddle;
const sockets: TestSocket[] = [];
beforeAll(async () => {
  waddle = await startReferenceWaddle({ port: 0, maxVoiceParticipants: 2, voiceChannels: 2 });
});
afterAll(async () => {
  await Promise.all(sockets.map((s) => s.close()));
  await waddle.stop();
});

async function member(name: string): Promise<TestSocket> {
  const s = await TestSocket.open(waddle.url, await login(waddle.url, name));
  sockets.push(s);
  await s.request({ type: 'waddle.join', waddleId: 'hq' });
  return s;
}

describe('voice', () => {
  it('joins, pushes membership and state, relays signalling inside the room only, enforces the mesh limit', async () => {
    const a = await member('va');
    const b = await member('vb');
    const c = await member('vc');
    const ja = await a.request<Of<'voice.joined'>>({ type: 'voice.join', channelId: 'hq-voice-1' });
    expect(ja.participants.map((p) => p.username)).toEqual(['va']);
    const jb = await b.request<Of<'voice.joined'>>({ type: 'voice.join', channelId: 'hq-voice-1' });
    expect(jb.participants.map((p) => p.username)).toEqual(['va', 'vb']);
    const pushed = await a.next<Of<'voice.members'>>((f) => f.type === 'voice.members');
    expect(pushed.participants.map((p) => p.peerId)).toEqual([ja.peerId, jb.peerId]);

    expect(await c.request({ type: 'voice.join', channelId: 'hq-voice-1' })).toMatchObject({ type: 'error', code: 'room_full' });

    b.sendRaw(JSON.stringify({ type: 'rtc.signal', to: ja.peerId, data: { sdp: { type: 'offer', sdp: 'v=0...' } } }));
    const relayed = await a.next<Of<'rtc.signal'>>((f) => f.type === 'rtc.signal');
    expect(relayed).toMatchObject({ from: jb.peerId, fromUser: 'vb', data: { sdp: { type: 'offer', sdp: 'v=0...' } } });
    const jc = await c.request<Of<'voice.joined'>>({ type: 'voice.join', channelId: 'hq-voice-2' });
    expect(await c.request({ type: 'rtc.signal', to: ja.peerId, data: {} })).toMatchObject({ code: 'not_in_voice' });
    expect(await a.request({ type: 'rtc.signal', to: jc.peerId, data: {} })).toMatchObject({ code: 'not_in_voice' });

    a.sendRaw(JSON.stringify({ type: 'voice.state', camera: true, screen: true }));
    const state = await b.next<Of<'voice.members'>>((f) => f.type === 'voice.members' && f.participants.some((p) => p.camera));
    expect(state.participants.find((p) => p.peerId === ja.peerId)).toMatchObject({ camera: true, screen: true, muted: false });
    expect(await a.request({ type: 'voice.state', muted: 'yes' } as never)).toMatchObject({ code: 'bad_frame' });

    const metrics = await (await fetch(`${waddle.url}/metrics`)).text();
    expect(metrics).toMatch(/^waddle_voice_participants 3$/m);
    expect(metrics).toMatch(/^waddle_voice_rooms 2$/m);

    await b.close();
    const after = await a.next<Of<'voice.members'>>((f) => f.type === 'voice.members' && f.participants.length === 1);
    expect(after.participants[0]?.peerId).toBe(ja.peerId);
    expect((await a.request({ type: 'voice.leave' })).type).toBe('voice.left');
    expect(await a.request({ type: 'voice.leave' })).toMatchObject({ code: 'not_in_voice' });
  });
});
