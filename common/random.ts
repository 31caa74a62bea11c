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
  return new Sfc32(Math.trunc(seed));
}

// A class, not closures over the state: every virtual user has one, and under tsx (esbuild
// keepNames) each named closure also gets its own property storage (~250 bytes); methods live once
// on the prototype.
class Sfc32 implements Rng {
  #a: number;
  #b: number;
  #c: number;
  #d = 1;
  #spareGaussian: number | undefined;

  constructor(s: number) {
    this.#a = mix32(s);
    this.#b = mix32(s ^ 0x9e3779b9);
    this.#c = mix32(Math.floor(s / 0x1_0000_0000) ^ 0x7f4a7c15);
    for (let i = 0; i < 12; i++) this.#nextU32(); // warm up: early outputs of sfc32 correlate with the seed
  }

  #nextU32(): number {
    const t = (((this.#a + this.#b) >>> 0) + this.#d) >>> 0;
    this.#d = (this.#d + 1) >>> 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) >>> 0;
    this.#c = ((this.#c << 21) | (this.#c >>> 11)) >>> 0;
    this.#c = (this.#c + t) >>> 0;
    return t;
  }

  next(): number {
    return this.#nextU32() / 0x1_0000_0000;
  }

  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  gaussian(mean: number, stdDev: number): number {
    if (this.#spareGaussian !== undefined) {
      const z = this.#spareGaussian;
      this.#spareGaussian = undefined;
      return mean + stdDev * z;
    }
    // Box-Muller; 1 - u keeps the log argument in (0, 1].
    const u1 = 1 - this.next();
    const u2 = this.next();
    const radius = Math.sqrt(-2 * Math.log(u1));
    this.#spareGaussian = radius * Math.sin(2 * Math.PI * u2);
    return mean + stdDev * radius * Math.cos(2 * Math.PI * u2);
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('rng.pick: cannot pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }
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
