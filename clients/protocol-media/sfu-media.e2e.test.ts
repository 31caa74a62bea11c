// protocolMedia users through the reference Waddle's media server (Janus, SFU mode), real werift
// on loopback: they publish and subscribe with the web client's sfu.* frames, receive each other's
// audio, camera and screen through Janus (never peer to peer), each receives what Janus says it
// forwarded to it, and they leave nothing running.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findJanus } from '../../reference-waddle/sfu/janus-process.ts';
import { startReferenceWaddle, type ReferenceWaddle } from '../../reference-waddle/index.ts';
import { encodedAudio, OPUS_FRAME_MS } from '../../fake-media/encoded-media.ts';
import type { ServerFrame } from '../../reference-waddle/protocol.ts';
import { ProtocolWaddleClient } from '../protocol/protocol-waddle-client.ts';
import { MediaCall } from './media-call.ts';
import { MediaMeter } from './meter.ts';
import { pacedStreams } from './pacer.ts';
import { ProtocolMediaWaddleClient } from './protocol-media-client.ts';
import { audioPayloads, VIDEO_CLOCK_HZ, type PayloadTrack } from './rtp-payloads.ts';

const janusInstalled = !('problem' in findJanus());
let waddle: ReferenceWaddle;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function sink() {
  const sums = new Map<string, number>();
  const key = (metric: string, tags?: Readonly<Record<string, string>>) => `${metric} ${tags?.kind}/${tags?.direction}`;
  return { sums, record: (metric: string, value: number, tags?: Readonly<Record<string, string>>) => void sums.set(key(metric, tags), (sums.get(key(metric, tags)) ?? 0) + value) };
}

async function mediaUser(name: string) {
  const metrics = sink();
  const c = new ProtocolMediaWaddleClient({ baseUrl: waddle.url, username: name, metrics, tags: { driver: 'protocolMedia' }, media: { camera: { width: 160, height: 120, fps: 10 } }, actionTimeoutMs: 20_000 });
  await c.connect();
  await c.joinWaddle();
  return { c, metrics };
}

beforeAll(async () => {
  if (janusInstalled) waddle = await startReferenceWaddle({ port: 0, media: 'sfu' });
}, 60_000);
afterAll(async () => {
  await waddle?.stop();
});

describe.skipIf(!janusInstalled)('protocolMedia through the SFU', () => {
  it('publishes to Janus, subscribes to the other through sfu.* frames and receives its audio, camera and screen', async () => {
    const a = await mediaUser('alice');
    const b = await mediaUser('bob');
    try {
      await a.c.joinVoice();
      await b.c.joinVoice();
      await a.c.enableVideo();
      await b.c.enableVideo();
      expect(await a.c.waitForRemoteMedia('audio', 20_000)).toBeGreaterThanOrEqual(0);
      await a.c.waitForRemoteMedia('video', 20_000);
      await b.c.waitForRemoteMedia('video', 20_000);
      await expect(a.c.waitForRemoteMedia('screen', 500)).rejects.toThrow(/via the SFU, publisher connected/);
      // the screen is the publisher's third stream: Janus names it (feed mid 2), no renegotiation
      await b.c.startScreenShare();
      await a.c.waitForRemoteMedia('screen', 20_000);
      await b.c.stopScreenShare();
      const text = await (await fetch(`${waddle.url}/metrics`)).text();
      const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1]);
      expect(gauge('waddle_sfu_publishers')).toBe(2);
      expect(gauge('waddle_sfu_subscribers')).toBe(2);
      await sleep(2500);
      // leave first, as the journeys do: the server reads Janus's counters before the users stop
      // receiving (a bare close stops them first, and what Janus sends meanwhile is counted, not received)
      await a.c.leaveVoice();
      await b.c.leaveVoice();
    } finally {
      await a.c.close();
      await b.c.close();
    }
    expect(pacedStreams()).toBe(0);
    expect(a.metrics.sums.get('webrtc.frames video/inbound')).toBeGreaterThan(0);
    expect(a.metrics.sums.get('webrtc.packets audio/inbound')).toBeGreaterThan(0);
    expect(b.metrics.sums.get('webrtc.packets video/outbound')).toBeGreaterThan(0);
    // what each received is what Janus says it forwarded to them (its admin API counters, read as
    // their subscriptions ended); the gap is what Janus sent between its reading and the detach
    await expect.poll(() => waddle.sfuForwardedTo?.get('bob') ?? 0, { timeout: 5000 }).toBeGreaterThan(0);
    for (const user of [a, b]) {
      const received = ['audio', 'video', 'screen'].reduce((sum, kind) => sum + (user.metrics.sums.get(`webrtc.packets ${kind}/inbound`) ?? 0), 0);
      const forwarded = waddle.sfuForwardedTo?.get(user.c.username) ?? 0;
      expect(received, `${user.c.username} received ${received}, Janus forwarded ${forwarded}`).toBeGreaterThan(100);
      expect(Math.abs(received - forwarded), `${user.c.username} received ${received}, Janus forwarded ${forwarded}`).toBeLessThanOrEqual(Math.max(5, forwarded * 0.01));
    }
  }, 90_000);
});

describe.skipIf(!janusInstalled)('protocolMedia through the SFU, a connection failing', () => {
  it('a failed receiving connection (fault: the first sfu.offer\'s fingerprint corrupted) is counted and subscribed again, and then media flows', async () => {
    const b = await mediaUser('carol');
    const audio = audioPayloads(await encodedAudio(), OPUS_FRAME_MS);
    const none: PayloadTrack = { kind: 'video', frames: [[]], timestampStep: VIDEO_CLOCK_HZ, frameMs: 1000, markLast: false };
    let failures = 0;
    let offers = 0;
    const meter = new MediaMeter({ record: (metric) => void (metric === 'webrtc.connection_failures' && (failures += 1)) }, { driver: 'protocolMedia' });
    let call: MediaCall | undefined;
    const a = new ProtocolWaddleClient({
      baseUrl: waddle.url,
      username: 'dave',
      actionTimeoutMs: 20_000,
      call: (send, request) =>
        (call = new MediaCall(send, { audio, video: none, screen: none }, meter, async (frame, what) => {
          const answer: ServerFrame = await request(frame, what);
          // the fault: Janus's certificate no longer matches its first offer, so DTLS fails at our end
          if (answer.type !== 'sfu.offer' || offers++ > 0) return answer;
          return { ...answer, sdp: answer.sdp.replace(/a=fingerprint:(\S+) ([0-9A-F:]+)/gi, (_m, alg: string, fp: string) => `a=fingerprint:${alg} ${fp.replace(/[0-9A-F]/gi, '0')}`) };
        })),
    });
    try {
      await b.c.joinVoice();
      await a.connect();
      await a.joinWaddle();
      await a.joinVoice();
      await a.waitForRemoteMedia('audio', 30_000);
      expect(offers).toBe(2); // the first subscription and the one after the failure
      expect(failures).toBe(1);
      expect(call?.describe('audio')).toMatch(/subscribed again after a failed connection \(1 of 2\)/);
    } finally {
      await a.close();
      await b.c.close();
      meter.close();
    }
    expect(pacedStreams()).toBe(0);
  }, 60_000);
});
