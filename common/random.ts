// Deterministic randomness for virtual users: same run seed + same VU index → same behaviour,
// so a run can be replayed and two shards never draw the same user twice.

/** A deterministic random source (seeded per user). */
export interface Rng {
  /** uniform in [0, 1) */
  next(): number;
  between(min: number, max: number): number;
  gaussian(mean: number, stdDev: number): number;
  pick<T>(items: readonly T[]): T;
}

/** 32-bit avalanche mix (murmur3 finaliser) so nearby seeds give unrelated streams. */
function mix32(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A seeded Rng: sfc32 (passes PractRand; 128-bit state) seeded through mix32, with a
 * Box-Muller gaussian. Throws on a non-finite seed, because NaN would silently give one stream.
 */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) {
    throw new Error(`createRng: seed must be a finite number, got ${String(seed)}; pass e.g. --seed 42`);
  }
  const s = Math.trunc(seed);
  let a = mix32(s);
  let b = mix32(s ^ 0x9e3779b9);
  let c = mix32(Math.floor(s / 0x1_0000_0000) ^ 0x7f4a7c15);
  let d = 1;
  const nextU32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) nextU32(); // warm up: early outputs of sfc32 correlate with the seed
  let spareGaussian: number | undefined;

  const rng: Rng = {
    next: () => nextU32() / 0x1_0000_0000,
    between: (min, max) => min + (max - min) * rng.next(),
    gaussian: (mean, stdDev) => {
      if (spareGaussian !== undefined) {
        const z = spareGaussian;
        spareGaussian = undefined;
        return mean + stdDev * z;
      }
      // Box-Muller; 1 - u keeps the log argument in (0, 1].
      const u1 = 1 - rng.next();
      const u2 = rng.next();
      const radius = Math.sqrt(-2 * Math.log(u1));
      spareGaussian = radius * Math.sin(2 * Math.PI * u2);
      return mean + stdDev * radius * Math.cos(2 * Math.PI * u2);
    },
    pick: (items) => {
      if (items.length === 0) throw new Error('rng.pick: cannot pick from an empty list');
      return items[Math.floor(rng.next() * items.length)]!;
    },
  };
  return rng;
}

/** The seed of one virtual user: a function of the run seed and its global VU index only. */
export function userSeed(runSeed: number, vuIndex: number): number {
  return mix32(mix32(Math.trunc(runSeed) >>> 0) ^ mix32((vuIndex + 0x632be5ab) >>> 0));
}

/** A stable 32-bit seed from a string (a plan name), for runs without --seed. */
export function seedFromString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  }
  return mix32(h);
}
