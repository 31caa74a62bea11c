// One pacing loop per process for every outbound stream of every protocolMedia user: a timer
// per stream would be thousands of timers. A stream sends its next frame when due and skips
// ahead (never bursts) when the loop ran late, as a real-time sender drops what it could not
// send in time. The loop runs only while a stream is registered, so no timer outlives the users.
import { RtpHeader, RtpPacket, type RTCRtpSender } from 'werift';
import { FastRtpSender } from './rtp-fast-path.ts';
import type { PayloadTrack } from './rtp-payloads.ts';

/** Tick period: half the Opus frame, so audio leaves within ~5 ms of its due time. */
export const PACER_TICK_MS = 5;
/** Later than this and a stream skips to now instead of sending the backlog at once. */
const MAX_LATE_MS = 200;

const ignore = (): void => {};

export class OutboundStream {
  /** packets, payload bytes and frames actually handed to the transport (for webrtc.* outbound) */
  packets = 0;
  bytes = 0;
  frames = 0;
  private frameIndex = 0;
  private sequence = Math.floor(Math.random() * 0x10000);
  private timestamp = Math.floor(Math.random() * 0x1_0000_0000);
  private nextDueMs = 0;
  /** werift's sendRtp taken past once connected, in the simple case (rtp-fast-path.ts); tried once */
  private fast: FastRtpSender | undefined;
  private fastTried = false;
  /** sending: false while muted or the camera is off (the web client's replaceTrack(null)) */
  on = false;

  constructor(
    /** replaced when the user turns a kind on whose file was still being read */
    public track: PayloadTrack,
    private readonly sender: RTCRtpSender,
  ) {}

  /** Start again from frame 0, a keyframe: a peer that asked for one (PLI) or a new connection decodes from here. */
  restart(): void {
    this.frameIndex = 0;
  }

  /** Called by the pacer; sends the frames due by nowMs. */
  pace(nowMs: number): void {
    if (!this.on) {
      this.nextDueMs = 0;
      return;
    }
    if (this.nextDueMs === 0 || nowMs - this.nextDueMs > MAX_LATE_MS) this.nextDueMs = nowMs;
    while (this.nextDueMs <= nowMs) {
      this.sendFrame();
      this.nextDueMs += this.track.frameMs;
    }
  }

  private sendFrame(): void {
    const frames = this.track.frames;
    if (this.frameIndex >= frames.length) this.frameIndex = 0;
    const payloads = frames[this.frameIndex]!;
    this.frameIndex = (this.frameIndex + 1) % frames.length;
    // a transport not (or no longer) connected drops the frame: count only what leaves
    if (this.sender.dtlsTransport?.state !== 'connected') return;
    if (!this.fastTried) {
      this.fastTried = true;
      this.fast = FastRtpSender.for(this.sender);
    }
    const last = payloads.length - 1;
    if (this.fast) {
      if (!this.fast.sendFrame(payloads, this.sequence, this.timestamp, this.track.markLast)) return;
      this.sequence = (this.sequence + payloads.length) & 0xffff;
      this.packets += payloads.length;
      for (let i = 0; i <= last; i++) this.bytes += payloads[i]!.length;
    } else {
      for (let i = 0; i <= last; i++) {
        const payload = payloads[i]!;
        const header = new RtpHeader({ sequenceNumber: this.sequence, timestamp: this.timestamp, marker: this.track.markLast && i === last });
        this.sequence = (this.sequence + 1) & 0xffff;
        this.sender.sendRtp(new RtpPacket(header, payload)).catch(ignore);
        this.packets += 1;
        this.bytes += payload.length;
      }
    }
    this.frames += 1;
    this.timestamp = (this.timestamp + this.track.timestampStep) >>> 0;
  }
}

const streams = new Set<OutboundStream>();
let timer: NodeJS.Timeout | undefined;

function tick(): void {
  const now = performance.now();
  for (const s of streams) s.pace(now);
}

export function addStream(stream: OutboundStream): void {
  streams.add(stream);
  if (!timer) timer = setInterval(tick, PACER_TICK_MS);
}

export function removeStream(stream: OutboundStream): void {
  streams.delete(stream);
  if (streams.size === 0 && timer) {
    clearInterval(timer);
    timer = undefined;
  }
}

/** Streams paced now in this process (tests: nothing outlives the users). */
export function pacedStreams(): number {
  return streams.size;
}
