// The audio mark: a short pure tone that replaces the mic signal at fixed wall-clock instants
// (every BURST_PERIOD_MS on the ms clock, so a receiver needs no sender id: the delay is the
// detected onset minus the last instant), and its detector (Goertzel at the tone's frequency).
// Pure (no DOM), unit-tested in Node.
// 2 kHz: inside every Opus bandwidth (narrowband keeps 4 kHz), and the fake mic (fake-media:
// a 190 Hz voice plus pink noise) is quiet there; replacing the mic for the burst, not adding to
// it, keeps the tone pure, so one 5 ms window tells tone from speech.

/** The wall clock both ends use: the page's time origin (wall-clock ms at its start, µs precision) plus its monotonic clock. */
export const wallNowMs = (): number => performance.timeOrigin + performance.now();

export const BURST_PERIOD_MS = 2000;
export const BURST_MS = 50;
export const TONE_HZ = 2000;
const TONE_AMPLITUDE = 0.5;
const WINDOW_MS = 5;
/** share of a window's energy at the tone's frequency for it to count as tone */
const MIN_TONE_RATIO = 0.5;
const MIN_TONE_RMS = 0.05;
/** consecutive tone windows that confirm an onset (20 ms) */
const CONFIRM_WINDOWS = 4;
/** silence from the tone before a new onset may start */
const REARM_MS = 500;

/** Writes bursts into chunks of one channel; the time of sample i is endMs - (n - i) / rate. */
export class BurstWriter {
  #period: number | undefined;
  #left = 0;
  #n = 0;

  /** Replaces the samples that fall in a burst, in place. endMs: wall-clock ms of the chunk's end. */
  write(samples: Float32Array, sampleRate: number, endMs: number): void {
    const msPerSample = 1000 / sampleRate;
    const startMs = endMs - samples.length * msPerSample;
    for (let i = 0; i < samples.length; i++) {
      const period = Math.floor((startMs + i * msPerSample) / BURST_PERIOD_MS);
      // the first chunk only sets the period: a burst begins only at an instant, never mid-way
      if (this.#period === undefined) this.#period = period;
      if (period !== this.#period) {
        this.#period = period;
        this.#left = Math.round((BURST_MS * sampleRate) / 1000);
        this.#n = 0;
      }
      if (this.#left > 0) {
        samples[i] = TONE_AMPLITUDE * Math.sin((2 * Math.PI * TONE_HZ * this.#n++) / sampleRate);
        this.#left--;
      }
    }
  }
}

/** Share of the window's energy at freqHz (1 for a pure tone on the bin), by Goertzel. */
export function toneRatio(x: Float32Array, from: number, n: number, freqHz: number, sampleRate: number): { ratio: number; rms: number } {
  const w = (2 * Math.PI * freqHz) / sampleRate;
  const coeff = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  let energy = 0;
  for (let i = from; i < from + n; i++) {
    const v = x[i] ?? 0;
    energy += v * v;
    const s0 = v + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return { ratio: energy > 0 ? power / ((n / 2) * energy) : 0, rms: Math.sqrt(energy / n) };
}

/** Finds burst onsets in a stream of chunks; returns their wall-clock ms. */
export class BurstDetector {
  #buf = new Float32Array(0);
  #run = 0;
  #runStartMs = 0;
  #lastToneMs = -Infinity;
  #armed = true;

  push(samples: Float32Array, sampleRate: number, endMs: number): number[] {
    const msPerSample = 1000 / sampleRate;
    const joined = new Float32Array(this.#buf.length + samples.length);
    joined.set(this.#buf);
    joined.set(samples, this.#buf.length);
    const win = Math.round((WINDOW_MS * sampleRate) / 1000);
    const startMs = endMs - joined.length * msPerSample;
    const onsets: number[] = [];
    let at = 0;
    for (; at + win <= joined.length; at += win) {
      const { ratio, rms } = toneRatio(joined, at, win, TONE_HZ, sampleRate);
      const t = startMs + at * msPerSample;
      if (ratio >= MIN_TONE_RATIO && rms >= MIN_TONE_RMS) {
        if (this.#run === 0) this.#runStartMs = t;
        this.#run++;
        this.#lastToneMs = t;
        if (this.#run === CONFIRM_WINDOWS && this.#armed) {
          onsets.push(this.#runStartMs);
          this.#armed = false;
        }
      } else {
        this.#run = 0;
        if (!this.#armed && t - this.#lastToneMs >= REARM_MS) this.#armed = true;
      }
    }
    this.#buf = joined.slice(at);
    return onsets;
  }
}

/** Mouth-to-ear delay of an onset: since the last burst instant (valid below BURST_PERIOD_MS). */
export function burstDelayMs(onsetMs: number): number {
  return ((onsetMs % BURST_PERIOD_MS) + BURST_PERIOD_MS) % BURST_PERIOD_MS;
}

/**
 * Wall-clock ms of media timestamps (AudioData/VideoFrame timestamps: µs, steady within a
 * track) from the times chunks reach the page: the page sees a chunk some time after its
 * timestamp, and that time jitters with the main thread, so the mapping keeps the smallest
 * arrival offset (the least-delayed chunk) over the last windowMs. The window is long (30 s):
 * a page starved for CPU for seconds reads every chunk late, and a short window would take
 * that lateness for the clock (measured: +400 ms on audio at load average 14 on 2 cores with a
 * 1 s window). Clock drift between the two over 30 s is a few µs.
 */
export class MediaClock {
  /** min offset per second of arrival */
  readonly #buckets = new Map<number, number>();
  constructor(private readonly windowMs = 30_000) {}

  /** arrivalMs: wall-clock now; mediaEndUs: the chunk's timestamp (plus its duration, for audio) */
  wallMs(mediaEndUs: number, arrivalMs: number): number {
    const offset = arrivalMs - mediaEndUs / 1000;
    const bucket = Math.floor(arrivalMs / 1000);
    const had = this.#buckets.get(bucket);
    if (had === undefined || offset < had) this.#buckets.set(bucket, offset);
    let min = offset;
    for (const [b, o] of this.#buckets) {
      if ((bucket - b) * 1000 > this.windowMs) this.#buckets.delete(b);
      else if (o < min) min = o;
    }
    return mediaEndUs / 1000 + min;
  }
}
