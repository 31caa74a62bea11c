// Which network each user gets: plan data resolved once (every shard deals the same). A scenario's
// `network` is a name, a profile, or shares of names; users of a scenario are dealt its shares in
// order so that every prefix of them holds the shares as closely as whole users can (user k goes
// to the choice furthest behind its share), ties broken by an order drawn from the run seed.
import { createRng } from '../common/random.ts';
import { networkPresets, type NetworkChoice, type NetworkProfile } from './profile.ts';

/** A scenario's network as shares of profile names (names found in the run's profiles). */
export type NetworkShares = readonly (readonly [string, number])[];

const isProfile = (c: NetworkChoice): c is NetworkProfile => typeof c === 'object' && typeof (c as { name?: unknown }).name === 'string';

/** The profile of a name: the plan's own first, then the presets. */
export function profileNamed(name: string, planNetworks: readonly NetworkProfile[] = []): NetworkProfile | undefined {
  return planNetworks.find((p) => p.name === name) ?? networkPresets[name];
}

/** A validated choice as shares; profiles it names or carries are added to `profiles`. */
export function sharesOf(choice: NetworkChoice, planNetworks: readonly NetworkProfile[], profiles: Record<string, NetworkProfile>): NetworkShares {
  const use = (name: string): string => {
    const p = profileNamed(name, planNetworks);
    if (p) profiles[name] = stripSource(p);
    return name;
  };
  if (typeof choice === 'string') return [[use(choice), 1]];
  if (isProfile(choice)) {
    profiles[choice.name] = choice;
    return [[choice.name, 1]];
  }
  return Object.entries(choice).map(([name, share]) => [use(name), share] as const);
}

function stripSource(p: NetworkProfile): NetworkProfile {
  const { name, up, down, schedule } = p;
  return { name, ...(up ? { up } : {}), ...(down ? { down } : {}), ...(schedule ? { schedule } : {}) };
}

/** Deals one scenario's users their networks (see the top of this file). */
export class NetworkDealer {
  readonly #counts: number[];
  readonly #tieOrder: number[];
  #dealt = 0;

  constructor(
    private readonly shares: NetworkShares,
    seed: number,
  ) {
    this.#counts = shares.map(() => 0);
    const rng = createRng(seed);
    this.#tieOrder = shares.map(() => rng.next());
  }

  next(): string {
    const total = this.shares.reduce((a, [, s]) => a + s, 0);
    let best = 0;
    let bestBehind = -Infinity;
    this.shares.forEach(([, share], i) => {
      const behind = (share / total) * (this.#dealt + 1) - this.#counts[i]!;
      if (behind > bestBehind + 1e-9 || (Math.abs(behind - bestBehind) <= 1e-9 && this.#tieOrder[i]! < this.#tieOrder[best]!)) {
        best = i;
        bestBehind = behind;
      }
    });
    this.#counts[best]!++;
    this.#dealt++;
    return this.shares[best]![0];
  }
}
