// The values a plan carries — its own journeys and drivers — checked like the rest of the plan:
// every problem at once, with where and how to fix it. A plan's own journey or driver may not
// take a built-in's name, so a name in a scenario always means one thing.
import { builtInDrivers } from '../clients/drivers.ts';
import { capabilityNames, driverProblems } from '../clients/driver.ts';
import { builtInJourneys } from '../journeys/registry.ts';

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

export function valueProblems(input: unknown): string[] {
  if (!isRecord(input)) return [];
  return [...journeyValueProblems(input.journeys), ...driverValueProblems(input.drivers), ...sampleProblems(input)];
}

function journeyValueProblems(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  const problems: string[] = [];
  const seen = new Map<string, number>();
  list.forEach((journey: unknown, i) => {
    const at = `journeys[${i}]`;
    if (!isRecord(journey)) return; // the schema reports it
    const name = journey.name;
    if (typeof name !== 'string' || !/^[A-Za-z][A-Za-z0-9_-]*$/.test(name)) {
      problems.push(`${at}.name: expected a name of letters, digits, '_' or '-' starting with a letter, got ${JSON.stringify(name)}`);
    } else {
      if (name in builtInJourneys) problems.push(`${at}.name: '${name}' is the name of a built-in journey; give yours another name`);
      const earlier = seen.get(name);
      if (earlier !== undefined) problems.push(`${at}.name: '${name}' is also the name of journeys[${earlier}]; give each journey its own name`);
      else seen.set(name, i);
    }
    if (typeof journey.run !== 'function') problems.push(`${at}.run: expected an async function (ctx) => { ... } (use defineJourney)`);
    if (journey.defaults !== undefined && !isRecord(journey.defaults)) problems.push(`${at}.defaults: expected an object of default params, got ${JSON.stringify(journey.defaults)}`);
    if (journey.requires !== undefined) {
      if (!Array.isArray(journey.requires)) problems.push(`${at}.requires: expected a list of capabilities (${capabilityNames.join(', ')})`);
      else for (const c of journey.requires) if (!(capabilityNames as readonly unknown[]).includes(c)) problems.push(`${at}.requires: unknown capability ${JSON.stringify(c)}; known: ${capabilityNames.join(', ')}`);
    }
  });
  return problems;
}

function driverValueProblems(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  const problems: string[] = [];
  const seen = new Map<string, number>();
  list.forEach((driver: unknown, i) => {
    const at = `drivers[${i}]`;
    if (!isRecord(driver)) return;
    problems.push(...driverProblems(driver, at));
    const name = driver.name;
    if (typeof name !== 'string') return;
    if (name in builtInDrivers) problems.push(`${at}.name: '${name}' is the name of a built-in driver; give yours another name`);
    const earlier = seen.get(name);
    if (earlier !== undefined) problems.push(`${at}.name: '${name}' is also the name of drivers[${earlier}]; give each driver its own name`);
    else seen.set(name, i);
  });
  return problems;
}

function sampleProblems(input: Record<string, unknown>): string[] {
  const sample = input.browserSample;
  if (!isRecord(sample)) return [];
  const problems: string[] = [];
  const phases = Array.isArray(input.phases) ? input.phases.filter(isRecord) : [];
  const sampled = phases.flatMap((p) => (Array.isArray(p.scenarios) ? p.scenarios.filter(isRecord) : [])).filter((s) => s.driver === 'protocol');
  if (sampled.length === 0) problems.push(`browserSample: no scenario runs on the 'protocol' driver, so there is nothing to sample browser users from; give scenarios driver: 'protocol' or remove browserSample`);
  if (typeof sample.min === 'number' && typeof sample.max === 'number' && sample.min > sample.max) problems.push(`browserSample: min (${sample.min}) is above max (${sample.max})`);
  return problems;
}
