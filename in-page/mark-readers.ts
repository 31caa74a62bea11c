// The receiving half of glass-to-glass and the quality samples, for the remote tracks the probe
// sees in 'track' events.
// Video: the element that shows the track (found through the srcObject setter, wrapped here) is
// read with requestVideoFrameCallback a few times a second: its expectedDisplayTime is when
// the frame is shown, and the frame's top strip, drawn small on a canvas, holds the sender's
// stamp. When no element shows the track, a MediaStreamTrackProcessor reads it and the delay
// ends at the decoded frame instead ('decoded'). Every qualityEveryMs the frame is also drawn at
// the source size and its luma goes to Node, which scores it against the fake camera file.
// Audio: a MediaStreamTrackProcessor reads the remote track and a Goertzel detector finds the
// bursts; the ear is the instant Chromium hands the audio to its sinks (before the output
// device's buffer).
import { BURST_PERIOD_MS, BurstDetector, burstDelayMs, MediaClock, wallNowMs } from './audio-mark.ts';
import { elapsedSinceStamp, lumaOfRgb, readCode, STAMP } from './frame-code.ts';
import { markUserMedia } from './media-marks.ts';
import type { MarksConfig, MarksReport, QualityFrame } from './probe-protocol.ts';

type Report = (message: string) => void;
type Reader<T> = ReadableStreamDefaultReader<T>;
interface VideoFrameMeta {
  readonly expectedDisplayTime: number;
  readonly width: number;
  readonly height: number;
}
type RvfcVideo = HTMLVideoElement & { requestVideoFrameCallback(cb: (now: number, meta: VideoFrameMeta) => void): number };

/** look for the element showing a track this often until one does */
const FIND_ELEMENT_MS = 500;
/** after this long with no element, read the track itself */
const ELEMENT_GRACE_MS = 3000;
/** at most this many quality frames wait for the next batch (each is ~300 KB of base64) */
const MAX_QUEUED_FRAMES = 2;
/** stamp strip drawn at 3x3 pixels a block: enough to sample each block's middle */
const STRIP_W = STAMP.cols * 3;
const STRIP_H = 6;

export class MarkReaders {
  readonly #elements = new Set<WeakRef<HTMLMediaElement>>();
  #displayed: number[] = [];
  #decoded: number[] = [];
  #audio: number[] = [];
  #frames: QualityFrame[] = [];
  #dropped = 0;
  readonly #sampleEveryMs: number;
  readonly #qualityEveryMs: number;
  readonly #strip: { canvas: OffscreenCanvas; ctx: OffscreenCanvasRenderingContext2D } | undefined;
  #full: { canvas: OffscreenCanvas; ctx: OffscreenCanvasRenderingContext2D } | undefined;

  constructor(
    private readonly config: MarksConfig,
    private readonly report: Report,
  ) {
    this.#qualityEveryMs = config.qualityEveryMs ?? 5000;
    // without stamps (the run's senders leave their cameras alone) a frame is read for quality only
    this.#sampleEveryMs = config.video ? Math.max(50, config.sampleEveryMs ?? 250) : Math.max(250, this.#qualityEveryMs);
    const canvas = new OffscreenCanvas(STRIP_W, STRIP_H);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    this.#strip = ctx ? { canvas, ctx } : undefined;
    this.#watchElements();
  }

