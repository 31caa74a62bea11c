// The sfu.* frames over a real WebSocket against a real Janus, without a browser: what the server
// refuses and how it says so (who may publish or subscribe, a bad SDP Janus rejects), and that the
// connection stays usable after each refusal. Browser media through Janus: test/reference-waddle-sfu.e2e.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerFrame } from '../protocol.ts';
import { startReferenceWaddle, type ReferenceWaddle } from '../server.ts';
import { login, TestSocket } from '../test-client.ts';
import { findJanus } from './janus-process.ts';

type Of<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;
const janusInstalled = !('problem' in findJanus());
let sfu: ReferenceWaddle;
let mesh: ReferenceWaddle;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  mesh = await startReferenceWaddle({ port: 0 });
  if (janusInstalled) sfu = await startReferenceWaddle({ port: 0, media: 'sfu' });
}, 30_000);
afterAll(async () => {
  await Promise.all(sockets.map((s) => s.close()));
  await mesh?.stop();
  await sfu?.stop();
});

async function member(waddle: ReferenceWaddle, name: string): Promise<TestSocket> {
  const s = await TestSocket.open(waddle.url, await login(waddle.url, name));
  sockets.push(s);
  await s.request({ type: 'waddle.join', waddleId: 'hq' });
  return s;
}

async function sfuGauge(name: string): Promise<number> {
  const text = await (await fetch(`${sfu.url}/metrics`)).text();
  return Number(new RegExp(`^waddle_sfu_${name} (\\S+)$`, 'm').exec(text)?.[1]);
}

describe('sfu.* frames', () => {
  it('are refused by a mesh server, which says how its calls work', async () => {
    const a = await member(mesh, 'ma');
    expect(await a.request<Of<'voice.joined'>>({ type: 'voice.join', channelId: 'hq-voice-1' })).toMatchObject({ media: 'mesh' });
    expect(await a.request({ type: 'sfu.publish', sdp: 'v=0' })).toMatchObject({ type: 'error', code: 'bad_frame', message: expect.stringContaining('peer to peer (media: mesh); use rtc.signal') });
  });

  it.runIf(janusInstalled)('are answered by the SFU server only for members of a call, with Janus\'s own reason on a bad SDP', async () => {
    const a = await member(sfu, 'sa');
    const b = await member(sfu, 'sb');
    expect(await a.request({ type: 'sfu.publish', sdp: 'v=0' })).toMatchObject({ code: 'not_in_voice', message: expect.stringContaining('join a voice channel first') });
    const ja = await a.request<Of<'voice.joined'>>({ type: 'voice.join', channelId: 'hq-voice-1' });
    expect(ja).toMatchObject({ media: 'sfu', participants: [{ username: 'sa' }] });
    // a description Janus cannot parse: its reason comes back, nothing stays published
    const refused = await a.request({ type: 'sfu.publish', sdp: 'not an sdp' });
    expect(refused).toMatchObject({ type: 'error', code: 'sfu_failed', message: expect.stringMatching(/media server refused or failed: .*error/) });
    expect(await sfuGauge('publishers')).toBe(0);
    expect(await sfuGauge('rooms')).toBe(1); // the voice channel's room was made on the way
    // nobody publishes yet: nothing to subscribe to, nothing to start
    await b.request({ type: 'voice.join', channelId: 'hq-voice-1' });
    expect(await b.request({ type: 'sfu.subscribe', peerId: ja.peerId })).toMatchObject({ code: 'not_in_voice', message: expect.stringContaining('wait for published: true') });
    expect(await b.request({ type: 'sfu.start', peerId: ja.peerId, sdp: 'v=0' })).toMatchObject({ code: 'not_in_voice', message: expect.stringContaining('send sfu.subscribe first') });
    expect(await b.request({ type: 'sfu.subscribe' } as never)).toMatchObject({ code: 'bad_frame' });
    // every refusal left the connection usable
    expect((await a.request({ type: 'ping' })).type).toBe('pong');
    expect(await sfuGauge('errors_total')).toBeGreaterThanOrEqual(1);
  });
});
