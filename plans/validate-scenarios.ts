// Rules across a plan's phases and scenarios, on the raw input (so they are reported even when
// another field is malformed): phase names unique, journeys and drivers exist, a journey's needs
// are among its driver's capabilities, one scenario per journey and driver per phase, users add
// up, params are the journey's own.
import { didYouMeanQuoted } from '../common/suggest.ts';
import type { Driver } from '../clients/driver.ts';
import type { Journey } from '../journeys/types.ts';
import { defaultDriverName, planCatalog, type PlanCatalog } from './catalog.ts';
import { show } from './show-value.ts';

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

export function scenarioProblems(input: unknown): string[] {
  const problems: string[] = [];
  if (!isRecord(input) || !Array.isArray(input.phases)) return problems;
  const catalog = planCatalog({
    journeys: Array.isArray(input.journeys) ? input.journeys : [],
    drivers: Array.isArray(input.drivers) ? input.drivers : [],
  });
  const sampleDriver = isRecord(input.browserSample) && typeof input.browserSample.driver === 'string' ? input.browserSample.driver : defaultDriverName;
  if (isRecord(input.browserSample)) problems.push(...sampleDriverProblems(sampleDriver, catalog));
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
    const seen = new Map<string, number>();
    phase.scenarios.forEach((scenario: unknown, j) => {
      if (!isRecord(scenario)) return;
      const sat = `${at}.scenarios[${j}]`;
      problems.push(...oneScenarioProblems(sat, scenario, catalog, isRecord(input.browserSample) ? sampleDriver : undefined));
      const driver = String(scenario.driver ?? defaultDriverName);
      const key = `${String(scenario.journey)}\u0000${driver}`;
      const earlier = seen.get(key);
      const onDriver = driver === defaultDriverName ? '' : ` on driver '${driver}'`;
      if (earlier !== undefined) problems.push(`${sat}.journey: '${String(scenario.journey)}' already appears in ${at}.scenarios[${earlier}]${onDriver}; give one scenario per journey and driver per phase`);
      else seen.set(key, j);
    });
    problems.push(...userProblems(at, phase));
  });
  return problems;
}

function oneScenarioProblems(at: string, scenario: Record<string, unknown>, catalog: PlanCatalog, sampleDriver: string | undefined): string[] {
  const problems: string[] = [];
  const journey = typeof scenario.journey === 'string' && scenario.journey.trim() !== '' ? lookupJourney(`${at}.journey`, scenario.journey, catalog, problems) : undefined;
  const driverName = typeof scenario.driver === 'string' ? scenario.driver : defaultDriverName;
  const driver = lookupDriver(`${at}.driver`, driverName, catalog, problems);
  if (journey && isRecord(scenario.params)) problems.push(...paramProblems(`${at}.params`, scenario.params, journey.defaults, journey.name));
  if (journey && driver) problems.push(...capabilityProblems(at, journey, driver));
  // users sampled into browser users run this journey on the sample driver too
  const sample = sampleDriver !== undefined && driverName === 'protocol' ? catalog.driver(sampleDriver) : undefined;
  if (journey && sample) problems.push(...capabilityProblems(`${at} (browserSample)`, journey, sample));
  if (scenario.users !== undefined && scenario.weight !== undefined) problems.push(`${at}: give either users or weight, not both`);
  else if (scenario.users === undefined && scenario.weight === undefined) problems.push(`${at}: give users (an exact count) or weight (a share of targetUsers)`);
  return problems;
}

function lookupJourney(at: string, name: string, catalog: PlanCatalog, problems: string[]): Journey | undefined {
  const journey = catalog.journey(name);
  if (!journey) problems.push(`${at}: unknown journey '${name}'; ${didYouMeanQuoted(name, catalog.journeyNames)}known journeys: ${catalog.journeyNames.join(', ')} (a plan adds its own with journeys: [...])`);
  return journey;
}

function lookupDriver(at: string, name: string, catalog: PlanCatalog, problems: string[]): Driver | undefined {
  const driver = catalog.driver(name);
  if (!driver) problems.push(`${at}: unknown driver '${name}'; ${didYouMeanQuoted(name, catalog.driverNames)}known drivers: ${catalog.driverNames.join(', ')} (a plan adds its own with drivers: [...])`);
  return driver;
}

function capabilityProblems(at: string, journey: Journey, driver: Driver): string[] {
  const has = new Set(Array.isArray(driver.capabilities) ? driver.capabilities : []);
  const missing = (journey.requires ?? []).filter((c) => !has.has(c));
  if (missing.length === 0) return [];
  return [
    `${at}: journey '${journey.name}' needs ${missing.map((c) => `'${c}'`).join(', ')}, which driver '${driver.name}' does not have ` +
      `(it has: ${[...has].join(', ') || 'nothing'}); pair ${journey.name} with a driver that has ${missing.join(', ')}, or give '${driver.name}' that capability`,
  ];
}

function sampleDriverProblems(name: string, catalog: PlanCatalog): string[] {
  const driver = catalog.driver(name);
  if (!driver) return [`browserSample.driver: unknown driver '${name}'; known drivers: ${catalog.driverNames.join(', ')}`];
  if (driver.kind !== 'browser') return [`browserSample.driver: '${name}' is a ${driver.kind} driver; the sample measures what users feel, so name a browser driver`];
  return [];
}

function userProblems(at: string, phase: Record<string, unknown>): string[] {
  const scenarios = (phase.scenarios as unknown[]).filter(isRecord);
  const withUsers = scenarios.filter((s) => s.users !== undefined);
  const withWeight = scenarios.filter((s) => s.weight !== undefined);
  if (withUsers.length > 0 && withWeight.length > 0) return [`${at}.scenarios: mixes users and weight; give users in every scenario of a phase, or weight in every one`];
  if (withUsers.length !== scenarios.length || scenarios.length === 0 || !Number.isSafeInteger(phase.targetUsers) || (phase.targetUsers as number) < 0) return [];
  const users = withUsers.map((s) => s.users);
  if (!users.every((u): u is number => typeof u === 'number' && Number.isFinite(u))) return [];
  const sum = users.reduce((a, b) => a + b, 0);
  if (sum === phase.targetUsers) return [];
  return [`${at}.scenarios: users add up to ${sum} but targetUsers is ${phase.targetUsers}; make them equal, or use weight to split targetUsers`];
}

/** Params must be keys of the journey's defaults, of the same type: a misspelled param must not be ignored. */
function paramProblems(at: string, params: Record<string, unknown>, defaults: unknown, journey: string): string[] {
  if (!isRecord(defaults)) return [];
  const problems: string[] = [];
  const known = Object.keys(defaults);
  for (const [key, value] of Object.entries(params)) {
    if (!(key in defaults)) {
      problems.push(`${at}.${key}: unknown parameter of ${journey}; ${didYouMeanQuoted(key, known)}known parameters: ${known.join(', ')}`);
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
