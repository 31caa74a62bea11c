// Protocol users beyond what one event loop holds run in worker threads (./protocol-worker.ts),
// each with a share of the protocol slots (round robin, so each gets the same mix). The main thread
// keeps the phases, the browser users and the one hub: workers' measurements are merged into it
// exactly (MetricsHub.absorb: histograms add), their events recorded as the main thread's, their
// users counted in users.active and the progress line, their event-loop delay judged with the
// main thread's (a late worker loop inflates its users' timings just the same), their heaps and GC
// pauses reported beside the main thread's (./thread-figures.ts).
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { RunEvent } from '../../metrics/types.ts';
import type { VuSlot } from '../../plans/schedule.ts';
import { protocolMediaCost } from '../../plans/user-cost.ts';
import type { RunContext } from '../run-context.ts';
import type { ScheduleResult } from '../users/scheduler.ts';
import type { FromWorker, WorkerSetup } from './messages.ts';
import type { OtherThreads } from '../monitor/thread-health.ts';
import { WorkerFigures } from './thread-figures.ts';
import { withoutMemoryReducer } from './memory-reducer.ts';

/** Plain protocol users one core holds at ≤80% (measured: see README "Hybrid plans"); prices a media user below. */
const protocolUsersPerCore = 4_000;

/**
 * Plain protocol users per thread. Fewer than a core holds: a thread's event-loop lateness grows
 * with its users, not only with its CPU (each presence flush of a big waddle is a burst of one
 * frame per user, and a major GC marks all of a thread's live heap). 10,000 chatters + 2,000
 * callers on 2 cores (README "Protocol users' cost"): 6,000 a thread ran 200–650 ms late in the
 * ramp's last minute and 177–398 ms at each major GC of the hold; 3,000 a thread at most 77 and 121 ms.
 */
const protocolUsersPerThread = 3_000;

/** Up to this many protocol users stay on the main thread (no worker to start or merge). */
const mainThreadUsers = 2_000;

/**
 * What a protocolMedia user weighs on a thread, in plain protocol users: a thread is one core, kept
 * to ≤80%, and a media user costs ~1% of a core (bench:media-protocol; clients/protocol-media/cost.ts)
 * where a plain one costs ~0.02%: ~55, so ~70 media users fill a core.
 */
export const mediaUserThreadWeight = Math.ceil((protocolUsersPerCore * protocolMediaCost.video.cores) / 0.8);

/**
 * Worker threads for a run: none up to 2,000 protocol users (media users weighed), then one per
 * 3,000, at most two per core (threads past the cores add no CPU; they keep each event loop's bursts
 * and heap small).
 */
export function workerCountFor(protocolPeak: number, requested: number | 'auto', cores = os.availableParallelism()): number {
  if (requested !== 'auto') return requested;
  if (protocolPeak <= mainThreadUsers) return 0;
  return Math.max(1, Math.min(2 * cores, Math.ceil(protocolPeak / protocolUsersPerThread)));
}

/**
 * The dry run's (and the run's first lines') line on where protocol users run: threads of this
 * process, told apart from the machines that "workers needed" counts. Empty without protocol users.
 */
export function describeProtocolThreads(protocolPeak: number, threads: number, requested: number | 'auto'): string {
  if (protocolPeak === 0) return '';
  const where = threads === 0 ? 'on the main thread' : `on ${threads} worker thread${threads === 1 ? '' : 's'} of this process`;
  const rule = requested === 'auto' ? `auto: up to ${mainThreadUsers.toLocaleString('en-US')} on the main thread, then a thread per ${protocolUsersPerThread.toLocaleString('en-US')}, at most two per core` : String(requested);
  return `protocol users: ${protocolPeak} at peak ${where} (--protocol-workers ${rule}; "workers needed" counts machines)`;
}

export interface WorkerHooks {
  /** a user started or ended in a worker (for users.active and the progress line) */
  readonly onUser: (journey: string, driver: string, change: 'start' | 'end', outcome?: string) => void;
}

export class ProtocolWorkers {
  readonly #workers: Worker[];
  readonly #done: Promise<ScheduleResult>[];
  readonly #figures = new WorkerFigures();

  private constructor(workers: Worker[], done: Promise<ScheduleResult>[]) {
    this.#workers = workers;
    this.#done = done;
  }