  /** What was measured since the last call, or undefined when nothing was. */
  take(): MarksReport | undefined {
    if (!this.#displayed.length && !this.#decoded.length && !this.#audio.length && !this.#frames.length && !this.#dropped) return undefined;
    const out = { videoDisplayedMs: this.#displayed, videoDecodedMs: this.#decoded, audioMs: this.#audio, frames: this.#frames, ...(this.#dropped ? { senderDropped: this.#dropped } : {}) };
    this.#dropped = 0;
    this.#displayed = [];
    this.#decoded = [];
    this.#audio = [];
    this.#frames = [];
    return out;
  }

  /** The sending half dropped a chunk it got too late (in-page/media-marks.ts). */
  senderDropped(): void {
    this.#dropped++;
  }

  /** A remote track arrived (RTCPeerConnection 'track'); screen shares carry no stamp and are left alone. */
  remoteTrack(track: MediaStreamTrack, kind: 'audio' | 'video' | 'screen'): void {
    if (kind === 'audio') this.#readAudio(track).catch((err: unknown) => this.report(`audio marks: ${String(err)}`));
    else if (kind === 'video') this.#followVideo(track);
  }

  /** Every element the app gives a MediaStream (srcObject): where remote video is shown. */
  #watchElements(): void {
    const proto = HTMLMediaElement.prototype;
    const desc = Object.getOwnPropertyDescriptor(proto, 'srcObject');
    if (!desc?.set || !desc.get) return;
    const elements = this.#elements;
    Object.defineProperty(proto, 'srcObject', {
      ...desc,
      set(this: HTMLMediaElement, value: MediaProvider | null) {
        if (value) elements.add(new WeakRef(this));
        desc.set!.call(this, value);
      },
    });
  }

  #elementShowing(track: MediaStreamTrack): RvfcVideo | undefined {
    for (const ref of this.#elements) {
      const el = ref.deref();
      if (!el) {
        this.#elements.delete(ref);
        continue;
      }
      const src = el.srcObject;
      if (el instanceof HTMLVideoElement && src instanceof MediaStream && src.getVideoTracks().includes(track) && typeof (el as RvfcVideo).requestVideoFrameCallback === 'function') return el as RvfcVideo;
    }
    return undefined;
  }

