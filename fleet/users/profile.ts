// Behaviour profiles (seed #57 generateBehaviorProfile), drawn from the user's seeded rng so a
// run seed reproduces every user's behaviour. Clamps keep the gaussian tails physical.
import type { BehaviourProfile, Rng } from '../../journeys/types.ts';

export type { BehaviourProfile };

const clamp = (value: number, min: number, max = Infinity): number => Math.min(max, Math.max(min, value));

export function drawProfile(rng: Rng): BehaviourProfile {
  return {
    messagesPerHour: clamp(rng.gaussian(30, 10), 1),
    voiceActivity: clamp(rng.gaussian(0.4, 0.1), 0.05, 0.95),
    videoEnabled: rng.next() < 0.7,
    screenShares: rng.next() < 0.1,
    reactionTimeMs: clamp(rng.gaussian(2_000, 500), 200),
    sessionDurationMs: clamp(rng.gaussian(30 * 60_000, 10 * 60_000), 60_000),
  };
}
