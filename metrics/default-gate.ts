// The built-in gate (RELIABILITY.md "The verdict"): errors are judged even when the plan names no
// threshold, so a run whose users all fail can never pass. For every journey of the plan:
//   journey.errors{journey:J}         rate<0.01   failed iterations (the load-testing guide's <1% error rate)
//   step.errors{journey:J,step:*}     rate<0.01   each step on its own, critical or not
//   journey.completed{journey:J}      count>0     at least one iteration completed
// A plan threshold on the same metric and the same (or a wider) set of series replaces the
// built-in one there (metrics/thresholds.ts isCoveredByPlan). `defaultThresholds: false` in a plan
// turns the gate off; the summary, the terminal and the report then say the run was not gated.
import { parseThresholds, type ParsedThreshold, type ParsedThresholds, type ThresholdObject } from './thresholds.ts';

export const defaultErrorRateLimit = 0.01;

/** the built-in thresholds for these journeys, as a plan would write them */
export function defaultGateSpec(journeys: readonly string[]): Record<string, ThresholdObject[]> {
  const spec: Record<string, ThresholdObject[]> = {};
  for (const journey of journeys) {
    spec[`journey.errors{journey:${journey}}`] = [{ threshold: `rate<${defaultErrorRateLimit}` }];
    spec[`step.errors{journey:${journey},step:*}`] = [{ threshold: `rate<${defaultErrorRateLimit}` }];
    spec[`journey.completed{journey:${journey}}`] = [{ threshold: 'count>0' }];
  }
  return spec;
}

export interface GateInput {
  /** the plan's thresholds (after --scale) */
  readonly planThresholds: unknown;
  /** the journeys the plan runs */
  readonly journeys: readonly string[];
  /** false when the plan says defaultThresholds: false */
  readonly defaults: boolean;
  /** the plan's phase names, to check {phase:...} filters */
  readonly phases?: readonly string[];
}

/** Everything the verdict judges: the plan's thresholds, then the built-in ones (unless turned off). */
export function buildGate(input: GateInput): ParsedThresholds {
  const plan = parseThresholds(input.planThresholds, input.phases);
  if (!input.defaults) return plan;
  const builtIn = parseThresholds(defaultGateSpec(input.journeys));
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
    const pattern = `${t.key.replace(/journey:[^,}]+/, 'journey:J')} ${t.expression}`;
    const group = groups.get(pattern) ?? { journeys: [], replaced: [] };
    const journey = t.filter.journey ?? '';
    const covered = own.some((p) => p.metric === t.metric && p.phase === undefined && p.each.length === 0 && Object.entries(p.filter).every(([k, v]) => t.filter[k] === v));
    (covered ? group.replaced : group.journeys).push(journey);
    groups.set(pattern, group);
  }
  for (const [pattern, g] of groups) {
    const forWhom = g.journeys.length > 0 ? `for J = ${g.journeys.join(', ')}` : 'for no journey';
    lines.push(`${pattern} (built-in) ${forWhom}${g.replaced.length > 0 ? `; the plan's own replaces it for ${g.replaced.join(', ')}` : ''}`);
  }
  return lines;
}

/** The gate of a resolved plan as stored in plan.json / summary.plan (a shard merge re-evaluates it). */
export function gateInputOfStoredPlan(plan: unknown): GateInput | undefined {
  if (plan === null || typeof plan !== 'object') return undefined;
  const { phases, thresholds, defaultThresholds } = plan as { phases?: unknown; thresholds?: unknown; defaultThresholds?: unknown };
  if (!Array.isArray(phases)) return undefined;
  const journeys = new Set<string>();
  const phaseNames: string[] = [];
  for (const phase of phases as { name?: unknown; scenarios?: unknown }[]) {
    if (typeof phase?.name === 'string') phaseNames.push(phase.name);
    if (!Array.isArray(phase?.scenarios)) continue;
    for (const s of phase.scenarios as { journey?: unknown; users?: unknown }[]) {
      if (typeof s?.journey === 'string' && (typeof s.users !== 'number' || s.users > 0)) journeys.add(s.journey);
    }
  }
  return { planThresholds: thresholds ?? {}, journeys: [...journeys], defaults: defaultThresholds !== false, phases: phaseNames };
}
