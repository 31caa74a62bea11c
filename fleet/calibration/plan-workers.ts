// Workers a resolved plan needs (all its shards together), from the calibration file when there is
// one: what the dry run prints, the oversized-plan refusal suggests and k8s-job emits.
import type { PlanCatalog } from '../../plans/catalog.ts';
import type { ResolvedPlan } from '../../plans/resolve.ts';
import { buildFullSchedule } from '../../plans/schedule.ts';
import { readCalibration } from './calibration-file.ts';
import { describeWorkers, workersNeeded, type WorkerSize, type WorkersEstimate } from './workers-needed.ts';

export interface PlanWorkers {
  readonly estimate: WorkersEstimate;
  /** lines for the plan description */
  readonly lines: readonly string[];
  /** the calibration file could not be used (it exists but is broken) */
  readonly problem?: string;
}

export async function planWorkers(resolved: ResolvedPlan, catalog: PlanCatalog, options: { calibrationPath: string; browserUsersPerWorker: number; worker?: WorkerSize }): Promise<PlanWorkers> {
  const { calibration, problem } = await readCalibration(options.calibrationPath);
  const slots = buildFullSchedule(resolved, catalog.journey);
  const estimate = workersNeeded({ slots, catalog, networks: resolved.networks ?? {}, browserUsersPerWorker: options.browserUsersPerWorker, ...(calibration ? { calibration } : {}), ...(options.worker ? { worker: options.worker } : {}) });
  return { estimate, lines: describeWorkers(estimate, options.calibrationPath), ...(problem ? { problem } : {}) };
}
