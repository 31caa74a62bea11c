// Two MediaCalls on real werift, their signalling wired directly (no server), with a fault
// injected: the first answer's DTLS fingerprint is corrupted, so the offerer's connection fails.
// It must be counted and called again, and media must then flow.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodedAudio, OPUS_FRAME_MS } from '../../fake-media/encoded-media.ts';
import { MediaCall } from './media-call.ts';
import { MediaMeter } from './meter.ts';
import { pacedStreams } from './pacer.ts';
import { audioPayloads, VIDEO_CLOCK_HZ, type PayloadTrack } from './rtp-payloads.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'waddle-fleet-media-call-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const participant = (peerId: string) => ({ peerId, username: peerId, muted: false, camera: false, screen: false });

// answer corrupted: the offerer fails and calls again at once; offer corrupted: the answerer (the
// DTLS client) fails and calls again after its pause, the offerer seeing no failure of its own
it.each(['answer', 'offer'])('a failed connection (corrupted %s) is counted and called again, and then media flows', async (corrupt) => {
  const audio = audioPayloads(await encodedAudio(dir), OPUS_FRAME_MS);
  const none: PayloadTrack = { kind: 'video', frames: [[]], timestampStep: VIDEO_CLOCK_HZ, frameMs: 1000, markLast: false };
  const failures: Record<string, number> = { a: 0, b: 0 };
  const sink = (id: string) => ({ record: (metric: string) => void (metric === 'webrtc.connection_failures' && (failures[id]! += 1)) });
  let answers = 0;
  let offers = 0;
  const calls: Record<string, MediaCall> = {};
  const wire = (from: string) => (to: string, data: unknown) => {
    let d = data as { sdp?: { type: string; sdp: string } };
    const first = d.sdp?.type === 'answer' ? answers++ === 0 : d.sdp?.type === 'offer' ? offers++ === 0 : false;
    if (first && d.sdp?.type === corrupt) {
      // the first description's certificate fingerprints (every algorithm) no longer match: DTLS fails at its receiver
      d = { sdp: { ...d.sdp, sdp: d.sdp.sdp.replace(/a=fingerprint:(\S+) ([0-9A-F:]+)/gi, (_m, alg: string, fp: string) => `a=fingerprint:${alg} ${fp.replace(/[0-9A-F]/gi, '0')}`) } };
    }
    setImmediate(() => calls[to]!.signal(from, from, d));
  };
  for (const id of ['a', 'b']) calls[id] = new MediaCall(wire(id), { audio, video: none, screen: none }, new MediaMeter(sink(id), { driver: 'protocolMedia' }));
  calls.b!.joined('room', 'b', [participant('b')]);
  calls.a!.joined('room', 'a', [participant('b'), participant('a')]); // a is the newcomer: it offers
  try {
    const waited = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no audio after 20 s: ${calls.a!.describe('audio')}`)), 20_000);
      calls.a!.whenMedia('audio', (ms) => (clearTimeout(timer), resolve(ms)));
    });
    expect(waited).toBeGreaterThan(0);
    expect(offers + answers).toBe(4); // the first exchange and the one after calling again
    const caller = corrupt === 'answer' ? 'a' : 'b';
    expect(failures[caller]).toBe(1); // counted where it failed (webrtc.connection_failures)
    expect(calls[caller]!.describe('audio')).toMatch(/called again after a failed connection \(1 of 2\)/);
  } finally {
    calls.a!.left();
    calls.b!.left();
  }
  expect(pacedStreams()).toBe(0);
}, 40_000);
