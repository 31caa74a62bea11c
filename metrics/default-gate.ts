// The built-in gate (RELIABILITY.md "The verdict"): errors are judged even when the plan names no
// threshold, so a run whose users all fail can never pass. For every journey J of the plan, on
// each driver D it runs on (browser users and protocol users are judged apart):
//   journey.errors{journey:J,driver:D}          rate<0.01   failed iterations (the load-testing guide's <1% error rate)
//   step.errors{journey:J,driver:D,step:*}      rate<0.01   each step on its own, critical or not
//   journey.completed{journey:J,driver:D}       count>0     at least one iteration completed
//   connection.drops{journey:J,driver:D}        count<1     no connection closed under a user, and no frame
//   connection.protocol_errors{journey:J,...}   count<1     that breaks the protocol (D = the shipped protocol
//                                                           driver only; optional: no session, no data)
// A plan threshold on the same metric and the same (or a wider) set of series replaces the
// built-in one there (metrics/thresholds.ts isCoveredByPlan). `defaultThresholds: false` in a plan
// turns the gate off; the summary, the terminal and the report then say the run was not gated.
import { parseThresholds, type ParsedThreshold, type ParsedThresholds, type ThresholdObject } from './thresholds.ts';

export const defaultErrorRateLimit = 0.01;

export interface JourneyOnDriver {
  readonly journey: string;
  readonly driver: string;
}

/** the built-in thresholds for these journeys (on these drivers), as a plan would write them */
export function defaultGateSpec(pairs: readonly JourneyOnDriver[]): Record<string, ThresholdObject[]> {
  const spec: Record<string, ThresholdObject[]> = {};
  for (const { journey, driver } of pairs) {
    const tags = `journey:${journey},driver:${driver}`;
    spec[`journey.errors{${tags}}`] = [{ threshold: `rate<${defaultErrorRateLimit}` }];
    spec[`step.errors{${tags},step:*}`] = [{ threshold: `rate<${defaultErrorRateLimit}` }];
    spec[`journey.completed{${tags}}`] = [{ threshold: 'count>0' }];
    // a drop fails an iteration too, but a loose plan threshold on journey.errors must not hide one.
    // Only the shipped protocol driver is known to report its connection (WaddleClient.onConnection);
    // a plan's own driver that does gets these by naming them in its thresholds
    if (driver === 'protocol') {
      spec[`connection.drops{${tags}}`] = [{ threshold: 'count<1', optional: true }];
      spec[`connection.protocol_errors{${tags}}`] = [{ threshold: 'count<1', optional: true }];
    }
  }
  return spec;
}

export interface GateInput {
  /** the plan's thresholds (after --scale) */
  readonly planThresholds: unknown;
  /** the journeys the plan runs (on the browser driver, unless `drivers` says on which) */
  readonly journeys: readonly string[];
  /** the journeys with the driver each runs on; overrides `journeys` */
  readonly drivers?: readonly JourneyOnDriver[];
  /** false when the plan says defaultThresholds: false */
  readonly defaults: boolean;
  /** the plan's phase names, to check {phase:...} filters */
  readonly phases?: readonly string[];
}

/** Everything the verdict judges: the plan's thresholds, then the built-in ones (unless turned off). */
export function buildGate(input: GateInput): ParsedThresholds {
  const plan = parseThresholds(input.planThresholds, input.phases);
  if (!input.defaults) return plan;
  const builtIn = parseThresholds(defaultGateSpec(input.drivers ?? input.journeys.map((journey) => ({ journey, driver: 'browser' }))));
  const marked: ParsedThreshold[] = builtIn.thresholds.map((t) => ({ ...t, source: 'default' }));
  return { ok: plan.ok && builtIn.ok, thresholds: [...plan.thresholds, ...marked], problems: [...plan.problems, ...builtIn.problems] };
}

/** Lines for the dry run and the terminal: what gates this run (built-in ones grouped per metric). */
export function describeGate(gate: readonly ParsedThreshold[], defaults: boolean): string[] {
  const own = gate.filter((t) => t.source === 'plan');
  const lines = own.map((t) => `${t.key} ${t.expression}${t.abortOnFail ? ' (abortOnFail)' : ''}`);
  if (!defaults) {
    lines.push(`built-in error gate: OFF (defaultThresholds: false)${own.length === 0 ? ' — nothing gates this run: a PASS only says it ran' : ''}`);
    return lines;
  }
  const groups = new Map<string, { journeys: string[]; replaced: string[] }>();
  for (const t of gate.filter((g) => g.source === 'default')) {
    const pattern = `${t.key.replace(/journey:[^,}]+,driver:[^,}]+/, 'journey:J,driver:D')} ${t.expression}`;
    const group = groups.get(pattern) ?? { journeys: [], replaced: [] };
    const journey = `${t.filter.journey ?? ''}${t.filter.driver && t.filter.driver !== 'browser' ? ` on ${t.filter.driver}` : ''}`;
    const covered = own.some((p) => p.metric === t.metric && p.phase === undefined && p.each.length === 0 && Object.entries(p.filter).every(([k, v]) => t.filter[k] === v));
    (covered ? group.replaced : group.journeys).push(journey);
    groups.set(pattern, group);
  }
  for (const [pattern, g] of groups) {
    const forWhom = g.journeys.length > 0 ? `for J (on D) = ${g.journeys.join(', ')}` : 'for no journey';
    lines.push(`${pattern} (built-in) ${forWhom}${g.replaced.length > 0 ? `; the plan's own replaces it for ${g.replaced.join(', ')}` : ''}`);
  }
  return lines;
}

/** The gate of a resolved plan as stored in plan.json / summary.plan (a shard merge re-evaluates it). */
export function gateInputOfStoredPlan(plan: unknown): GateInput | undefined {
  if (plan === null || typeof plan !== 'object') return undefined;
  const { phases, thresholds, defaultThresholds } = plan as { phases?: unknown; thresholds?: unknown; defaultThresholds?: unknown };
  if (!Array.isArray(phases)) return undefined;
  const pairs = new Map<string, JourneyOnDriver>();
  const phaseNames: string[] = [];
  for (const phase of phases as { name?: unknown; scenarios?: unknown }[]) {
    if (typeof phase?.name === 'string') phaseNames.push(phase.name);
    if (!Array.isArray(phase?.scenarios)) continue;
    for (const s of phase.scenarios as { journey?: unknown; driver?: unknown; users?: unknown }[]) {
      if (typeof s?.journey !== 'string' || (typeof s.users === 'number' && s.users <= 0)) continue;
      const driver = typeof s.driver === 'string' ? s.driver : 'browser';
      pairs.set(`${s.journey}\u0000${driver}`, { journey: s.journey, driver });
    }
  }
  const drivers = [...pairs.values()];
  return { planThresholds: thresholds ?? {}, journeys: [...new Set(drivers.map((p) => p.journey))], drivers, defaults: defaultThresholds !== false, phases: phaseNames };
}
