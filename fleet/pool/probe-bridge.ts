// Node side of the in-page WebRTC probe: turns probe batches into catalogue metrics.
// Tags are {kind, direction} merged with the user's low-cardinality tags (journey); connection
// ids and ssrcs never become tags (DESIGN.md rule 5). It keeps per kind/direction counts so a
// test or a journey can ask "did every track report?".
// A sample of a stream that never carried media (idle: an unused transceiver) feeds only the
// counters (packets, bytes, frames), never a quality metric, and is not a "report" of its
// kind; the page counts such streams in webrtc.idle_streams when they end.
import { tagsOf, type MetricName } from '../../metrics/catalogue.ts';
import type { MetricsRecorder, RunEvent, Tags } from '../../metrics/types.ts';
import type { Direction, MarksReport, MediaKind, ProbeBatch, StreamSample } from '../../in-page/probe-protocol.ts';
import type { SourceVideo } from './quality-score.ts';

export interface ProbeBridgeOptions {
  readonly recorder: MetricsRecorder;
  /** the user's tags (journey); only those a metric allows are kept */
  readonly tags: Tags;
  readonly onEvent?: (event: RunEvent) => void;
  /** a WebSocket or ICE server the page was refused */
  readonly onBlocked?: (what: 'ice_server' | 'websocket', url: string) => void;
  /** open connections of this page changed (the pool sums them into webrtc.connections) */
  readonly onOpenConnections?: (open: number) => void;
  /** the fake camera file: decoded frames the page sends are scored against it (media.video_psnr_db, media.video_ssim) */
  readonly source?: SourceVideo;
}

/** counters: every stream's deltas, idle or not, so they sum to the page's getStats totals */
const counterMetrics: ReadonlyArray<readonly [keyof StreamSample, MetricName]> = [
  ['packets', 'webrtc.packets'],
  ['bytes', 'webrtc.bytes'],
  ['frames', 'webrtc.frames'],
  ['freezeCountDelta', 'webrtc.video.freeze_count'],
];
/** quality: only streams that carried media */
const qualityMetrics: ReadonlyArray<readonly [keyof StreamSample, MetricName]> = [
  ['bitrateKbps', 'webrtc.bitrate_kbps'],
  ['packetsLostPct', 'webrtc.packets_lost_pct'],
  ['jitterMs', 'webrtc.jitter_ms'],
  ['rttMs', 'webrtc.rtt_ms'],
  ['fps', 'webrtc.fps'],
  ['frameHeightPx', 'webrtc.frame_height_px'],
  ['freezeMsDelta', 'webrtc.video.freeze_ms'],
  ['concealedPct', 'webrtc.audio.concealed_pct'],
  ['jitterBufferMs', 'webrtc.jitter_buffer_ms'],
  ['mos', 'webrtc.audio.mos'],
];

function isBatch(x: unknown): x is ProbeBatch {
  const b = x as ProbeBatch | null;
  return typeof b === 'object' && b !== null && b.v === 1 && Array.isArray(b.streams) && Array.isArray(b.events);
}

export class ProbeBridge {
  readonly #opts: ProbeBridgeOptions;
  readonly #counts = new Map<string, number>();
  readonly #idle = new Map<string, number>();
  readonly #firstFrames: { kind: MediaKind; ms: number }[] = [];
  #batches = 0;
  #rejected = 0;
  #openConnections = 0;
  #connectionFailures = 0;
  readonly #scoring = new Set<Promise<void>>();
  readonly #quality = { scored: 0, rejected: [] as string[], dropped: 0 };

  constructor(options: ProbeBridgeOptions) {
    this.#opts = options;
  }

