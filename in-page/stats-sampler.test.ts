import { describe, expect, it } from 'vitest';
import { endedIdleStreams, sampleStreams, slidesMids, type Stat } from './stats-sampler.ts';

const map = (...stats: Stat[]) => new Map(stats.map((s) => [s.id, s]));
const ctx = { connectionId: 'pc1', screenTrackIds: new Set(['screen-track']), screenMids: new Set<string>() };

describe('sampleStreams', () => {
  it('computes inbound video deltas over the interval', () => {
    const prev = map({ id: 'in1', type: 'inbound-rtp', timestamp: 1000, kind: 'video', ssrc: 7, bytesReceived: 0, packetsReceived: 100, packetsLost: 0, framesDecoded: 10, freezeCount: 0, totalFreezesDuration: 0, jitterBufferDelay: 1, jitterBufferEmittedCount: 10 });
    const cur = map(
      { id: 'in1', type: 'inbound-rtp', timestamp: 3000, kind: 'video', ssrc: 7, bytesReceived: 250_000, packetsReceived: 290, packetsLost: 10, framesDecoded: 40, frameHeight: 360, jitter: 0.004, freezeCount: 1, totalFreezesDuration: 0.5, jitterBufferDelay: 3, jitterBufferEmittedCount: 50 },
      { id: 'T', type: 'transport', timestamp: 3000, selectedCandidatePairId: 'CP' },
      { id: 'CP', type: 'candidate-pair', timestamp: 3000, currentRoundTripTime: 0.002 },
    );
    const [s] = sampleStreams(prev, cur, ctx);
    expect(s).toMatchObject({ kind: 'video', direction: 'inbound', ssrc: 7, intervalMs: 2000, bitrateKbps: 1000, packetsLostPct: 5, packets: 190, bytes: 250_000, frames: 30, fps: 15, frameHeightPx: 360, jitterMs: 4, rttMs: 2, freezeCountDelta: 1, freezeMsDelta: 500, jitterBufferMs: 50 });
  });
  it('marks outbound screen tracks and takes RTT and loss from remote-inbound-rtp', () => {
    const prev = map(
      { id: 'out', type: 'outbound-rtp', timestamp: 0, kind: 'video', bytesSent: 0, packetsSent: 0, framesEncoded: 0, mediaSourceId: 'ms' },
      { id: 'ri', type: 'remote-inbound-rtp', timestamp: 0, localId: 'out', packetsLost: 0 },
    );
    const cur = map(
      { id: 'out', type: 'outbound-rtp', timestamp: 1000, kind: 'video', bytesSent: 12_500, packetsSent: 200, framesEncoded: 5, mediaSourceId: 'ms', qualityLimitationReason: 'cpu' },
      { id: 'ms', type: 'media-source', timestamp: 1000, trackIdentifier: 'screen-track' },
      { id: 'ri', type: 'remote-inbound-rtp', timestamp: 1000, localId: 'out', packetsLost: 2, roundTripTime: 0.03 },
    );
    const [s] = sampleStreams(prev, cur, ctx);
    expect(s).toMatchObject({ kind: 'screen', direction: 'outbound', bitrateKbps: 100, fps: 5, rttMs: 30, packetsLostPct: 1, packets: 200, bytes: 12_500, frames: 5, qualityLimitationReason: 'cpu' });
  });
  it('gives inbound audio concealment and a MOS; a first snapshot counts from zero but has no rates', () => {
    const a = (t: number, recv: number, concealed: number, samples: number): Stat => ({ id: 'a', type: 'inbound-rtp', timestamp: t, kind: 'audio', bytesReceived: recv, packetsReceived: recv / 100, packetsLost: 0, concealedSamples: concealed, totalSamplesReceived: samples });
    const pair: Stat = { id: 'CP', type: 'candidate-pair', timestamp: 0, nominated: true, state: 'succeeded', currentRoundTripTime: 0.001 };
    const [first] = sampleStreams(undefined, map(a(1000, 5000, 480, 48000), pair), ctx);
    expect(first).toMatchObject({ packets: 50, bytes: 5000, concealedPct: 1, intervalMs: 0 });
    expect(first?.mos).toBeGreaterThan(4);
    expect(first?.bitrateKbps).toBeUndefined(); // the interval it covers is unknown
    const [s] = sampleStreams(map(a(0, 100, 0, 0)), map(a(1000, 5100, 480, 48000), pair), ctx);
    expect(s).toMatchObject({ concealedPct: 1, bitrateKbps: 40, packets: 50 });
  });
});

