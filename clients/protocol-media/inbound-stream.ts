// What one received RTP stream did, counted the way Chromium's inbound-rtp stats count it, so a
// protocolMedia user's webrtc.* figures read like a browser user's:
// - loss from RTP sequence numbers (RFC 3550 A.3: extended highest sequence − base + 1 − received);
// - interarrival jitter (RFC 3550 §6.4.1, A.8), in the codec clock, reported in ms;
// - video frames = packets with the marker bit (the last packet of a VP8 frame), since there is
//   no decoder: a frame counts as complete when its last packet arrived;
// - freezes by Chromium's rule (the freezeCount of webrtc-stats): an interval between frames of at
//   least max(3 × avg, avg + 150 ms), avg over the last 30 frame intervals; its length adds to the
//   freeze time (totalFreezesDuration).
import type { RtpPacket } from 'werift';

const FREEZE_WINDOW = 30;

/** Cumulative counters of one stream; the meter samples deltas of them. */
export class InboundStream {
  packets = 0;
  bytes = 0;
  frames = 0;
  freezeCount = 0;
  freezeMs = 0;
  frameHeightPx: number | undefined;
  /** performance.now() of the first payload byte (waitForRemoteMedia) */
  firstMediaAtMs: number | undefined;
  private baseSeq = -1;
  private maxExtSeq = 0;
  private lastTransit: number | undefined;
  /** RFC 3550 jitter, in clock units (×16 kept implicit by the /16 update) */
  private jitterUnits = 0;
  private lastFrameAtMs: number | undefined;
  private readonly intervals = new Float64Array(FREEZE_WINDOW);
  private intervalCount = 0;
  private intervalSum = 0;

  constructor(
    readonly kind: 'audio' | 'video' | 'screen',
    readonly clockHz: number,
    /** called once, at the first payload byte */
    private readonly onFirstMedia: () => void,
  ) {}

  /** packets expected from sequence numbers so far */
  get expected(): number {
    return this.baseSeq < 0 ? 0 : this.maxExtSeq - this.baseSeq + 1;
  }

  get lost(): number {
    return Math.max(0, this.expected - this.packets);
  }

  get jitterMs(): number {
    return (this.jitterUnits / this.clockHz) * 1000;
  }

  receive(rtp: RtpPacket, nowMs: number): void {
    const h = rtp.header;
    this.receiveParts(h.sequenceNumber, h.timestamp, h.marker, rtp.payload, nowMs);
  }

  /** One packet by its parts (the fast path parses no RtpPacket): payload without padding. */
  receiveParts(sequenceNumber: number, timestamp: number, marker: boolean, payload: Buffer, nowMs: number): void {
    const payloadBytes = payload.length;
    this.packets += 1;
    this.bytes += payloadBytes;
    this.sequence(sequenceNumber);
    // jitter: D = (Rj − Ri) − (Sj − Si) in clock units; J += (|D| − J) / 16
    const transit = (nowMs * this.clockHz) / 1000 - timestamp;
    if (this.lastTransit !== undefined) {
      let d = transit - this.lastTransit;
      // an RTP timestamp wrap moves transit by 2^32: fold it back
      if (d > 0x8000_0000) d -= 0x1_0000_0000;
      else if (d < -0x8000_0000) d += 0x1_0000_0000;
      this.jitterUnits += (Math.abs(d) - this.jitterUnits) / 16;
    }
    this.lastTransit = transit;
    if (payloadBytes > 0 && this.firstMediaAtMs === undefined) {
      this.firstMediaAtMs = nowMs;
      if (this.kind === 'audio') this.onFirstMedia();
    }
    if (this.kind !== 'audio') {
      if (this.frameHeightPx === undefined) this.frameHeightPx = vp8KeyframeHeight(payload);
      if (marker) this.frameDone(nowMs);
    }
  }

  private sequence(seq: number): void {
    if (this.baseSeq < 0) {
      this.baseSeq = seq;
      this.maxExtSeq = seq;
      return;
    }
    const cycles = this.maxExtSeq & ~0xffff;
    const maxSeq = this.maxExtSeq & 0xffff;
    const ahead = (seq - maxSeq) & 0xffff;
    if (ahead > 0 && ahead < 0x8000) this.maxExtSeq = (seq < maxSeq ? cycles + 0x10000 : cycles) + seq; // in order (a wrap adds a cycle)
  }

  private frameDone(nowMs: number): void {
    const first = this.frames === 0;
    this.frames += 1;
    if (first) this.onFirstMedia();
    const last = this.lastFrameAtMs;
    this.lastFrameAtMs = nowMs;
    if (last === undefined) return;
    const interval = nowMs - last;
    if (this.intervalCount > 0) {
      const avg = this.intervalSum / Math.min(this.intervalCount, FREEZE_WINDOW);
      if (interval >= Math.max(3 * avg, avg + 150)) {
        this.freezeCount += 1;
        this.freezeMs += interval;
      }
    }
    const slot = this.intervalCount % FREEZE_WINDOW;
    if (this.intervalCount >= FREEZE_WINDOW) this.intervalSum -= this.intervals[slot]!;
    this.intervals[slot] = interval;
    this.intervalSum += interval;
    this.intervalCount += 1;
  }
}

/** Height of a VP8 keyframe from its first packet (RFC 7741 descriptor, RFC 6386 §9.1 header), else undefined. */
export function vp8KeyframeHeight(payload: Buffer): number | undefined {
  if (payload.length < 1) return undefined;
  const b0 = payload[0]!;
  if ((b0 & 0x10) === 0 || (b0 & 0x07) !== 0) return undefined; // not the start of partition 0
  let at = 1;
  if (b0 & 0x80) {
    const x = payload[at++] ?? 0;
    if (x & 0x80) at += (payload[at] ?? 0) & 0x80 ? 2 : 1; // PictureID, 7 or 15 bits
    if (x & 0x40) at += 1; // TL0PICIDX
    if (x & 0x30) at += 1; // TID/KEYIDX
  }
  if (payload.length < at + 10 || (payload[at]! & 0x01) !== 0) return undefined; // not a keyframe
  if (payload[at + 3] !== 0x9d || payload[at + 4] !== 0x01 || payload[at + 5] !== 0x2a) return undefined;
  return payload.readUInt16LE(at + 8) & 0x3fff;
}
