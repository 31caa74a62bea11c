// `waddle-fleet k8s-job <plan>`: the Indexed Job for a plan, sized from the calibration
// (fleet/calibration/k8s-job.ts), printed as JSON for kubectl apply -f; the estimate goes to stderr.
import { UsageError } from '../common/errors.ts';
import { defaultCalibrationPath } from '../fleet/calibration/calibration-file.ts';
import { indexedJob } from '../fleet/calibration/k8s-job.ts';
import { planWorkers } from '../fleet/calibration/plan-workers.ts';
import { planCatalog } from '../plans/catalog.ts';
import { loadPlan, shippedPlans } from '../plans/index.ts';
import { resolvePlan } from '../plans/resolve.ts';
import { ExitCode } from './exit-codes.ts';

export interface K8sJobFlags {
  scale?: string;
  scaleDurations?: boolean;
  calibration?: string;
  image?: string;
  name?: string;
  contextsPerBrowser?: string;
  workerCores?: string;
  workerMemoryGb?: string;
}

function positive(flag: string, text: string | undefined, problems: string[]): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!(Number.isFinite(n) && n > 0)) problems.push(`${flag}: expected a number > 0, got '${text}'`);
  return n;
}

export async function k8sJobCommand(planRef: string, flags: K8sJobFlags): Promise<number> {
  const problems: string[] = [];
  const scale = positive('--scale', flags.scale ?? '1', problems) ?? 1;
  const contextsPerBrowser = positive('--contexts-per-browser', flags.contextsPerBrowser ?? '8', problems) ?? 8;
  const cores = positive('--worker-cores', flags.workerCores, problems);
  const memoryGb = positive('--worker-memory-gb', flags.workerMemoryGb, problems);
  if ((cores === undefined) !== (memoryGb === undefined)) problems.push('--worker-cores and --worker-memory-gb go together (a worker size is both)');
  const loaded = await loadPlan(planRef);
  if (!loaded.ok) problems.push(...loaded.problems);
  if (problems.length > 0 || !loaded.ok) throw new UsageError(problems);
  const resolved = resolvePlan(loaded.plan, { scale, scaleDurations: Boolean(flags.scaleDurations), seed: 1 });
  const calibrationPath = flags.calibration ?? process.env.WADDLE_FLEET_CALIBRATION ?? defaultCalibrationPath();
  const workers = await planWorkers(resolved, planCatalog(loaded.plan), {
    calibrationPath,
    browserUsersPerWorker: Number.MAX_SAFE_INTEGER, // the Job gives each pod the browsers its share needs
    ...(cores !== undefined && memoryGb !== undefined ? { worker: { cores, memoryMb: memoryGb * 1024 } } : {}),
  });
  if (workers.problem) throw new UsageError([workers.problem]);
  for (const line of workers.lines) console.error(line);
  if (!Object.prototype.hasOwnProperty.call(shippedPlans, planRef)) console.error(`note: ${planRef} is not a shipped plan; the image must hold it at that path`);
  const job = indexedJob({ planRef, scale, scaleDurations: Boolean(flags.scaleDurations), estimate: workers.estimate, image: flags.image ?? 'waddle-fleet:local', name: flags.name ?? `waddle-fleet-${resolved.name}`.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 63), contextsPerBrowser });
  console.log(JSON.stringify(job, null, 2));
  return ExitCode.passed;
}
