// protocolMedia users through the reference Waddle's media server (Janus, SFU mode), real werift
// on loopback: they publish and subscribe with the web client's sfu.* frames, receive each other's
// audio and camera through Janus (never peer to peer), and leave nothing running.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findJanus } from '../../reference-waddle/sfu/janus-process.ts';
import { startReferenceWaddle, type ReferenceWaddle } from '../../reference-waddle/index.ts';
import { pacedStreams } from './pacer.ts';
import { ProtocolMediaWaddleClient } from './protocol-media-client.ts';

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
  it('publishes to Janus, subscribes to the other through sfu.* frames and receives its audio and camera', async () => {
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
      const text = await (await fetch(`${waddle.url}/metrics`)).text();
      const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1]);
      expect(gauge('waddle_sfu_publishers')).toBe(2);
      expect(gauge('waddle_sfu_subscribers')).toBe(2);
      await sleep(2500);
    } finally {
      await a.c.close();
      await b.c.close();
    }
    expect(pacedStreams()).toBe(0);
    expect(a.metrics.sums.get('webrtc.frames video/inbound')).toBeGreaterThan(0);
    expect(a.metrics.sums.get('webrtc.packets audio/inbound')).toBeGreaterThan(0);
    expect(b.metrics.sums.get('webrtc.packets video/outbound')).toBeGreaterThan(0);
    // what each received is what Janus says it forwarded to them (its admin API counters, read as
    // their subscriptions ended); the gap is the packets in flight at close (a few ms of 2 streams)
    await expect.poll(() => waddle.sfuForwardedTo?.get('bob') ?? 0, { timeout: 5000 }).toBeGreaterThan(0);
    for (const user of [a, b]) {
      const received = ['audio', 'video', 'screen'].reduce((sum, kind) => sum + (user.metrics.sums.get(`webrtc.packets ${kind}/inbound`) ?? 0), 0);
      const forwarded = waddle.sfuForwardedTo?.get(user.c.username) ?? 0;
      expect(received, `${user.c.username} received ${received}, Janus forwarded ${forwarded}`).toBeGreaterThan(100);
      expect(Math.abs(received - forwarded), `${user.c.username} received ${received}, Janus forwarded ${forwarded}`).toBeLessThanOrEqual(Math.max(5, forwarded * 0.01));
    }
  }, 90_000);
});
