import { describe, expect, it } from 'vitest';
import { sampleStreams, slidesMids, type Stat } from './stats-sampler.ts';

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
    expect(s).toMatchObject({ kind: 'video', direction: 'inbound', ssrc: 7, intervalMs: 2000, bitrateKbps: 1000, packetsLostPct: 5, packets: 190, fps: 15, frameHeightPx: 360, jitterMs: 4, rttMs: 2, freezeCountDelta: 1, freezeMsDelta: 500, jitterBufferMs: 50 });
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
    expect(s).toMatchObject({ kind: 'screen', direction: 'outbound', bitrateKbps: 100, fps: 5, rttMs: 30, packetsLostPct: 1, packets: 200, qualityLimitationReason: 'cpu' });
  });
  it('gives inbound audio concealment and a MOS; nothing without a previous snapshot', () => {
    const a = (t: number, recv: number, concealed: number, samples: number): Stat => ({ id: 'a', type: 'inbound-rtp', timestamp: t, kind: 'audio', bytesReceived: recv, packetsReceived: recv / 100, packetsLost: 0, concealedSamples: concealed, totalSamplesReceived: samples });
    const pair: Stat = { id: 'CP', type: 'candidate-pair', timestamp: 0, nominated: true, state: 'succeeded', currentRoundTripTime: 0.001 };
    expect(sampleStreams(undefined, map(a(0, 0, 0, 0), pair), ctx)).toEqual([]);
    const [s] = sampleStreams(map(a(0, 0, 0, 0)), map(a(1000, 5000, 480, 48000), pair), ctx);
    expect(s?.concealedPct).toBe(1);
    expect(s?.mos).toBeGreaterThan(4);
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