  #followVideo(track: MediaStreamTrack): void {
    const since = performance.now();
    const look = () => {
      if (track.readyState === 'ended') return;
      const el = this.#elementShowing(track);
      if (el) return this.#readElement(track, el, look);
      if (performance.now() - since < ELEMENT_GRACE_MS) return void setTimeout(look, FIND_ELEMENT_MS);
      this.#readTrack(track).catch((err: unknown) => this.report(`video marks: ${String(err)}`));
    };
    look();
  }

  /** A few frames a second of what the element shows; back to looking when it stops showing the track. */
  #readElement(track: MediaStreamTrack, el: RvfcVideo, lost: () => void): void {
    let lastQualityMs = -Infinity;
    const next = () => {
      if (track.readyState === 'ended') return;
      if (!(el.srcObject instanceof MediaStream && el.srcObject.getVideoTracks().includes(track))) return lost();
      el.requestVideoFrameCallback((_now, meta) => {
        const shownMs = performance.timeOrigin + meta.expectedDisplayTime;
        const delay = this.#delay(el, meta.width, meta.height, shownMs);
        if (delay !== undefined && this.config.video) this.#displayed.push(delay);
        if (this.#qualityEveryMs > 0 && shownMs - lastQualityMs >= this.#qualityEveryMs && delay !== undefined) {
          lastQualityMs = shownMs;
          this.#quality(el, meta.width, meta.height);
        }
        setTimeout(next, this.#sampleEveryMs);
      });
    };
    next();
  }

  /** No element shows the track: read its decoded frames (all of them, or the processor's queue backs up). */
  async #readTrack(track: MediaStreamTrack): Promise<void> {
    const Processor = (globalThis as unknown as Record<string, (new (init: { track: MediaStreamTrack }) => { readable: ReadableStream<VideoFrame> }) | undefined>)['MediaStreamTrackProcessor'];
    if (!Processor) return this.report('video marks: no element shows a remote video track and there is no MediaStreamTrackProcessor: no glass-to-glass');
    const reader: Reader<VideoFrame> = new Processor({ track }).readable.getReader();
    let lastSampleMs = -Infinity;
    let lastQualityMs = -Infinity;
    for (;;) {
      const { value: frame, done } = await reader.read();
      if (done || !frame) return;
      const nowMs = wallNowMs();
      try {
        if (nowMs - lastSampleMs >= this.#sampleEveryMs) {
          lastSampleMs = nowMs;
          const delay = this.#delay(frame, frame.displayWidth, frame.displayHeight, nowMs);
          if (delay !== undefined && this.config.video) this.#decoded.push(delay);
          if (this.#qualityEveryMs > 0 && delay !== undefined && nowMs - lastQualityMs >= this.#qualityEveryMs) {
            lastQualityMs = nowMs;
            this.#quality(frame, frame.displayWidth, frame.displayHeight);
          }
        }
      } finally {
        frame.close();
      }
    }
  }

  /** The stamp in the picture's top strip, as a delay to `atMs`; undefined when unreadable. */
  #delay(picture: CanvasImageSource, width: number, height: number, atMs: number): number | undefined {
    const strip = this.#strip;
    if (!strip || !(width > 0 && height > 0)) return undefined;
    if (!this.config.video) return 0; // no stamps to read: any frame will do for quality (0 is never recorded)
    const stripSrcH = 2 * STAMP.rowFraction * height;
    strip.ctx.drawImage(picture, 0, 0, width, stripSrcH, 0, 0, STRIP_W, STRIP_H);
    const px = strip.ctx.getImageData(0, 0, STRIP_W, STRIP_H).data;
    const luma = (x: number, y: number) => {
      const i = (Math.min(STRIP_H - 1, y) * STRIP_W + Math.min(STRIP_W - 1, x)) * 4;
      return lumaOfRgb(px[i] ?? 0, px[i + 1] ?? 0, px[i + 2] ?? 0);
    };
    // the strip is drawn as if the frame were STRIP_W wide and STRIP_H / (2 rowFraction) high
    const stamp = readCode(luma, STRIP_W, Math.round(STRIP_H / (2 * STAMP.rowFraction)), STAMP);
    return stamp === undefined ? undefined : Math.round(elapsedSinceStamp(stamp, atMs) * 10) / 10;
  }

  /** The picture at the source size, luma only, queued for Node. */
  #quality(picture: CanvasImageSource, width: number, height: number): void {
    if (this.#frames.length >= MAX_QUEUED_FRAMES) return;
    const w = this.config.source?.width ?? width;
    const h = this.config.source?.height ?? height;
    // one canvas for every sample: a new one each time holds its pixels until a GC
    if (!this.#full || this.#full.canvas.width !== w || this.#full.canvas.height !== h) {
      const canvas = new OffscreenCanvas(w, h);
      const c = canvas.getContext('2d', { willReadFrequently: true });
      this.#full = c ? { canvas, ctx: c } : undefined;
    }
    const ctx = this.#full?.ctx;
    if (!ctx) return;
    ctx.drawImage(picture, 0, 0, w, h);
    const px = ctx.getImageData(0, 0, w, h).data;
    const luma = new Uint8Array(w * h);
    for (let i = 0, j = 0; i < luma.length; i++, j += 4) luma[i] = lumaOfRgb(px[j] ?? 0, px[j + 1] ?? 0, px[j + 2] ?? 0);
    let binary = '';
    for (let i = 0; i < luma.length; i += 0x8000) binary += String.fromCharCode(...luma.subarray(i, i + 0x8000));
    this.#frames.push({ width: w, height: h, luma: btoa(binary) });
  }

  async #readAudio(track: MediaStreamTrack): Promise<void> {
    const Processor = (globalThis as unknown as Record<string, (new (init: { track: MediaStreamTrack }) => { readable: ReadableStream<AudioData> }) | undefined>)['MediaStreamTrackProcessor'];
    if (!Processor) return;
    const reader: Reader<AudioData> = new Processor({ track }).readable.getReader();
    const detector = new BurstDetector();
    const clock = new MediaClock();
    let samples = new Float32Array(0);
    for (;;) {
      const { value: data, done } = await reader.read();
      if (done || !data) return;
      try {
        const n = data.numberOfFrames;
        if (samples.length !== n) samples = new Float32Array(n);
        data.copyTo(samples, { planeIndex: 0, format: 'f32-planar' });
        const endMs = clock.wallMs(data.timestamp + (n * 1e6) / data.sampleRate, wallNowMs());
        for (const onset of detector.push(samples, data.sampleRate, endMs)) {
          const delay = burstDelayMs(onset);
          if (delay < BURST_PERIOD_MS) this.#audio.push(Math.round(delay * 10) / 10);
        }
      } finally {
        data.close();
      }
    }
  }
}

/** Marks on: the sender's stamps and bursts on getUserMedia, and the readers for remote tracks. */
export function installMarks(config: MarksConfig, report: Report): MarkReaders {
  const readers = new MarkReaders(config, report);
  if (config.video || config.audio) markUserMedia({ video: config.video, audio: config.audio }, report, () => readers.senderDropped());
  return readers;
}
