// Hybrid plans: most users speak the protocol (cheap; they load the server the same way), and a
// sample of them run in real browsers to measure what users feel. Per phase, of the users the
// plan gives to 'protocol' scenarios, round(share × them) — at least min, at most max and never
// more than there are — run on the sample's browser driver instead. The sample is spread over
// those scenarios so the browser users run the same journey mix: when the sample is big enough,
// every sampled journey gets its minimum first (a call journey 2, so its browser users meet in a
// call; others 1), the rest in proportion to their users (largest remainder). Each sampled
// scenario becomes two: the same journey on each driver.
import { largestRemainder } from './largest-remainder.ts';

export interface SampleSpec {
  readonly share: number;
  readonly min?: number;
  readonly max?: number;
  /** the browser driver the sample runs on; default 'browser' */
  readonly driver?: string;
}

interface ScenarioUsers {
  readonly journey: string;
  readonly driver: string;
  readonly users: number;
  readonly params: Readonly<Record<string, unknown>>;
}

/** How many of `protocolUsers` the sample takes. */
export function sampleSize(protocolUsers: number, spec: SampleSpec): number {
  const wanted = Math.max(spec.min ?? 0, Math.round(spec.share * protocolUsers));
  return Math.min(protocolUsers, spec.max ?? Infinity, wanted);
}

/** minimum: the fewest browser users worth sampling from a scenario (1, or 2 for a call). */
export function sampleBrowserUsers<S extends ScenarioUsers>(scenarios: readonly S[], spec: SampleSpec, minimum: (s: S) => number = () => 1): S[] {
  const sampled = scenarios.filter((s) => s.driver === 'protocol');
  const total = sampled.reduce((n, s) => n + s.users, 0);
  const shares = spread(sampleSize(total, spec), sampled, minimum);
  const out: S[] = [];
  for (const scenario of scenarios) {
    const i = sampled.indexOf(scenario);
    if (i < 0) {
      out.push(scenario);
      continue;
    }
    const browsers = shares[i]!;
    out.push({ ...scenario, users: scenario.users - browsers });
    if (browsers > 0) out.push({ ...scenario, driver: spec.driver ?? 'browser', users: browsers });
  }
  return out;
}

/** The sample over the scenarios: minimums first when they all fit, the rest by largest remainder. */
function spread<S extends ScenarioUsers>(size: number, sampled: readonly S[], minimum: (s: S) => number): number[] {
  const floors = sampled.map((s) => Math.min(s.users, minimum(s)));
  const floorSum = floors.reduce((a, b) => a + b, 0);
  const shares = floorSum > size ? largestRemainder(size, sampled.map((s) => s.users)) : addRest(floors, largestRemainder(size - floorSum, sampled.map((s, i) => s.users - floors[i]!)));
  // a call journey never keeps a single protocol user (it would sit alone in its call): take it too
  return shares.map((n, i) => (minimum(sampled[i]!) > 1 && sampled[i]!.users - n === 1 ? n + 1 : n));
}

const addRest = (floors: readonly number[], rest: readonly number[]): number[] => floors.map((f, i) => f + rest[i]!);
