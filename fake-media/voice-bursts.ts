// Speech-like on/off bursts: talk spurts and pauses whose lengths follow conversational
// speech (spurts ~0.4–2.5 s), sized so the talking share of the file matches voiceActivity.
// Deterministic (seeded) so the same inputs give the same file and cache key.
import { createRng } from '../common/random.ts';

export interface Burst {
  readonly startS: number;
  readonly endS: number;
}


/** Talk bursts covering about voiceActivity × seconds of [0, seconds). */
export function voiceBursts(voiceActivity: number, seconds: number, seed = 57): Burst[] {
  const ratio = Math.min(1, Math.max(0, voiceActivity));
  if (ratio <= 0) return [];
  if (ratio >= 1) return [{ startS: 0, endS: seconds }];
  const rng = createRng(seed);
  const rnd = (): number => rng.next();
  const bursts: Burst[] = [];
  let t = rnd() * 0.5;
  while (t < seconds) {
    const talk = 0.4 + rnd() * 2.1;
    // pause length chosen so talk / (talk + pause) ≈ ratio on average
    const pause = (talk * (1 - ratio)) / ratio;
    const endS = Math.min(seconds, t + talk);
    bursts.push({ startS: round(t), endS: round(endS) });
    t = endS + pause * (0.6 + rnd() * 0.8);
  }
  return bursts;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/** An ffmpeg volume expression that is 1 inside a burst and 0 outside. */
export function burstVolumeExpression(bursts: readonly Burst[]): string {
  if (bursts.length === 0) return '0';
  return bursts.map((b) => `between(t,${b.startS},${b.endS})`).join('+');
}
