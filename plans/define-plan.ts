// definePlan: identity with types, for plan files (`export default definePlan({ ... })`).
// validatePlan: the same plan checked at run time, every problem at once (validate.ts).
import type { Plan } from './schema.ts';

export function definePlan<const P extends Plan>(plan: P): P {
  return plan;
}

export { validatePlan, type PlanValidation } from './validate.ts';
export type { Plan, Phase, Scenario, ThresholdSpec, MediaSize, Duration } from './schema.ts';
