// Every problem with a plan's networks at once, with where and how to fix, on the raw input (so
// they are found even when another part of the plan is malformed): the plan's own `networks`,
// each scenario's `network`, and --network. Misspelled names and keys get a "did you mean".
import { didYouMeanQuoted } from '../common/suggest.ts';
import { tryParseDurationMs } from '../plans/duration.ts';
import { presetNames } from './profile.ts';

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const show = (v: unknown) => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v) ?? String(v));

const linkLimits: Record<string, { min: number; max: number; what: string; whole?: boolean }> = {
  rateKbps: { min: 1, max: 10_000_000, what: 'kbit/s > 0, like 300' },
  delayMs: { min: 0, max: 10_000, what: 'ms ≥ 0, like 100' },
  jitterMs: { min: 0, max: 10_000, what: 'ms ≥ 0, like 10' },
  lossPercent: { min: 0, max: 100, what: 'a percentage from 0 to 100, like 5' },
  burstLoss: { min: 1, max: 10_000, what: 'a mean burst length in packets ≥ 1, like 3' },
  queuePackets: { min: 1, max: 100_000, what: 'a whole number of packets ≥ 1, like 100', whole: true },
};
const linkKeys = Object.keys(linkLimits);
const profileKeys = ['name', 'up', 'down', 'schedule'];
export const networkNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function unknownKeys(at: string, value: Record<string, unknown>, known: readonly string[]): string[] {
  return Object.keys(value)
    .filter((k) => !known.includes(k))
    .map((k) => `${at}: unknown key '${k}'; ${didYouMeanQuoted(k, known)}known: ${known.join(', ')}`);
}

function linkProblems(at: string, link: unknown): string[] {
  if (link === undefined) return [];
  if (!isRecord(link)) return [`${at}: expected a link like { rateKbps: 300, delayMs: 100, lossPercent: 5 }, got ${show(link)}`];
  const problems = unknownKeys(at, link, linkKeys);
  for (const [key, rule] of Object.entries(linkLimits)) {
    const v = link[key];
    if (v === undefined) continue;
    const ok = typeof v === 'number' && Number.isFinite(v) && v >= rule.min && v <= rule.max && (!rule.whole || Number.isInteger(v)) && !(key === 'rateKbps' && v <= 0);
    if (!ok) problems.push(`${at}.${key}: expected ${rule.what}, got ${show(v)}`);
  }
  return problems;
}

/** Problems of one profile object (`named`: it must carry a name, as in the plan's `networks`). */
export function profileProblems(at: string, profile: unknown): string[] {
  if (!isRecord(profile)) return [`${at}: expected a profile like { name: 'slow', down: { delayMs: 100 } }, got ${show(profile)}`];
  const problems = unknownKeys(at, profile, profileKeys);
  if (typeof profile.name !== 'string' || !networkNamePattern.test(profile.name)) {
    problems.push(`${at}.name: expected a network name of letters, digits, '.', '_' or '-' (it becomes the metrics' network tag), got ${show(profile.name)}`);
  }
  problems.push(...linkProblems(`${at}.up`, profile.up), ...linkProblems(`${at}.down`, profile.down));
  if (profile.schedule !== undefined) {
    if (!Array.isArray(profile.schedule)) problems.push(`${at}.schedule: expected a list like [{ at: '30s', down: { rateKbps: 300 } }], got ${show(profile.schedule)}`);
    else {
      profile.schedule.forEach((step: unknown, i) => {
        const sat = `${at}.schedule[${i}]`;
        if (!isRecord(step)) return void problems.push(`${sat}: expected { at: '30s', up?, down? }, got ${show(step)}`);
        problems.push(...unknownKeys(sat, step, ['at', 'up', 'down']));
        if (tryParseDurationMs(step.at) === undefined) problems.push(`${sat}.at: expected a time after the load started like '30s' or '2m', got ${show(step.at)}`);
        problems.push(...linkProblems(`${sat}.up`, step.up), ...linkProblems(`${sat}.down`, step.down));
      });
    }
  }
  return problems;
}

/** A name a scenario or --network may use: a preset or one of the plan's `networks`. */
export function nameProblem(at: string, name: string, planNames: readonly string[]): string | undefined {
  const known = [...presetNames, ...planNames];
  if (known.includes(name)) return undefined;
  return `${at}: unknown network '${name}'; ${didYouMeanQuoted(name, known)}known: ${known.join(', ')} (or write a profile { name, up, down } in the plan's networks)`;
}

function choiceProblems(at: string, choice: unknown, planNames: readonly string[]): string[] {
  if (typeof choice === 'string') return [nameProblem(at, choice, planNames)].filter((p): p is string => !!p);
  if (isRecord(choice) && ('name' in choice || 'up' in choice || 'down' in choice || 'schedule' in choice)) return profileProblems(at, choice);
  if (isRecord(choice)) {
    const entries = Object.entries(choice);
    if (entries.length === 0) return [`${at}: expected shares like { '4g': 0.7, '3g': 0.3 }, got {}`];
    const problems: string[] = [];
    for (const [name, share] of entries) {
      const p = nameProblem(`${at}['${name}']`, name, planNames);
      if (p) problems.push(p);
      if (typeof share !== 'number' || !Number.isFinite(share) || share <= 0) problems.push(`${at}['${name}']: expected a share > 0 like 0.3, got ${show(share)}`);
    }
    return problems;
  }
  return [`${at}: expected a network preset name ('4g'), a profile ({ name, up, down, schedule }) or shares ({ '4g': 0.7, '3g': 0.3 }), got ${show(choice)}`];
}

/** Every network problem of a raw plan input. */
export function networkProblems(input: unknown): string[] {
  if (!isRecord(input)) return [];
  const problems: string[] = [];
  const planNames: string[] = [];
  if (input.networks !== undefined) {
    if (!Array.isArray(input.networks)) problems.push(`networks: expected a list of profiles like [{ name: 'hotel', down: { rateKbps: 800 } }], got ${show(input.networks)}`);
    else {
      input.networks.forEach((profile: unknown, i) => {
        problems.push(...profileProblems(`networks[${i}]`, profile));
        const name = isRecord(profile) ? profile.name : undefined;
        if (typeof name !== 'string') return;
        if (presetNames.includes(name) || planNames.includes(name)) problems.push(`networks[${i}].name: '${name}' is already ${presetNames.includes(name) ? 'a preset' : 'the name of another network'}; give it a name of its own`);
        planNames.push(name);
      });
    }
  }
  if (!Array.isArray(input.phases)) return problems;
  input.phases.forEach((phase: unknown, i) => {
    if (!isRecord(phase) || !Array.isArray(phase.scenarios)) return;
    phase.scenarios.forEach((scenario: unknown, j) => {
      if (isRecord(scenario) && scenario.network !== undefined) problems.push(...choiceProblems(`phases[${i}].scenarios[${j}].network`, scenario.network, planNames));
    });
  });
  return problems;
}
