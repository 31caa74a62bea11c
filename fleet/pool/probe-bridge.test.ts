import { describe, expect, it } from 'vitest';
import type { Tags } from '../../metrics/types.ts';
import { ProbeBridge } from './probe-bridge.ts';

function recorder() {
  const samples: { metric: string; value: number; tags?: Tags }[] = [];
  return { samples, record: (metric: string, value: number, tags?: Tags) => void samples.push({ metric, value, tags }) };
}

describe('ProbeBridge', () => {
  it('maps stream samples to catalogue metrics with kind/direction and the journey, never ids', () => {
    const rec = recorder();
    const blocked: string[] = [];
    const bridge = new ProbeBridge({ recorder: rec, tags: { journey: 'videoCall', user: 'vu-1' }, onBlocked: (_w, url) => blocked.push(url) });
    bridge.handle({
      v: 1, atMs: 0, openConnections: 1,
      streams: [
        { connectionId: 'pc1', ssrc: 1, kind: 'video', direction: 'outbound', intervalMs: 2000, bitrateKbps: 800, fps: 15, qualityLimitationReason: 'cpu' },
        { connectionId: 'pc1', ssrc: 2, kind: 'audio', direction: 'inbound', intervalMs: 2000, mos: 4.4, concealedPct: 0.5 },
      ],
      events: [{ type: 'first_frame', connectionId: 'pc1', kind: 'video', ms: 420 }, { type: 'connection_state', connectionId: 'pc1', state: 'failed', atMs: 1 }, { type: 'blocked', what: 'ice_server', url: 'stun:x.example:3478' }],
    });
    const byMetric = (m: string) => rec.samples.filter((s) => s.metric === m);
    expect(byMetric('webrtc.bitrate_kbps')).toEqual([{ metric: 'webrtc.bitrate_kbps', value: 800, tags: { journey: 'videoCall', kind: 'video', direction: 'outbound' } }]);
    expect(byMetric('webrtc.quality_limited_cpu')[0]?.value).toBe(1);
    expect(byMetric('webrtc.quality_limited_bandwidth')[0]?.value).toBe(0);
    expect(byMetric('webrtc.audio.mos')[0]?.value).toBe(4.4);
    expect(byMetric('webrtc.first_frame_ms')[0]).toMatchObject({ value: 420, tags: { journey: 'videoCall', kind: 'video' } });
    expect(byMetric('webrtc.connection_failures')[0]).toMatchObject({ value: 1, tags: { journey: 'videoCall' } });
    for (const s of rec.samples) expect(Object.keys(s.tags ?? {})).not.toContain('user');
    expect(JSON.stringify(rec.samples)).not.toContain('pc1');
    expect(bridge.hasReported('video', 'outbound')).toBe(true);
    expect(bridge.hasReported('video', 'inbound')).toBe(false);
    expect(bridge.counts()).toEqual({ 'video/outbound': 1, 'audio/inbound': 1 });
    expect(blocked).toEqual(['stun:x.example:3478']);
  });

  it('keeps idle streams out of quality metrics and counts, but in the counters; counts idle streams that ended', () => {
    const rec = recorder();
    const bridge = new ProbeBridge({ recorder: rec, tags: { journey: 'videoCall' } });
    bridge.handle({
      v: 1, atMs: 0, openConnections: 1,
      streams: [
        { connectionId: 'pc1', ssrc: 1, kind: 'video', direction: 'inbound', intervalMs: 1000, packets: 50, bytes: 40_000, frames: 15, fps: 15, bitrateKbps: 320, jitterMs: 2, freezeCountDelta: 0 },
        // an idle screen transceiver: a padding packet, no payload; the page sends counters only
        { connectionId: 'pc1', ssrc: 2, kind: 'video', direction: 'inbound', intervalMs: 1000, packets: 1, bytes: 0, frames: 0, idle: true },
        // a malformed idle sample with quality fields still must not skew them
        { connectionId: 'pc1', ssrc: 3, kind: 'video', direction: 'inbound', intervalMs: 1000, packets: 0, fps: 0, bitrateKbps: 0, idle: true },
      ],
      events: [{ type: 'idle_stream', connectionId: 'pc1', kind: 'video', direction: 'inbound' }, { type: 'idle_stream', connectionId: 'pc1', kind: 'video', direction: 'outbound' }],
    });
    const valuesOf = (m: string) => rec.samples.filter((s) => s.metric === m).map((s) => s.value);
    expect(valuesOf('webrtc.fps')).toEqual([15]);
    expect(valuesOf('webrtc.bitrate_kbps')).toEqual([320]);
    expect(valuesOf('webrtc.jitter_ms')).toEqual([2]);
    expect(valuesOf('webrtc.packets')).toEqual([50, 1, 0]);
    expect(valuesOf('webrtc.bytes')).toEqual([40_000, 0]);
    expect(valuesOf('webrtc.frames')).toEqual([15, 0]);
    expect(rec.samples.filter((s) => s.metric === 'webrtc.idle_streams')).toEqual([
      { metric: 'webrtc.idle_streams', value: 1, tags: { journey: 'videoCall', kind: 'video', direction: 'inbound' } },
      { metric: 'webrtc.idle_streams', value: 1, tags: { journey: 'videoCall', kind: 'video', direction: 'outbound' } },
    ]);
    expect(bridge.counts()).toEqual({ 'video/inbound': 1 });
    expect(bridge.idleStreams()).toEqual({ 'video/inbound': 1, 'video/outbound': 1 });
  });

  it('drops malformed batches without throwing', () => {
    const rec = recorder();
    const bridge = new ProbeBridge({ recorder: rec, tags: {} });
    bridge.handle(null);
    bridge.handle({ v: 2 });
    bridge.handle({ v: 1, streams: 'x', events: [] });
    expect(bridge.stats().rejected).toBe(3);
    expect(rec.samples).toEqual([]);
  });
});

describe('ProbeBridge marks', () => {
  it('records glass-to-glass marks with the user\'s tags and the stage, drops junk, and warns once when the sender fell behind', async () => {
    const rec = recorder();
    const warnings: string[] = [];
    const bridge = new ProbeBridge({ recorder: rec, tags: { journey: 'videoCall', driver: 'browser', user: 'vu-1' }, onEvent: (e) => warnings.push(String(e.reason)) });
    const batch = (marks: unknown) => ({ v: 1, atMs: 0, openConnections: 1, streams: [], events: [], marks });
    bridge.handle(batch({ videoDisplayedMs: [41.5, Number.NaN, 'x'], videoDecodedMs: [30], audioMs: [95], frames: [], senderDropped: 3 }));
    bridge.handle(batch({ videoDisplayedMs: [], videoDecodedMs: [], audioMs: [], frames: [], senderDropped: 2 }));
    expect(rec.samples).toEqual([
      { metric: 'media.video_e2e_ms', value: 41.5, tags: { journey: 'videoCall', driver: 'browser', stage: 'displayed' } },
      { metric: 'media.video_e2e_ms', value: 30, tags: { journey: 'videoCall', driver: 'browser', stage: 'decoded' } },
      { metric: 'media.audio_e2e_ms', value: 95, tags: { journey: 'videoCall', driver: 'browser' } },
    ]);
    expect(warnings).toEqual(['media_marks_behind']);
    expect(await bridge.scored()).toEqual({ scored: 0, rejected: [], senderDropped: 5 });
  });
});
