// Names a plan's scenarios use, looked up in the plan's own values first, then the built-ins:
// journeys (journeys/registry.ts) and drivers (clients/drivers.ts). A plan's own journey or
// driver may not take a built-in's name (plans/validate.ts says so), so a name means one thing.
import { builtInDrivers, defaultDriverName } from '../clients/drivers.ts';
import type { Driver } from '../clients/driver.ts';
import { builtInJourneys } from '../journeys/registry.ts';
import type { Journey } from '../journeys/types.ts';

export interface PlanCatalog {
  journey(name: string): Journey | undefined;
  driver(name: string): Driver | undefined;
  /** whether users on this driver run in a browser page; an unknown name counts as browser (the default driver is one) */
  isBrowserDriver(name: string): boolean;
  readonly journeyNames: readonly string[];
  readonly driverNames: readonly string[];
}

export interface PlanValues {
  readonly journeys?: readonly unknown[];
  readonly drivers?: readonly unknown[];
}

export { defaultDriverName };

/** The catalogue of a plan's names. Values that are not well-formed are skipped (validate.ts reports them). */
export function planCatalog(plan: PlanValues): PlanCatalog {
  const journeys = new Map<string, Journey>(Object.entries(builtInJourneys));
  const drivers = new Map<string, Driver>(Object.entries(builtInDrivers));
  for (const j of plan.journeys ?? []) if (isNamed(j) && !journeys.has(j.name)) journeys.set(j.name, j as Journey);
  for (const d of plan.drivers ?? []) if (isNamed(d) && !drivers.has(d.name)) drivers.set(d.name, d as Driver);
  return {
    journey: (name) => journeys.get(name),
    driver: (name) => drivers.get(name),
    isBrowserDriver: (name) => (drivers.get(name)?.kind ?? 'browser') === 'browser',
    journeyNames: [...journeys.keys()],
    driverNames: [...drivers.keys()],
  };
}

const isNamed = (v: unknown): v is { name: string } => v !== null && typeof v === 'object' && typeof (v as { name?: unknown }).name === 'string';