  /** Spawn the workers and wait until each has loaded the plan (every one, or none: a failure throws). */
  static async start(run: RunContext, slots: readonly VuSlot[], count: number, hooks: WorkerHooks): Promise<ProtocolWorkers> {
    const shares = Array.from({ length: count }, (_, i) => slots.filter((_, j) => j % count === i));
    const readiness: Promise<void>[] = [];
    const done: Promise<ScheduleResult>[] = [];
    withoutMemoryReducer(); // its "reduce" GCs paused a busy worker 300 ms (./memory-reducer.ts)
    const workers = shares.map((share, i) => new Worker(new URL('./protocol-worker.ts', import.meta.url), {
      workerData: setupOf(run, share, i),
      execArgv: ['--import', new URL('../../bin/register-hooks.mjs', import.meta.url).href],
    }));
    const pool = new ProtocolWorkers(workers, done);
    for (const [index, worker] of workers.entries()) {
      let ready!: () => void;
      let fail!: (e: Error) => void;
      readiness.push(new Promise<void>((res, rej) => ([ready, fail] = [res, rej])));
      done.push(new Promise<ScheduleResult>((resolve, reject) => {
        worker.on('message', (m: FromWorker) => pool.#onMessage(run, hooks, m, index, { ready, fail, resolve, reject }));
        worker.on('error', (e) => (fail(e), reject(e)));
        worker.on('exit', (code) => {
          const e = new Error(`a protocol worker thread exited (code ${code}) before its users ended`);
          fail(e);
          reject(e);
        });
      }));
      for (const p of done) p.catch(() => {});
    }
    try {
      await Promise.all(readiness);
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** Start every worker's users now; stop them when the run stops; every worker's counts, summed. */
  async run(stop: AbortSignal): Promise<ScheduleResult[]> {
    for (const w of this.#workers) w.postMessage({ type: 'start' });
    const onStop = (): void => {
      for (const w of this.#workers) w.postMessage({ type: 'stop' });
    };
    stop.addEventListener('abort', onStop, { once: true });
    if (stop.aborted) onStop();
    try {
      return await Promise.all(this.#done);
    } finally {
      stop.removeEventListener('abort', onStop);
    }
  }

  /** The workers' health since the last call: worst event-loop delay (p99 ms per second), heaps, longest GC pauses. */
  takeFigures(): OtherThreads {
    return this.#figures.take();
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate().catch(() => 0)));
  }

  #onMessage(run: RunContext, hooks: WorkerHooks, m: FromWorker, worker: number, settle: { ready: () => void; fail: (e: Error) => void; resolve: (r: ScheduleResult) => void; reject: (e: Error) => void }): void {
    switch (m.type) {
      case 'ready':
        return settle.ready();
      case 'failed':
        settle.fail(new Error(m.message));
        return settle.reject(new Error(m.message));
      case 'series':
        return run.need('hub').absorb(m.series);
      case 'events':
        for (const event of m.events) this.#onEvent(run, hooks, event);
        return;
      case 'loop':
        return this.#figures.add(worker, m);
      case 'done':
        return settle.resolve(m.result);
    }
  }

  #onEvent(run: RunContext, hooks: WorkerHooks, event: RunEvent): void {
    const journey = event.tags?.journey;
    const driver = event.tags?.driver;
    if (journey && driver && event.type === 'user_start') hooks.onUser(journey, driver, 'start');
    if (journey && driver && event.type === 'user_end') hooks.onUser(journey, driver, 'end', String(event.data?.outcome ?? ''));
    run.record(event);
  }
}

function setupOf(run: RunContext, slots: readonly VuSlot[], worker: number): WorkerSetup {
  const { resolved, seed, config } = run.prepared;
  const influx = config.influx;
  return {
    worker,
    planRef: run.planRef,
    slots,
    target: run.need('target'),
    seed,
    networks: resolved.networks ?? {},
    thinkTimeScale: resolved.thinkTimeScale,
    gracefulStopMs: resolved.gracefulStopMs,
    interruptGraceMs: 10_000,
    media: resolved.media,
    ...(resolved.limits.maxArrivalsPerSecond !== undefined ? { maxArrivalsPerSecond: resolved.limits.maxArrivalsPerSecond / Math.max(1, run.protocolWorkerCount) } : {}),
    runId: run.runId,
    shard: run.shardLabel,
    secrets: [influx?.api === 'v2' ? influx.token : influx?.password].filter((s): s is string => !!s),
  };
}
