// resolvePlan: a validated plan → the numbers a run needs: user counts per journey per phase
// after --scale (and optionally scaled durations), phase timings in ms, the shard and the seed.
// Sharding itself happens per virtual user in fleet/scheduler.ts buildSchedule (index % n).
//
// Scale rule (also in plans/README.md): a phase's scaled target is round(targetUsers × scale);
// it is split over the phase's scenarios in proportion to their users by largest remainder
// (ties go to the earlier scenario). A scenario that had users > 0 then gets at least 1 user,
// so every journey of the plan still runs — unless the phase's scaled target is 0, in which case
// the whole phase has 0 users. So the scaled targetUsers may exceed round(targetUsers × scale)
// by at most the number of scenarios.
import { UsageError } from '../common/errors.ts';
import { seedFromString } from '../common/random.ts';
import { shardProblem, unsharded, type Shard } from './shard.ts';
import { parseDurationMs } from './duration.ts';
import { largestRemainder } from './largest-remainder.ts';
export { largestRemainder };

import { sampleBrowserUsers } from './browser-sample.ts';
import { planCatalog, type PlanCatalog } from './catalog.ts';
import { mergeParams } from '../journeys/params.ts';
import type { MediaSize, Plan, ThresholdSpec } from './schema.ts';
import { sharesOf, type NetworkShares } from '../network/assign.ts';
import type { NetworkProfile } from '../network/profile.ts';
import { nameProblem } from '../network/validate.ts';

export { parseShard, type Shard } from './shard.ts';

export interface ResolveOptions {
  /** multiply every user count (0.01 runs the 10K shape on one machine); default 1 */
  readonly scale?: number;
  /** also multiply ramp and hold durations by scale */
  readonly scaleDurations?: boolean;
  /** multiply ramp and hold durations by this, whatever the user scale (--duration-scale); not with scaleDurations */
  readonly durationScale?: number;
  /** 1-based i of n; default 1/1 */
  readonly shard?: Shard;
  /** run seed for behaviour profiles; default: derived from the plan name */
  readonly seed?: number;
  /** --network: this preset for every user, over the scenarios' own */
  readonly network?: string;
}

export interface ResolvedScenario {
  readonly journey: string;
  /** the driver its users run on ('browser' unless the plan says otherwise) */
  readonly driver: string;
  readonly users: number;
  /** the plan's overrides only; the VU merges them over the journey's defaults */
  readonly params: Readonly<Record<string, unknown>>;
  /** the scenario's network as shares of profile names (ResolvedPlan.networks); absent: none */
  readonly network?: NetworkShares;
}

export interface ResolvedPhase {
  readonly index: number;
  readonly name: string;
  /** users of the whole (unsharded) plan at the end of the ramp: the sum of the scenarios */
  readonly targetUsers: number;
  readonly rampUpMs: number;
  readonly durationMs: number;
  /** offsets from the run start */
  readonly startMs: number;
  readonly rampEndMs: number;
  readonly endMs: number;
  readonly scenarios: readonly ResolvedScenario[];
}

export interface ResolvedPlan {
  readonly name: string;
  readonly description?: string;
  readonly phases: readonly ResolvedPhase[];
  /** as in the plan, with count thresholds scaled like the load (see scaleCountThreshold) */
  readonly thresholds: Readonly<Record<string, readonly (string | ThresholdSpec)[]>>;
  /** the plan's own metrics, kept in summary.json so merge and report know them */
  readonly metrics?: Plan['metrics'];
  readonly media: { readonly camera?: MediaSize; readonly screen?: MediaSize };
  readonly limits: { readonly maxUsers?: number; readonly maxArrivalsPerSecond?: number };
  readonly gracefulStopMs: number;
  readonly thinkTimeScale: number;
  /** the built-in error gate applies (the plan did not say defaultThresholds: false) */
  readonly defaultThresholds: boolean;
  /** the plan's browser sample, when it is hybrid (plans/browser-sample.ts) */
  readonly browserSample?: Plan['browserSample'];
  readonly scale: number;
  readonly scaleDurations: boolean;
  /** what phase durations were multiplied by (--duration-scale, or --scale with --scale-durations; 1 otherwise) */
  readonly durationScale: number;
  readonly shard: Shard;
  readonly seed: number;
  readonly totalDurationMs: number;
  /** the largest phase target of the whole plan (all shards) */
  readonly peakUsers: number;
  /** the network profiles users get, by name; empty when no user has a network (then no metric carries a network tag) */
  // optional so resolved plans written by hand (tests, older plan.json) need not name it
  readonly networks?: Readonly<Record<string, NetworkProfile>>;
}