  /** The user's tags that `metric` allows, plus extra. */
  #tagsFor(metric: MetricName, extra: Record<string, string>): Tags {
    const allowed = tagsOf(metric);
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.#opts.tags)) if (allowed.includes(k)) out[k] = v;
    for (const [k, v] of Object.entries(extra)) if (allowed.includes(k)) out[k] = v;
    return out;
  }

  #record(metric: MetricName, value: number, extra: Record<string, string> = {}): void {
    this.#opts.recorder.record(metric, value, this.#tagsFor(metric, extra));
  }

  /** Takes one batch from the page. Never throws: malformed batches are counted and dropped. */
  handle(batch: unknown): void {
    try {
      if (!isBatch(batch)) {
        this.#rejected++;
        return;
      }
      this.#batches++;
      for (const s of batch.streams) this.#stream(s);
      if (batch.marks) this.#marks(batch.marks);
      for (const e of batch.events) {
        if (e.type === 'first_frame') {
          this.#firstFrames.push({ kind: e.kind, ms: e.ms });
          this.#record('webrtc.first_frame_ms', e.ms, { kind: e.kind });
        } else if (e.type === 'connection_state' && e.state === 'failed') {
          this.#connectionFailures++;
          this.#record('webrtc.connection_failures', 1);
        } else if (e.type === 'idle_stream') {
          const key = `${e.kind}/${e.direction}`;
          this.#idle.set(key, (this.#idle.get(key) ?? 0) + 1);
          this.#record('webrtc.idle_streams', 1, { kind: e.kind, direction: e.direction });
        } else if (e.type === 'blocked') {
          this.#opts.onBlocked?.(e.what, e.url);
        } else if (e.type === 'probe_error') {
          this.#opts.onEvent?.({ timeMs: Date.now(), type: 'warning', reason: 'probe_error', message: `WebRTC probe: ${e.message}`, tags: this.#opts.tags });
        }
      }
      if (batch.openConnections !== this.#openConnections) {
        this.#openConnections = batch.openConnections;
        this.#opts.onOpenConnections?.(batch.openConnections);
      }
    } catch {
      this.#rejected++;
    }
  }

  #stream(s: StreamSample): void {
    const kindTags = { kind: s.kind, direction: s.direction };
    const record = (fields: typeof counterMetrics) => {
      for (const [field, metric] of fields) {
        const v = s[field];
        if (typeof v === 'number' && Number.isFinite(v)) this.#record(metric, v, kindTags);
      }
    };
    record(counterMetrics);
    if (s.idle) return;
    const key = `${s.kind}/${s.direction}`;
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
    record(qualityMetrics);
    if (s.direction === 'outbound' && s.kind !== 'audio' && s.qualityLimitationReason !== undefined) {
      this.#record('webrtc.quality_limited_cpu', s.qualityLimitationReason === 'cpu' ? 1 : 0, kindTags);
      this.#record('webrtc.quality_limited_bandwidth', s.qualityLimitationReason === 'bandwidth' ? 1 : 0, kindTags);
    }
  }

  #marks(m: MarksReport): void {
    const each = (xs: unknown, fn: (x: number) => void) => Array.isArray(xs) && xs.forEach((x) => typeof x === 'number' && Number.isFinite(x) && fn(x));
    each(m.videoDisplayedMs, (x) => this.#record('media.video_e2e_ms', x, { stage: 'displayed' }));
    each(m.videoDecodedMs, (x) => this.#record('media.video_e2e_ms', x, { stage: 'decoded' }));
    each(m.audioMs, (x) => this.#record('media.audio_e2e_ms', x));
    if (typeof m.senderDropped === 'number' && m.senderDropped > 0) {
      if (!this.#quality.dropped) this.#opts.onEvent?.({ timeMs: Date.now(), type: 'warning', reason: 'media_marks_behind', message: 'glass-to-glass marks: the sending page fell behind its camera or mic and dropped stale frames rather than add delay to the call (its page is starved for CPU: see the generator figures)', tags: this.#opts.tags });
      this.#quality.dropped += m.senderDropped;
    }
    const source = this.#opts.source;
    if (!source || !Array.isArray(m.frames)) return;
    for (const f of m.frames) {
      const luma = new Uint8Array(Buffer.from(String(f.luma), 'base64'));
      const scored = source
        .score(luma, f.width, f.height)
        .then((r) => {
          if ('rejected' in r) return void this.#quality.rejected.push(r.rejected);
          this.#quality.scored++;
          this.#record('media.video_psnr_db', r.psnrDb);
          this.#record('media.video_ssim', r.ssim);
        })
        .catch((err: Error) => void this.#quality.rejected.push(`scoring failed: ${err.message}`))
        .finally(() => this.#scoring.delete(scored));
      this.#scoring.add(scored);
    }
  }

  /** Settles when every quality frame received so far is scored (release waits for it). */
  async scored(): Promise<{ scored: number; rejected: readonly string[]; senderDropped: number }> {
    while (this.#scoring.size) await Promise.all(this.#scoring);
    return { scored: this.#quality.scored, rejected: [...this.#quality.rejected], senderDropped: this.#quality.dropped };
  }

  /** Streams that ended without carrying media, per "kind/direction". */
  idleStreams(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.#idle);
  }

  /** Samples of streams that carried media, per "kind/direction", e.g. { "video/inbound": 4 }. */
  counts(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.#counts);
  }

  hasReported(kind: MediaKind, direction: Direction): boolean {
    return (this.#counts.get(`${kind}/${direction}`) ?? 0) > 0;
  }

  stats(): { batches: number; rejected: number; openConnections: number; connectionFailures: number; firstFrames: readonly { kind: MediaKind; ms: number }[] } {
    return { batches: this.#batches, rejected: this.#rejected, openConnections: this.#openConnections, connectionFailures: this.#connectionFailures, firstFrames: [...this.#firstFrames] };
  }
}
