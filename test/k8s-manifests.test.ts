// Every Kubernetes manifest we ship (docker/k8s/*.yaml) or emit (waddle-fleet k8s-job, from a
// calibration) is validated against the Kubernetes API's own schemas (the `kubernetes-models`
// package: the OpenAPI schemas of the API server, compiled to validators), since no cluster runs
// here; and the emitted Job's numbers are checked against the estimate it came from.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { Calibration } from '../fleet/calibration/calibration-file.ts';
import { indexedJob } from '../fleet/calibration/k8s-job.ts';
import { workersNeeded } from '../fleet/calibration/workers-needed.ts';
import { planCatalog } from '../plans/catalog.ts';
import { shippedPlans } from '../plans/index.ts';
import { resolvePlan } from '../plans/resolve.ts';
import { buildFullSchedule } from '../plans/schedule.ts';

type Manifest = Record<string, unknown> & { apiVersion?: string; kind?: string };
interface Model {
  validate(): void;
}
type ModelClass = new (data: Manifest) => Model;

/** The kubernetes-models class for a manifest's apiVersion and kind (a devDependency: npm i -D kubernetes-models). */
async function modelFor(m: Manifest): Promise<ModelClass> {
  // the documented entry points: kubernetes-models/v1 (core), kubernetes-models/batch/v1, …
  const specifier = `kubernetes-models/${m.apiVersion}`;
  try {
    const mod = (await import(/* @vite-ignore */ specifier)) as Record<string, ModelClass>;
    const cls = mod[m.kind!];
    if (!cls) throw new Error(`${specifier} exports no ${m.kind}`);
    return cls;
  } catch (error) {
    throw new Error(`cannot load ${specifier} (${(error as Error).message}): the manifests are validated with the kubernetes-models package; add it: npm i -D kubernetes-models@5`, { cause: error });
  }
}

async function validate(m: Manifest): Promise<void> {
  const Cls = await modelFor(m);
  new Cls(m).validate();
}

const k8sDir = resolve(import.meta.dirname, '..', 'docker', 'k8s');
const shipped: [string, Manifest][] = readdirSync(k8sDir)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) => parseAllDocuments(readFileSync(join(k8sDir, f), 'utf8')).map((d, i) => [`${f}#${i}`, d.toJS() as Manifest] as [string, Manifest]));

const catalog = planCatalog({});
const calibration: Calibration = {
  version: 1,
  createdAt: '2026-11-30T06:00:00.000Z',
  machine: { cores: 2, memoryMb: 24_000, cpuModel: 'test', chromium: 'Chromium 156', node: 'v20' },
  loadAverage: 1,
  kinds: ['voiceCall', 'videoCall', 'screenShare', 'chatMessaging', 'fileUpload'].flatMap((journey) => [
    { journey, driverKind: 'browser' as const, sizes: [2, 4], cpuPct: [20, 40], pssMb: [400, 700], cpuPctPerUser: 10, pssMbPerUser: 150, fixedCpuPct: 2, fixedPssMb: 100, failures: 0 },
    { journey, driverKind: 'protocol' as const, sizes: [200, 1000], cpuPct: [2.5, 10.5], pssMb: [100, 140], cpuPctPerUser: 0.01, pssMbPerUser: 0.05, fixedCpuPct: 0.5, fixedPssMb: 90, failures: 0 },
  ]),
};

function jobFor(scale: number) {
  const resolved = resolvePlan(shippedPlans.stress!, { scale, seed: 1 });
  const estimate = workersNeeded({ slots: buildFullSchedule(resolved, catalog.journey), catalog, calibration, browserUsersPerWorker: Number.MAX_SAFE_INTEGER });
  return { estimate, job: indexedJob({ planRef: 'stress', scale, scaleDurations: false, estimate, image: 'registry.example/waddle-fleet:1', name: 'waddle-fleet-stress', contextsPerBrowser: 8 }) as Manifest };
}

describe('Kubernetes manifests against the API schemas', () => {
  it.each(shipped)('shipped %s is valid', async (_name, manifest) => {
    await expect(validate(manifest)).resolves.toBeUndefined();
  });

  it.each([0.01, 0.1, 1])('the Job k8s-job emits for stress ×%s is valid and sized from the estimate', async (scale) => {
    const { estimate, job } = jobFor(scale);
    await expect(validate(job)).resolves.toBeUndefined();
    const spec = job.spec as { completions: number; parallelism: number; template: { spec: { containers: { args: string[]; resources: { requests: { cpu: string; memory: string } } }[] } } };
    expect(spec.completions).toBe(estimate.workers);
    expect(spec.parallelism).toBe(estimate.workers);
    const container = spec.template.spec.containers[0]!;
    expect(container.args[0]).toContain(`--shard "$((JOB_COMPLETION_INDEX + 1))/${estimate.workers}"`);
    expect(container.args[0]).toContain(scale === 1 ? 'run stress --shard' : `run stress --scale ${scale} --shard`);
    expect(container.resources.requests.cpu).toBe('2');
    expect(Number(container.resources.requests.memory.replace('Gi', '')) * 1024).toBeGreaterThanOrEqual(estimate.perWorker.memoryMb);
    // the memory-backed /dev/shm counts against the limit: the limit holds the request's headroom and all of it
    const limits = (container.resources as unknown as { limits: { memory: string } }).limits;
    const shm = (job.spec as { template: { spec: { volumes: { name: string; emptyDir?: { sizeLimit: string } }[] } } }).template.spec.volumes.find((v) => v.name === 'dshm')!.emptyDir!.sizeLimit;
    expect(Number(limits.memory.replace('Gi', ''))).toBeGreaterThanOrEqual(Number(container.resources.requests.memory.replace('Gi', '')) + Number(shm.replace('Gi', '')));
  });

  it('a broken Job fails the validation (the check can fail)', async () => {
    const { job } = jobFor(0.01);
    const spec = job.spec as Record<string, unknown>;
    const Job = await modelFor(job); // loads, so what throws below is the validation
    expect(() => new Job({ ...job, spec: { ...spec, completions: 'four' } }).validate()).toThrow();
    expect(() => new Job({ ...job, spec: { ...spec, template: undefined } }).validate()).toThrow();
  });

  it('more users, more workers: ×1 needs more pods than ×0.1', () => {
    expect(jobFor(1).estimate.workers).toBeGreaterThan(jobFor(0.1).estimate.workers);
  });
});
