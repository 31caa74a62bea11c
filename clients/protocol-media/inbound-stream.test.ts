import { RtpHeader, RtpPacket } from 'werift';
import { describe, expect, it } from 'vitest';
import { InboundStream, vp8KeyframeHeight } from './inbound-stream.ts';
import { vp8Payloads } from './rtp-payloads.ts';

const packet = (seq: number, ts: number, marker = false, payload = Buffer.alloc(100, 1)) => new RtpPacket(new RtpHeader({ sequenceNumber: seq, timestamp: ts, marker }), payload);

describe('InboundStream', () => {
  it('counts loss from sequence numbers across a wrap, and not a late packet as lost', () => {
    const s = new InboundStream('audio', 48_000, () => {});
    const seqs = [65533, 65534, 65535, 0, 2, 1, 3]; // 1 arrives late
    seqs.forEach((seq, i) => s.receive(packet(seq, i * 960), i * 20));
    expect(s.expected).toBe(7);
    expect(s.lost).toBe(0);
    s.receive(packet(6, 9 * 960), 200); // 4 and 5 never come
    expect(s.expected).toBe(10);
    expect(s.lost).toBe(2);
  });

  it('has no jitter when packets arrive on their timestamps, and RFC 3550 jitter when they do not', () => {
    const even = new InboundStream('audio', 48_000, () => {});
    for (let i = 0; i < 50; i++) even.receive(packet(i, i * 960), i * 20);
    expect(even.jitterMs).toBeCloseTo(0, 6);
    const uneven = new InboundStream('audio', 48_000, () => {});
    for (let i = 0; i < 500; i++) uneven.receive(packet(i, i * 960), i * 20 + (i % 2) * 10); // every other one 10 ms late
    expect(uneven.jitterMs).toBeGreaterThan(9); // |D| = 10 ms each packet: J converges to 10 ms
    expect(uneven.jitterMs).toBeLessThanOrEqual(10);
  });

  it('counts a video frame at its marker bit, and a freeze by Chromium’s rule (≥ max(3 × avg, avg + 150 ms))', () => {
    let first = 0;
    const s = new InboundStream('video', 90_000, () => (first += 1));
    let seq = 0;
    let at = 0;
    const frame = (gapMs: number) => {
      at += gapMs;
      s.receive(packet(seq++, at * 90), at);
      s.receive(packet(seq++, at * 90, true), at);
    };
    for (let i = 0; i < 30; i++) frame(66.7); // 15 fps
    expect(s.frames).toBe(30);
    expect(first).toBe(1);
    frame(200); // < 66.7 + 150: not a freeze
    expect(s.freezeCount).toBe(0);
    frame(300); // ≥ max(3 × ~71, ~71 + 150)
    expect(s.freezeCount).toBe(1);
    expect(s.freezeMs).toBe(300);
  });

  it('reads a VP8 keyframe’s height from its first packet, with or without the extended descriptor', () => {
    // a VP8 keyframe header: frame tag (keyframe bit 0), start code 9d 01 2a, width 640, height 360
    const frame = Buffer.from([0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0x68, 0x01, 0, 0, 0]);
    expect(vp8KeyframeHeight(vp8Payloads(frame)[0]!)).toBe(360);
    const extended = Buffer.concat([Buffer.from([0x90, 0x80, 0x81, 0x23]), frame]); // X, I, 15-bit picture id
    expect(vp8KeyframeHeight(extended)).toBe(360);
    expect(vp8KeyframeHeight(Buffer.from([0x10, 0x01, 0, 0]))).toBeUndefined(); // an interframe
  });
});

describe('vp8Payloads', () => {
  it('cuts a frame into payloads of at most the size, S=1 only on the first, the bytes in order', () => {
    const frame = Buffer.from(Array.from({ length: 2500 }, (_, i) => i % 251));
    const payloads = vp8Payloads(frame, 1000);
    expect(payloads.map((p) => p.length)).toEqual([1000, 1000, 503]);
    expect(payloads.map((p) => p[0])).toEqual([0x10, 0x00, 0x00]);
    expect(Buffer.concat(payloads.map((p) => p.subarray(1)))).toEqual(frame);
  });
});
