import { describe, expect, it } from 'vitest';
import { drawProfile } from '../fleet/users/profile.ts';
import { createRng, seedFromString, userSeed } from './random.ts';

const draw = (seed: number, n: number): number[] => {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => rng.next());
};

describe('createRng', () => {
  it('is deterministic per seed and differs between seeds', () => {
    expect(draw(42, 20)).toEqual(draw(42, 20));
    expect(draw(42, 20)).not.toEqual(draw(43, 20));
    // the same draws as every earlier version: a run's --seed replays the same users across releases
    const rng = createRng(42);
    expect([rng.next(), rng.between(1, 5), rng.gaussian(0, 1), rng.gaussian(0, 1), rng.pick([1, 2, 3, 4, 5])]).toEqual([0.07545022876001894, 3.166774825192988, 1.2355406910032296, 1.018072003068746, 1]);
  });

  it('is uniform enough in [0, 1) and its gaussian has the asked mean and deviation', () => {
    const rng = createRng(7);
    const values = Array.from({ length: 20_000 }, () => rng.next());
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const buckets = new Array(10).fill(0);
    for (const v of values) buckets[Math.floor(v * 10)]++;
    for (const count of buckets) expect(Math.abs(count - 2000)).toBeLessThan(200);
    const g = Array.from({ length: 20_000 }, () => rng.gaussian(30, 10));
    const mean = g.reduce((a, b) => a + b, 0) / g.length;
    const sd = Math.sqrt(g.reduce((a, b) => a + (b - mean) ** 2, 0) / g.length);
    expect(Math.abs(mean - 30)).toBeLessThan(0.3);
    expect(Math.abs(sd - 10)).toBeLessThan(0.3);
  });

  it('rejects a non-finite seed', () => {
    expect(() => createRng(NaN)).toThrow(/seed must be a finite number, got NaN/);
  });

  it('gives each VU its own stream', () => {
    const seeds = new Set(Array.from({ length: 10_000 }, (_, i) => userSeed(1, i)));
    expect(seeds.size).toBe(10_000);
    expect(userSeed(1, 5)).toBe(userSeed(1, 5));
    expect(userSeed(1, 5)).not.toBe(userSeed(2, 5));
    expect(seedFromString('smoke')).toBe(seedFromString('smoke'));
  });
});

describe('drawProfile', () => {
  it('same seed → same profile; different seeds → different', () => {
    expect(drawProfile(createRng(userSeed(9, 3)))).toEqual(drawProfile(createRng(userSeed(9, 3))));
    expect(drawProfile(createRng(userSeed(9, 3)))).not.toEqual(drawProfile(createRng(userSeed(9, 4))));
  });

  it('follows the seed distributions and clamps', () => {
    const profiles = Array.from({ length: 5_000 }, (_, i) => drawProfile(createRng(userSeed(1, i))));
    const mean = (f: (p: (typeof profiles)[number]) => number): number => profiles.reduce((a, p) => a + f(p), 0) / profiles.length;
    expect(mean((p) => p.messagesPerHour)).toBeGreaterThan(29);
    expect(mean((p) => p.messagesPerHour)).toBeLessThan(31.5);
    expect(Math.abs(mean((p) => p.voiceActivity) - 0.4)).toBeLessThan(0.01);
    expect(Math.abs(mean((p) => (p.videoEnabled ? 1 : 0)) - 0.7)).toBeLessThan(0.03);
    expect(Math.abs(mean((p) => (p.screenShares ? 1 : 0)) - 0.1)).toBeLessThan(0.02);
    expect(Math.abs(mean((p) => p.reactionTimeMs) - 2000)).toBeLessThan(30);
    for (const p of profiles) {
      expect(p.messagesPerHour).toBeGreaterThanOrEqual(1);
      expect(p.voiceActivity).toBeGreaterThanOrEqual(0.05);
      expect(p.voiceActivity).toBeLessThanOrEqual(0.95);
      expect(p.reactionTimeMs).toBeGreaterThanOrEqual(200);
      expect(p.sessionDurationMs).toBeGreaterThanOrEqual(60_000);
    }
  });
});