export const defaultGracefulStopMs = 30_000;

/** Resolve a validated plan. Throws UsageError (exit 2) for a bad scale/shard or a plan above limits.maxUsers. */
/** The resolve options' own problems (bad --scale, --shard, --seed, --network, --duration-scale), all at once. */
function optionProblems(plan: Plan, options: ResolveOptions, scale: number, shard: Shard): string[] {
  const problems: string[] = [];
  if (!Number.isFinite(scale) || scale <= 0) problems.push(`--scale: expected a number > 0 like 0.01, got ${scale}`);
  const badShard = shardProblem(shard);
  if (badShard) problems.push(badShard);
  if (options.seed !== undefined && !Number.isFinite(options.seed)) problems.push(`--seed: expected a whole number, got ${options.seed}`);
  const badNetwork = options.network !== undefined ? nameProblem('--network', options.network, (plan.networks ?? []).map((n) => n.name)) : undefined;
  if (badNetwork) problems.push(badNetwork);
  if (options.durationScale !== undefined && options.scaleDurations) problems.push(`--duration-scale ${options.durationScale} and --scale-durations both set how long phases last: give one (--scale-durations is --duration-scale equal to --scale)`);
  if (options.durationScale !== undefined && !(options.durationScale > 0)) problems.push(`--duration-scale: expected a number > 0 like 0.1, got ${options.durationScale}`);
  return problems;
}

export function resolvePlan(plan: Plan, options: ResolveOptions = {}): ResolvedPlan {
  const scale = options.scale ?? 1;
  const shard = options.shard ?? unsharded;
  const problems = optionProblems(plan, options, scale, shard);
  if (problems.length > 0) throw new UsageError(problems);

  // durations on their own (--duration-scale), or tied to the users (--scale-durations)
  const durationScale = options.durationScale ?? (options.scaleDurations ? scale : 1);
  const catalog = planCatalog(plan);
  let atMs = 0;
  const networks: Record<string, NetworkProfile> = {};
  const networkOf = (choice: Plan['phases'][number]['scenarios'][number]['network']) => {
    const chosen = options.network ?? choice;
    return chosen === undefined ? {} : { network: sharesOf(chosen, plan.networks ?? [], networks) };
  };
  const phases = plan.phases.map((phase, index): ResolvedPhase => {
    const rampUpMs = Math.round(parseDurationMs(phase.rampUp, `phases[${index}].rampUp`) * durationScale);
    const durationMs = Math.round(parseDurationMs(phase.duration, `phases[${index}].duration`) * durationScale);
    const minimums = phase.scenarios.map((s) => usersWorthRunning(catalog, { journey: s.journey, params: s.params ?? {} }));
    const users = scaleUsers(scenarioUsers(phase.targetUsers, phase.scenarios), phase.targetUsers, scale, minimums);
    const scaled = phase.scenarios.map((scenario, i) => ({ journey: scenario.journey, driver: scenario.driver ?? 'browser', users: users[i]!, params: { ...scenario.params }, ...networkOf(scenario.network) }));
    const scenarios = plan.browserSample ? sampleBrowserUsers(scaled, plan.browserSample, (s) => usersWorthRunning(catalog, s)) : scaled;
    const startMs = atMs;
    atMs += rampUpMs + durationMs;
    return {
      index,
      name: phase.name,
      targetUsers: users.reduce((a, b) => a + b, 0),
      rampUpMs,
      durationMs,
      startMs,
      rampEndMs: startMs + rampUpMs,
      endMs: atMs,
      scenarios,
    };
  });
  const peakUsers = Math.max(0, ...phases.map((phase) => phase.targetUsers));
  const maxUsers = plan.limits?.maxUsers;
  if (maxUsers !== undefined && peakUsers > maxUsers) {
    const worst = phases.find((phase) => phase.targetUsers === peakUsers)!;
    throw new UsageError([
      `${plan.name}: phases[${worst.index}] '${worst.name}' runs ${peakUsers} users (after --scale ${scale}) but limits.maxUsers is ${maxUsers}; lower --scale or raise limits.maxUsers in the plan`,
    ]);
  }
  const thresholds: Record<string, (string | ThresholdSpec)[]> = {};
  for (const [metric, list] of Object.entries(plan.thresholds ?? {})) {
    thresholds[metric] = list.map((item) =>
      typeof item === 'string'
        ? scaleCountThreshold(item, scale * durationScale)
        : { ...item, threshold: scaleCountThreshold(item.threshold, scale * durationScale) },
    );
  }
  return {
    name: plan.name,
    ...(plan.description !== undefined ? { description: plan.description } : {}),
    phases,
    thresholds,
    ...(plan.metrics ? { metrics: plan.metrics } : {}),
    media: { ...plan.media },
    limits: { ...plan.limits },
    gracefulStopMs: plan.gracefulStop !== undefined ? parseDurationMs(plan.gracefulStop, 'gracefulStop') : defaultGracefulStopMs,
    thinkTimeScale: plan.thinkTimeScale ?? 1,
    defaultThresholds: plan.defaultThresholds ?? true,
    ...(plan.browserSample ? { browserSample: plan.browserSample } : {}),
    scale,
    scaleDurations: options.scaleDurations ?? false,
    durationScale,
    shard,
    seed: Math.trunc(options.seed ?? seedFromString(plan.name)),
    totalDurationMs: atMs,
    peakUsers,
    networks,
  };
}

