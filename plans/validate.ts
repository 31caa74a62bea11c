// validatePlan: every problem at once, each with where, what was expected, what was got and how
// to fix it, e.g. "smoke.ts: phases[1].rampUp: expected a duration like '30s', got 30".
// Structure comes from the zod schema; rules across fields (users add up, journeys exist,
// params are known) are checked here on the raw input, so they are reported even when some
// other field is malformed.
import type { z } from 'zod';
import { closestName } from '../common/suggest.ts';
import { declareMetrics } from '../metrics/custom-metrics.ts';
import { networkProblems } from '../network/validate.ts';
import { scenarioProblems } from './validate-scenarios.ts';
import { valueProblems } from './validate-values.ts';
import { planSchema, type Plan } from './schema.ts';
import { show } from './show-value.ts';

/** When the plan is not valid, `input` is what was read, so other checks (thresholds) can still report on it. */
export type PlanValidation = { ok: true; plan: Plan } | { ok: false; problems: string[]; input?: unknown };

type Path = readonly PropertyKey[];

export function validatePlan(input: unknown, where: string): PlanValidation {
  const problems: string[] = [];
  const parsed = planSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(...formatIssue(issue, [], input));
  }
  problems.push(...valueProblems(input), ...scenarioProblems(input), ...networkProblems(input), ...metricsProblems(input));
  const unique = [...new Set(problems)].map((problem) => `${where}: ${problem}`);
  if (unique.length > 0 || !parsed.success) return { ok: false, problems: unique, input };
  return { ok: true, plan: input as Plan };
}

/** The plan's own metrics, declared (so thresholds and recorders know them) when sound. */
function metricsProblems(input: unknown): string[] {
  if (input === null || typeof input !== 'object') return [];
  return declareMetrics((input as { metrics?: unknown }).metrics);
}

// ---- formatting zod issues ----

type Issue = z.core.$ZodIssue;

function formatIssue(issue: Issue, prefix: Path, input: unknown): string[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(path);
    return issue.keys.map((key) => {
      const suggestion = closestName(key, known);
      const hint = suggestion ? `did you mean '${suggestion}'? ` : '';
      return `${pathText([...path, key])}: unknown key; ${hint}known keys here: ${known.join(', ')}`;
    });
  }
  if (issue.code === 'invalid_union') {
    // Report the branch that matched the value's type (e.g. the object form of a threshold) in detail.
    const typed = issue.errors.filter((branch) => !branch.some((inner) => inner.path.length === 0 && inner.code !== 'unrecognized_keys'));
    if (typed.length === 1) return typed[0]!.flatMap((inner) => formatIssue(inner, path, input));
  }
  const got = valueAt(input, path);
  return [`${pathText(path)}: ${issue.message}, got ${show(got)}`];
}

const pathText = (path: Path): string =>
  path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), '') || '(plan)';

function valueAt(input: unknown, path: Path): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}


const keysOf = (shape: object): string[] => Object.keys(shape);
const planKeys = keysOf(planSchema.shape);
const phaseKeys = ['name', 'targetUsers', 'rampUp', 'duration', 'scenarios'];
const scenarioKeys = ['journey', 'driver', 'users', 'weight', 'params', 'network'];

function knownKeysAt(path: Path): string[] {
  const p = path.map((key) => (typeof key === 'number' ? '#' : String(key))).join('/');
  if (p === '') return planKeys;
  if (p === 'phases/#') return phaseKeys;
  if (p === 'phases/#/scenarios/#') return scenarioKeys;
  if (p === 'media') return ['camera', 'screen'];
  if (p === 'media/camera' || p === 'media/screen') return ['width', 'height', 'fps'];
  if (p === 'limits') return ['maxUsers', 'maxArrivalsPerSecond'];
  if (p === 'browserSample') return ['share', 'min', 'max', 'driver'];
  if (/^thresholds\/[^/]+\/#$/.test(p)) return ['threshold', 'abortOnFail', 'delayAbortEval', 'optional'];
  return [];
}

