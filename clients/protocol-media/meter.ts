// Turns a protocolMedia user's streams into the webrtc.* metrics the browser probe records
// (fleet/pool/probe-bridge.ts, in-page/stats-sampler.ts), sampled every SAMPLE_MS by ONE timer
// per process for every user. Same rules: counters (packets, bytes, frames, freezes) are exact
// deltas, a stream's last sample is taken when it ends; quality figures (fps, bitrate, loss,
// jitter, RTT, freeze time, frame height, MOS) only for streams that carried media, and rates only
// over a known interval. RTT is the connection's, from RTCP SR/RR (LSR/DLSR) as werift computes it.
import { estimateMos } from '../../in-page/e-model.ts';
import type { InboundStream } from './inbound-stream.ts';
import type { OutboundStream } from './pacer.ts';

export const SAMPLE_MS = 2000;
/** the probe's shortest interval a rate is computed over */
const MIN_RATE_MS = 250;

export interface MetricsSink {
  record(metric: string, value: number, tags?: Readonly<Record<string, string>>): void;
}

type Kind = 'audio' | 'video' | 'screen';

interface Entry {
  readonly kind: Kind;
  readonly direction: 'inbound' | 'outbound';
  readonly inbound?: InboundStream;
  readonly outbound?: OutboundStream;
  /** the connection's RTT in ms, when RTCP measured one */
  readonly rttMs: () => number | undefined;
  lastAtMs: number;
  packets: number;
  bytes: number;
  frames: number;
  lost: number;
  expected: number;
  freezeCount: number;
  freezeMs: number;
}

const meters = new Set<MediaMeter>();
let timer: NodeJS.Timeout | undefined;

export class MediaMeter {
  private readonly entries = new Set<Entry>();
  private readonly tagCache = new Map<string, Readonly<Record<string, string>>>();

  constructor(
    private readonly sink: MetricsSink | undefined,
    private readonly tags: Readonly<Record<string, string>>,
  ) {}

  /** Measure a stream until the returned function is called (which takes its last sample). */
  add(kind: Kind, stream: { inbound: InboundStream } | { outbound: OutboundStream }, rttMs: () => number | undefined): () => void {
    const entry: Entry = { kind, direction: 'inbound' in stream ? 'inbound' : 'outbound', ...stream, rttMs, lastAtMs: performance.now(), packets: 0, bytes: 0, frames: 0, lost: 0, expected: 0, freezeCount: 0, freezeMs: 0 };
    this.entries.add(entry);
    if (this.entries.size === 1) start(this);
    return () => {
      if (!this.entries.delete(entry)) return;
      this.end(entry, performance.now());
      if (this.entries.size === 0) stop(this);
    };
  }

  /** A peer connection reached 'failed' (the probe's webrtc.connection_failures). */
  connectionFailed(): void {
    this.sink?.record('webrtc.connection_failures', 1, this.tags);
  }

  /** Ends every stream (the user left or closed). */
  close(): void {
    const now = performance.now();
    for (const e of this.entries) this.end(e, now);
    this.entries.clear();
    stop(this);
  }

  sampleAll(nowMs: number): void {
    for (const e of this.entries) this.sample(e, nowMs);
  }

  /** A stream's last sample; one that never carried media is counted in webrtc.idle_streams, as the probe does. */
  private end(e: Entry, nowMs: number): void {
    this.sample(e, nowMs);
    if ((e.inbound ?? e.outbound!).bytes === 0) this.sink?.record('webrtc.idle_streams', 1, this.tagsOf(e.kind, e.direction));
  }

  private tagsOf(kind: Kind, direction: string): Readonly<Record<string, string>> {
    const key = `${kind}/${direction}`;
    let t = this.tagCache.get(key);
    if (!t) this.tagCache.set(key, (t = { ...this.tags, kind, direction }));
    return t;
  }

  private sample(e: Entry, nowMs: number): void {
    const s = e.inbound ?? e.outbound!;
    const dtMs = nowMs - e.lastAtMs;
    e.lastAtMs = nowMs;
    const packets = s.packets - e.packets;
    const bytes = s.bytes - e.bytes;
    const frames = s.frames - e.frames;
    e.packets = s.packets;
    e.bytes = s.bytes;
    e.frames = s.frames;
    if (!this.sink) return;
    const tags = this.tagsOf(e.kind, e.direction);
    const rec = (metric: string, value: number | undefined): void => {
      if (value !== undefined && Number.isFinite(value)) this.sink!.record(metric, Math.round(value * 100) / 100, tags);
    };
    rec('webrtc.packets', packets);
    rec('webrtc.bytes', bytes);
    if (e.kind !== 'audio') rec('webrtc.frames', frames);
    if (s.bytes === 0) return; // never carried media: counters only, as the probe does
    const rttMs = e.rttMs();
    rec('webrtc.rtt_ms', rttMs);
    if (dtMs >= MIN_RATE_MS) {
      rec('webrtc.bitrate_kbps', (bytes * 8) / dtMs);
      if (e.kind !== 'audio') rec('webrtc.fps', (frames * 1000) / dtMs);
    }
    const inbound = e.inbound;
    if (!inbound) return;
    const lost = inbound.lost - e.lost;
    const expected = inbound.expected - e.expected;
    e.lost = inbound.lost;
    e.expected = inbound.expected;
    const lossPct = expected > 0 ? Math.min(100, (Math.max(0, lost) / expected) * 100) : 0;
    rec('webrtc.packets_lost_pct', lossPct);
    rec('webrtc.jitter_ms', inbound.jitterMs);
    if (e.kind === 'audio') {
      if (rttMs !== undefined) rec('webrtc.audio.mos', estimateMos({ rttMs, lossPct, jitterMs: inbound.jitterMs }));
      return;
    }
    rec('webrtc.frame_height_px', inbound.frameHeightPx);
    rec('webrtc.video.freeze_count', inbound.freezeCount - e.freezeCount);
    rec('webrtc.video.freeze_ms', inbound.freezeMs - e.freezeMs);
    e.freezeCount = inbound.freezeCount;
    e.freezeMs = inbound.freezeMs;
  }
}

function start(meter: MediaMeter): void {
  meters.add(meter);
  timer ??= setInterval(() => {
    const now = performance.now();
    for (const m of meters) m.sampleAll(now);
  }, SAMPLE_MS);
}

function stop(meter: MediaMeter): void {
  meters.delete(meter);
  if (meters.size === 0 && timer) {
    clearInterval(timer);
    timer = undefined;
  }
}