describe('sampleStreams: totals across snapshots, idle streams', () => {
  it('sums to the page totals: first snapshot, a stream that appears later, a reset counter, a repeated (cached) report', () => {
    const v = (id: string, t: number, packets: number, bytes: number, frames: number): Stat => ({ id, type: 'inbound-rtp', timestamp: t, kind: 'video', packetsReceived: packets, bytesReceived: bytes, framesDecoded: frames });
    const snapshots = [
      map(v('x', 1000, 40, 40_000, 10)),
      map(v('x', 2000, 90, 90_000, 25)),
      map(v('x', 2000, 90, 90_000, 25)), // Chromium's 50 ms cache: the same report twice
      map(v('x', 3000, 150, 150_000, 40), v('y', 3000, 7, 7000, 2)), // y appeared between snapshots
      map(v('x', 4000, 30, 30_000, 8), v('y', 4000, 20, 20_000, 6)), // x was reset (a new stats object)
    ];
    let prev: Map<string, Stat> | undefined;
    const sums = { packets: 0, bytes: 0, frames: 0 };
    for (const cur of snapshots) {
      for (const s of sampleStreams(prev, cur, ctx)) {
        sums.packets += s.packets ?? 0;
        sums.bytes += s.bytes ?? 0;
        sums.frames += s.frames ?? 0;
      }
      prev = cur;
    }
    expect(sums).toEqual({ packets: 150 + 30 + 20, bytes: 150_000 + 30_000 + 20_000, frames: 40 + 8 + 6 });
  });
  it('an idle stream (a padding packet, no payload, no frame) gives counters only; once media flowed, fps 0 is real', () => {
    const v = (t: number, packets: number, bytes: number, frames: number): Stat => ({ id: 'in', type: 'inbound-rtp', timestamp: t, kind: 'video', packetsReceived: packets, bytesReceived: bytes, framesDecoded: frames, packetsLost: 0, jitter: 0, frameHeight: frames ? 180 : undefined });
    const [idle] = sampleStreams(map(v(0, 1, 0, 0)), map(v(1000, 1, 0, 0)), ctx);
    expect(idle).toEqual({ connectionId: 'pc1', ssrc: 0, kind: 'video', direction: 'inbound', intervalMs: 1000, packets: 0, bytes: 0, frames: 0, idle: true });
    const [first] = sampleStreams(undefined, map(v(1000, 1, 0, 0)), ctx);
    expect(first).toMatchObject({ packets: 1, idle: true });
    expect(first?.fps).toBeUndefined();
    const [flowing] = sampleStreams(map(v(0, 1, 0, 0)), map(v(1000, 51, 50_000, 15)), ctx);
    expect(flowing).toMatchObject({ fps: 15, frames: 15, frameHeightPx: 180 });
    expect(flowing?.idle).toBeUndefined();
    const [frozen] = sampleStreams(map(v(1000, 51, 50_000, 15)), map(v(2000, 51, 50_000, 15)), ctx);
    expect(frozen).toMatchObject({ fps: 0, bitrateKbps: 0 });
    expect(frozen?.idle).toBeUndefined();
    // a final snapshot 60 ms after a periodic one: counters yes, a rate from one frame no
    const [short] = sampleStreams(map(v(2000, 51, 50_000, 15)), map(v(2060, 53, 52_000, 16)), ctx);
    expect(short).toMatchObject({ packets: 2, bytes: 2000, frames: 1, frameHeightPx: 180 });
    expect(short?.fps).toBeUndefined();
    expect(short?.bitrateKbps).toBeUndefined();
  });
});

describe('sampleStreams: ended streams and screens', () => {
  it('finds idle streams that end: removed from the report, or all idle ones on a final snapshot', () => {
    const v = (id: string, type: string, bytes: number, extra: Record<string, unknown> = {}): Stat => ({ id, type, timestamp: 0, kind: 'video', packetsReceived: 1, packetsSent: 1, bytesReceived: bytes, bytesSent: bytes, ...extra });
    const prev = map(v('gone-idle', 'inbound-rtp', 0), v('gone-used', 'inbound-rtp', 5), v('idle-out', 'outbound-rtp', 0), v('used', 'inbound-rtp', 9));
    const cur = map(v('idle-out', 'outbound-rtp', 0), v('used', 'inbound-rtp', 9), v('idle-screen', 'inbound-rtp', 0, { contentType: 'screenshare' }));
    expect(endedIdleStreams(prev, cur, ctx, false)).toEqual([{ id: 'gone-idle', kind: 'video', direction: 'inbound' }]);
    expect(endedIdleStreams(prev, cur, ctx, true).map((s) => `${s.id} ${s.kind}/${s.direction}`)).toEqual(['gone-idle video/inbound', 'idle-out video/outbound', 'idle-screen screen/inbound']);
    expect(endedIdleStreams(undefined, cur, ctx, false)).toEqual([]);
  });
  it('takes inbound and outbound contentType screenshare (in-band, survives replaceTrack) as screen', () => {
    const v = (id: string, type: string, t: number, bytes: number, extra: Record<string, unknown> = {}): Stat => ({ id, type, timestamp: t, kind: 'video', bytesReceived: bytes, bytesSent: bytes, ...extra });
    const prev = map(v('in', 'inbound-rtp', 0, 0), v('cam', 'inbound-rtp', 0, 0), v('out', 'outbound-rtp', 0, 0));
    const cur = map(v('in', 'inbound-rtp', 1000, 1000, { contentType: 'screenshare', mid: '2' }), v('cam', 'inbound-rtp', 1000, 1000, { mid: '1' }), v('out', 'outbound-rtp', 1000, 1000, { contentType: 'screenshare' }));
    expect(sampleStreams(prev, cur, ctx).map((s) => `${s.kind}/${s.direction}`)).toEqual(['screen/inbound', 'video/inbound', 'screen/outbound']);
    // the SDP mark alone also makes a screen
    expect(sampleStreams(prev, map(v('cam', 'inbound-rtp', 1000, 1000, { mid: '1' })), { ...ctx, screenMids: new Set(['1']) })[0]?.kind).toBe('screen');
  });
  it('finds a=content:slides mids', () => {
    const sdp = 'v=0\r\nm=audio 9 x\r\na=mid:0\r\nm=video 9 x\r\na=mid:1\r\na=content:slides\r\n';
    expect([...slidesMids(sdp)]).toEqual(['1']);
  });
});
