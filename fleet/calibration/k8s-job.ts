// The Kubernetes Indexed Job for a plan, from its workers estimate (fleet/calibration/
// workers-needed.ts): completions = parallelism = the n of --shard i/n, each pod's CPU and memory
// from what one worker carries at peak, the shard from JOB_COMPLETION_INDEX. Same shape as the
// hand-written docker/k8s/job.yaml (its ConfigMap, Secret and results volume stay as shipped).
import { defaultMaxBrowsers } from '../run-config.ts';
import type { WorkersEstimate } from './workers-needed.ts';

export interface JobInput {
  /** a shipped plan's name (a plan file must be in the image at that path) */
  readonly planRef: string;
  readonly scale: number;
  readonly scaleDurations: boolean;
  readonly estimate: WorkersEstimate;
  readonly image: string;
  readonly name: string;
  readonly contextsPerBrowser: number;
}

/** Memory request: what a worker carries at peak plus a quarter; the limit half again. */
const memoryHeadroom = 1.25;
const memoryLimitFactor = 1.5;
/** Chromium's /dev/shm (the container default of 64 MB crashes renderers under video load). */
const shmGi = 2;

export function indexedJob(input: JobInput): Record<string, unknown> {
  const { estimate: e } = input;
  const n = e.workers;
  // a cap, not a count: the pool starts a browser per media profile (camera, screen, mic) its users
  // need, so a worker of 3 browser users with a camera, a screen and a mic user needs 3 browsers
  // even when 8 users fit one; the run's default cap (4) unless the users need more
  const maxBrowsers = Math.max(defaultMaxBrowsers, Math.ceil(e.perWorker.browserUsers / input.contextsPerBrowser));
  const requestGi = Math.max(1, Math.ceil((e.perWorker.memoryMb * memoryHeadroom) / 1024));
  // /dev/shm is a memory-backed emptyDir: what Chromium keeps there counts against the container's
  // limit, so the limit holds the worker's headroom and the whole shm besides
  const limitGi = Math.ceil(requestGi * memoryLimitFactor) + shmGi;
  const cpu = String(e.worker.cores);
  const run = [
    `exec node bin/waddle-fleet.mjs run ${input.planRef}`,
    ...(input.scale !== 1 ? [`--scale ${input.scale}`] : []),
    ...(input.scaleDurations ? ['--scale-durations'] : []),
    `--shard "$((JOB_COMPLETION_INDEX + 1))/${n}"`,
    '--start-at "$WADDLE_START_AT"',
    '--target "$WADDLE_TARGET" --allow-remote-target',
    '--results /results',
    '--influx-url "$WADDLE_FLEET_INFLUX_URL" --influx-api v2',
    '--influx-org waddle --influx-bucket waddle',
    `--max-browsers ${maxBrowsers} --contexts-per-browser ${input.contextsPerBrowser}`,
  ].join(' ');
  const fromConfig = (name: string, key: string) => ({ name, valueFrom: { configMapKeyRef: { name: 'waddle-fleet-run', key } } });
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: input.name,
      labels: { 'app.kubernetes.io/name': 'waddle-fleet' },
      annotations: {
        'waddle-fleet/estimate': `${n} workers bound by ${e.boundBy}; each ${e.perWorker.cores.toFixed(2)} cores, ${Math.round(e.perWorker.memoryMb)} MB, ${e.perWorker.browserUsers} browser + ${e.perWorker.protocolUsers} protocol users at peak`,
        'waddle-fleet/calibration': e.calibration ? `${e.calibration.createdAt} on ${e.calibration.machine.cores} cores, ${e.calibration.machine.chromium}` : 'none: default figures (run waddle-fleet calibrate)',
      },
    },
    spec: {
      completionMode: 'Indexed',
      completions: n,
      parallelism: n,
      backoffLimitPerIndex: 0, // a retried shard would start after --start-at: fail it instead
      ttlSecondsAfterFinished: 86_400,
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'waddle-fleet' } },
        spec: {
          restartPolicy: 'Never',
          terminationGracePeriodSeconds: 60,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000 },
          containers: [
            {
              name: 'worker',
              image: input.image,
              command: ['/usr/bin/tini', '--', 'sh', '-c'],
              args: [run],
              env: [
                fromConfig('WADDLE_START_AT', 'startAt'),
                fromConfig('WADDLE_TARGET', 'target'),
                fromConfig('WADDLE_FLEET_INFLUX_URL', 'influxUrl'),
                { name: 'WADDLE_FLEET_INFLUX_TOKEN', valueFrom: { secretKeyRef: { name: 'waddle-fleet-influx', key: 'token' } } },
              ],
              resources: { requests: { cpu, memory: `${requestGi}Gi` }, limits: { cpu, memory: `${limitGi}Gi` } },
              volumeMounts: [
                { name: 'results', mountPath: '/results' },
                { name: 'dshm', mountPath: '/dev/shm' },
              ],
            },
          ],
          volumes: [
            { name: 'results', persistentVolumeClaim: { claimName: 'waddle-fleet-results' } },
            { name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: `${shmGi}Gi` } },
          ],
        },
      },
    },
  };
}
