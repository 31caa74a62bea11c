// validatePlan: every problem at once, each with where, what was expected, what was got and how
// to fix it, e.g. "smoke.ts: phases[1].rampUp: expected a duration like '30s', got 30".
// Structure comes from the zod schema; rules across fields (users add up, journeys exist,
// params are known) are checked here on the raw input, so they are reported even when some
// other field is malformed.
import type { z } from 'zod';
import { journeys } from '../journeys/registry.ts';
import { planSchema, type Plan } from './schema.ts';

export type PlanValidation = { ok: true; plan: Plan } | { ok: false; problems: string[] };

type Path = readonly PropertyKey[];

export function validatePlan(input: unknown, where: string): PlanValidation {
  const problems: string[] = [];
  const parsed = planSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(...formatIssue(issue, [], input));
  }
  problems.push(...semanticProblems(input));
  const unique = [...new Set(problems)].map((problem) => `${where}: ${problem}`);
  if (unique.length > 0 || !parsed.success) return { ok: false, problems: unique };
  return { ok: true, plan: input as Plan };
}

// ---- formatting zod issues ----

type Issue = z.core.$ZodIssue;

function formatIssue(issue: Issue, prefix: Path, input: unknown): string[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(path);
    return issue.keys.map((key) => {
      const suggestion = closest(key, known);
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

function show(value: unknown): string {
  if (value === undefined) return 'nothing (the key is missing)';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  let text: string;
  try {
    text = typeof value === 'string' ? `'${value}'` : JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

const keysOf = (shape: object): string[] => Object.keys(shape);
const planKeys = keysOf(planSchema.shape);
const phaseKeys = ['name', 'targetUsers', 'rampUp', 'duration', 'scenarios'];
const scenarioKeys = ['journey', 'users', 'weight', 'params'];

function knownKeysAt(path: Path): string[] {
  const p = path.map((key) => (typeof key === 'number' ? '#' : String(key))).join('/');
  if (p === '') return planKeys;
  if (p === 'phases/#') return phaseKeys;
  if (p === 'phases/#/scenarios/#') return scenarioKeys;
  if (p === 'media') return ['camera', 'screen'];
  if (p === 'media/camera' || p === 'media/screen') return ['width', 'height', 'fps'];
  if (p === 'limits') return ['maxUsers', 'maxArrivalsPerSecond'];
  if (/^thresholds\/[^/]+\/#$/.test(p)) return ['threshold', 'abortOnFail', 'delayAbortEval', 'optional'];
  return [];
}

/** The known name closest to a misspelling (case-insensitive equal, or edit distance ≤ 2). */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = candidate.toLowerCase() === name.toLowerCase() ? 0 : editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 4)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

// ---- rules across fields ----

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function semanticProblems(input: unknown): string[] {
  const problems: string[] = [];
  if (!isRecord(input) || !Array.isArray(input.phases)) return problems;
  const phaseNames = new Map<string, number>();
  input.phases.forEach((phase: unknown, i) => {
    if (!isRecord(phase)) return;
    const at = `phases[${i}]`;
    if (typeof phase.name === 'string') {
      const earlier = phaseNames.get(phase.name);
      if (earlier !== undefined) problems.push(`${at}.name: '${phase.name}' is also the name of phases[${earlier}]; give each phase its own name`);
      else phaseNames.set(phase.name, i);
    }
    if (!Array.isArray(phase.scenarios)) return;
    const scenarios = phase.scenarios.filter(isRecord);
    const seen = new Map<string, number>();
    phase.scenarios.forEach((scenario: unknown, j) => {
      if (!isRecord(scenario)) return;
      const sat = `${at}.scenarios[${j}]`;
      const name = scenario.journey;
      if (typeof name === 'string' && name.trim() !== '') {
        const journey = journeys[name];
        if (!journey) {
          const suggestion = closest(name, Object.keys(journeys));
          problems.push(
            `${sat}.journey: unknown journey '${name}'; ${suggestion ? `did you mean '${suggestion}'? ` : ''}known journeys: ${Object.keys(journeys).join(', ')}`,
          );
        } else if (isRecord(scenario.params)) {
          problems.push(...paramProblems(`${sat}.params`, scenario.params, journey.defaults, name));
        }
        const earlier = seen.get(name);
        if (earlier !== undefined) {
          problems.push(`${sat}.journey: '${name}' already appears in ${at}.scenarios[${earlier}]; give one scenario per journey per phase`);
        } else seen.set(name, j);
      }
      if (scenario.users !== undefined && scenario.weight !== undefined) {
        problems.push(`${sat}: give either users or weight, not both`);
      } else if (scenario.users === undefined && scenario.weight === undefined) {
        problems.push(`${sat}: give users (an exact count) or weight (a share of targetUsers)`);
      }
    });
    const withUsers = scenarios.filter((s) => s.users !== undefined);
    const withWeight = scenarios.filter((s) => s.weight !== undefined);
    if (withUsers.length > 0 && withWeight.length > 0) {
      problems.push(`${at}.scenarios: mixes users and weight; give users in every scenario of a phase, or weight in every one`);
    } else if (withUsers.length === scenarios.length && scenarios.length > 0 && Number.isSafeInteger(phase.targetUsers) && (phase.targetUsers as number) >= 0) {
      const users = withUsers.map((s) => s.users);
      if (users.every((u): u is number => typeof u === 'number' && Number.isFinite(u))) {
        const sum = users.reduce((a, b) => a + b, 0);
        if (sum !== phase.targetUsers) {
          problems.push(
            `${at}.scenarios: users add up to ${sum} but targetUsers is ${phase.targetUsers}; make them equal, or use weight to split targetUsers`,
          );
        }
      }
    }
  });
  return problems;
}

/** Params must be keys of the journey's defaults, of the same type: a misspelled param must not be ignored. */
function paramProblems(at: string, params: Record<string, unknown>, defaults: unknown, journey: string): string[] {
  if (!isRecord(defaults)) return [];
  const problems: string[] = [];
  const known = Object.keys(defaults);
  for (const [key, value] of Object.entries(params)) {
    if (!(key in defaults)) {
      const suggestion = closest(key, known);
      problems.push(
        `${at}.${key}: unknown parameter of ${journey}; ${suggestion ? `did you mean '${suggestion}'? ` : ''}known parameters: ${known.join(', ')}`,
      );
      continue;
    }
    const expected = defaults[key];
    if (isRecord(expected)) {
      if (!isRecord(value)) problems.push(`${at}.${key}: expected an object like ${JSON.stringify(expected)}, got ${show(value)}`);
      else problems.push(...paramProblems(`${at}.${key}`, value, expected, journey));
    } else if (typeof value !== typeof expected || (typeof value === 'number' && !Number.isFinite(value))) {
      problems.push(`${at}.${key}: expected a ${typeof expected} like ${JSON.stringify(expected)} (the default), got ${show(value)}`);
    }
  }
  return problems;
}
