// Plans: the shipped ones by name, and loadPlan for a name or a user's plan file.
import { readFile } from 'node:fs/promises';
import { extname, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { didYouMeanQuoted } from '../common/suggest.ts';
import type { Plan } from './schema.ts';
import { baseline } from './shipped/baseline.ts';
import { smoke } from './shipped/smoke.ts';
import { soak } from './shipped/soak.ts';
import { spike } from './shipped/spike.ts';
import { stress } from './shipped/stress.ts';
import { volume } from './shipped/volume.ts';
import { validatePlan, type PlanValidation } from './validate.ts';

export { definePlan } from './define-plan.ts';
export { validatePlan, type PlanValidation } from './validate.ts';
export type { Plan, Phase, Scenario, ThresholdSpec, MediaSize, Duration } from './schema.ts';
export { resolvePlan, parseShard, type ResolvedPlan, type ResolvedPhase, type ResolveOptions } from './resolve.ts';
export { describePlan } from './describe.ts';
export { parseDurationMs, formatDurationMs } from './duration.ts';

export const shippedPlans: Record<string, Plan> = { smoke, baseline, stress, spike, soak, volume };

const planFileExtensions = ['.ts', '.mts', '.js', '.mjs', '.json'];

/** A shipped plan by name, or a plan file (.ts/.js: default or `plan` export; .json), validated. */
export async function loadPlan(nameOrPath: string): Promise<PlanValidation> {
  const shipped = Object.prototype.hasOwnProperty.call(shippedPlans, nameOrPath) ? shippedPlans[nameOrPath] : undefined;
  if (shipped) return validatePlan(shipped, `plans/shipped/${nameOrPath}.ts`);
  const extension = extname(nameOrPath);
  if (!planFileExtensions.includes(extension)) {
    return {
      ok: false,
      problems: [
        `plan '${nameOrPath}': not a shipped plan and not a plan file (${planFileExtensions.join(', ')}); ${didYouMeanQuoted(nameOrPath, Object.keys(shippedPlans))}shipped plans: ${Object.keys(shippedPlans).join(', ')}; or give a path like ./my-plan.ts`,
      ],
    };
  }
  const path = resolvePath(nameOrPath);
  let input: unknown;
  try {
    if (extension === '.json') {
      input = JSON.parse(await readFile(path, 'utf8'));
    } else {
      const module = (await import(pathToFileURL(path).href)) as { default?: unknown; plan?: unknown };
      input = module.default ?? module.plan;
      if (input === undefined) {
        return { ok: false, problems: [`${nameOrPath}: exports no plan; add \`export default definePlan({ ... })\` (or \`export const plan = ...\`)`] };
      }
    }
  } catch (error) {
    const code = (error as { code?: string }).code;
    const reason = code === 'ENOENT' || code === 'ERR_MODULE_NOT_FOUND' ? `no such file (looked at ${path})` : (error as Error).message;
    return { ok: false, problems: [`${nameOrPath}: could not load the plan: ${reason}`] };
  }
  return validatePlan(input, nameOrPath);
}
