// protocolMedia clients against the real reference Waddle in this process, real werift on loopback:
// what the journeys cannot see — flags start and stop the RTP, a plain protocol user in the room is
// not mistaken for media, and no pacing or sampling timer outlives the users.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startReferenceWaddle, type ReferenceWaddle } from '../../reference-waddle/index.ts';
import { ProtocolWaddleClient } from '../protocol/protocol-waddle-client.ts';
import { pacedStreams } from './pacer.ts';
import { ProtocolMediaWaddleClient } from './protocol-media-client.ts';

let waddle: ReferenceWaddle;
const open: { close(): Promise<void> }[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** webrtc.* as recorded, summed per "metric kind/direction" */
function sink() {
  const sums = new Map<string, number>();
  return { sums, record: (metric: string, value: number, tags?: Readonly<Record<string, string>>) => void sums.set(`${metric} ${tags?.kind}/${tags?.direction}`, (sums.get(`${metric} ${tags?.kind}/${tags?.direction}`) ?? 0) + value) };
}

async function mediaUser(name: string, metrics = sink()) {
  const c = new ProtocolMediaWaddleClient({ baseUrl: waddle.url, username: name, metrics, tags: { driver: 'protocolMedia' }, media: { camera: { width: 160, height: 120, fps: 10 } }, actionTimeoutMs: 20_000 });
  open.push(c);
  await c.connect();
  await c.joinWaddle();
  return { c, metrics };
}

beforeEach(async () => {
  waddle = await startReferenceWaddle({ port: 0 });
});
afterEach(async () => {
  for (const c of open.splice(0)) await c.close().catch(() => {});
  await waddle.stop();
});

describe('ProtocolMediaWaddleClient', () => {
  it('sends audio from the join, video only while the camera is on, no audio while muted; nothing paced after close', async () => {
    const a = await mediaUser('alice');
    const b = await mediaUser('bob');
    await a.c.joinVoice();
    await b.c.joinVoice();
    expect(await a.c.waitForRemoteMedia('audio', 15_000)).toBeGreaterThanOrEqual(0);
    await expect(a.c.waitForRemoteMedia('video', 1500)).rejects.toThrow(/timed out .*RTP video frames received from a remote participant .*bob: connection connected, video 0 packets/);
    await b.c.enableVideo();
    await a.c.waitForRemoteMedia('video', 15_000);
    await b.c.setMuted(true);
    await b.c.disableVideo();
    await sleep(2500); // a meter sample (every 2 s) after the mute
    const sentAtMute = b.metrics.sums.get('webrtc.packets audio/outbound') ?? 0;
    expect(sentAtMute).toBeGreaterThan(0);
    await sleep(2500); // another sample: nothing more sent
    expect(b.metrics.sums.get('webrtc.packets audio/outbound')).toBe(sentAtMute);
    await a.c.close();
    await b.c.close();
    expect(pacedStreams()).toBe(0);
    await sleep(100); // UDP sockets close on the next turn of the loop
    expect(process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap' || r === 'Timeout'), 'sockets or timers left by the users').toEqual([]);
    const received = a.metrics.sums;
    expect(received.get('webrtc.frames video/inbound')).toBeGreaterThan(0);
    // nobody shared a screen: those streams ended idle, counted as the probe counts them (one per
    // connection: 2 when a starved run failed a connection and called again)
    expect(received.get('webrtc.idle_streams screen/inbound')).toBeGreaterThanOrEqual(1);
    expect(received.get('webrtc.idle_streams video/inbound')).toBeUndefined();
    // what alice received is what bob sent, within the packets in flight at close
    expect(Math.abs((received.get('webrtc.packets audio/inbound') ?? 0) - (b.metrics.sums.get('webrtc.packets audio/outbound') ?? 0))).toBeLessThanOrEqual(5);
  }, 60_000);

  it('a plain protocol user in the same room is skipped, not answered, and fails nothing', async () => {
    const plain = new ProtocolWaddleClient({ baseUrl: waddle.url, username: 'plain' });
    open.push(plain);
    await plain.connect();
    await plain.joinWaddle();
    await plain.joinVoice();
    const m = await mediaUser('media');
    await m.c.joinVoice(); // offers a real SDP to the plain user, which skips it
    await sleep(500);
    expect(plain.signallingStats.realOffersSkipped).toBe(1);
    await expect(m.c.waitForRemoteMedia('audio', 1000)).rejects.toThrow(/plain: connection (new|connecting|checking)/);
  }, 30_000);
});
