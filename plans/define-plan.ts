// definePlan: identity with types, for plan files (`export default definePlan({ ... })`).
// validatePlan: the same plan checked at run time, every problem at once (validate.ts).
import type { Plan } from './schema.ts';

/** Not generic on purpose: a misspelled key (`weigth`, `thresholdz`) is a compile error in the user's editor. */
export function definePlan(plan: Plan): Plan {
  return plan;
}

export { validatePlan, type PlanValidation } from './validate.ts';
export type { Plan, Phase, Scenario, ThresholdSpec, MediaSize, Duration } from './schema.ts';