/** Users per scenario: as given, or targetUsers split by weight with largest remainder. */
export function scenarioUsers(targetUsers: number, scenarios: readonly { users?: number; weight?: number }[]): number[] {
  if (scenarios.every((scenario) => scenario.users !== undefined)) return scenarios.map((scenario) => scenario.users!);
  return largestRemainder(targetUsers, scenarios.map((scenario) => scenario.weight ?? 0));
}

/** Apply the scale rule (see the top of this file) to one phase's scenario users. */
export function scaleUsers(users: readonly number[], targetUsers: number, scale: number, minimums: readonly number[] = []): number[] {
  if (scale === 1) return [...users];
  const scaledTarget = Math.round(targetUsers * scale);
  if (scaledTarget === 0) return users.map(() => 0);
  // a scenario keeps at least its minimum (1; 2 for a call, so callers meet), never more than it had
  return largestRemainder(scaledTarget, users).map((count, i) => (users[i]! > 0 ? Math.max(Math.min(users[i]!, minimums[i] ?? 1), count) : 0));
}

/**
 * Counts grow with users (and with time when durations are scaled), so a count threshold written
 * for the full plan ('count>3000000') is scaled by the same factor; other expressions are kept.
 */
export function scaleCountThreshold(expression: string, factor: number): string {
  if (factor === 1) return expression;
  const match = /^\s*count\s*(>=|>|<=|<|==|!=)\s*(\d+(?:\.\d+)?)\s*$/.exec(expression);
  if (!match) return expression;
  return `count${match[1]}${Math.round(Number(match[2]) * factor)}`;
}

/** The fewest users of a scenario worth running (on one driver): 2 for a call journey, so they meet in a call; else 1. */
function usersWorthRunning(catalog: PlanCatalog, scenario: { journey: string; params: Readonly<Record<string, unknown>> }): number {
  const journey = catalog.journey(scenario.journey);
  const room = journey?.callRoom?.(mergeParams(journey.defaults, scenario.params));
  return room && room.expectsPeers !== false ? 2 : 1;
}
