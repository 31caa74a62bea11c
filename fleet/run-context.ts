// One run's context: what preflight prepared, the run's identity, how it stops, and the parts the
// tasks make (run folder, target, metrics hub, monitor, pool, load result). Each task sets the part
// it makes; a later task asks for it with need(), which says plainly which task did not run
// instead of crashing on an undefined. Failures and events go through record().
import type { NetworkRelay } from '../network/relay/relay.ts';
import { createRedactor, secretsFromCommandLine } from '../common/redact.ts';
import type { MetricsHub } from '../metrics/hub.ts';
import { ErrorCollector } from '../metrics/summary.ts';
import type { PhaseSummary } from '../metrics/run-summary.ts';
import type { RunEvent, SinkStats } from '../metrics/types.ts';
import { formatShard } from '../plans/shard.ts';
import type { BrowserPool } from './pool/browser-pool.ts';
import type { PreparedRun } from './preflight.ts';
import type { GeneratorHealthReport, ResourceMonitor } from './monitor/resource-monitor.ts';
import { makeRunId } from './run-id.ts';
import type { ProtocolWorkers } from './workers/protocol-workers.ts';
import type { ScheduleResult } from './users/scheduler.ts';
import type { StopReason } from '../metrics/stop-reason.ts';

export interface RunParts {
  /** results/<run-id>/ */
  readonly runDir: string;
  /** the target's base URL */
  readonly target: string;
  readonly hub: MetricsHub;
  readonly monitor: ResourceMonitor;
  /** absent when the plan has no browser users */
  readonly pool: BrowserPool;
  /** what the scheduler counted, once load ran */
  readonly load: ScheduleResult;
  /** the phases as they happened */
  readonly phases: readonly PhaseSummary[];
  /** set by teardowns */
  readonly sinkStats: Readonly<Record<string, SinkStats>>;
  readonly monitorHealth: GeneratorHealthReport;
  /** the impairing relay of browser users' media (absent: no browser user of this shard has an impairing network) */
  readonly relay: NetworkRelay;
  /** the protocol worker threads, while load runs (absent: none) */
  readonly workers: ProtocolWorkers | undefined;
}

export interface FleetProgress {
  readonly phase: string;
  readonly elapsedMs: number;
  readonly totalMs: number;
  readonly activeByJourney: Readonly<Record<string, number>>;
  readonly started: number;
  readonly failed: number;
  readonly stepErrors: number;
}

export interface RunIo {
  /** one line of human output */
  readonly log: (line: string) => void;
  /** aborted on SIGINT/SIGTERM (or when the parent process is gone) */
  readonly interrupt: AbortSignal;
  /** called about once a second while load runs */
  readonly onProgress?: (progress: FleetProgress) => void;
}

export class RunContext {
  readonly runId: string;
  readonly shardLabel: string;
  readonly startedAtMs = Date.now();
  readonly errors = new ErrorCollector();
  /** aborted when load must stop early: a signal, or an abortOnFail threshold */
  readonly stopLoad = new AbortController();
  /** why load stopped early, in order */
  readonly stopReasons: StopReason[] = [];
  /** this shard was not ready before --start-at and sent no load */
  missedStart = false;
  /** the load task has begun starting users (what came before is start-up) */
  loadStarted = false;
  /** the latest progress counts (about once a second while load runs), for the live view */
  latestProgress: FleetProgress | undefined;
  /** errors nothing caught (a bug): the run stops and ends as an internal error, its report still written */
  readonly uncaught: string[] = [];
  readonly #parts: { -readonly [K in keyof RunParts]?: RunParts[K] } = {};
  /** masks URL credentials and the run's secrets (InfluxDB token and password) in event text */
  readonly #redact: (text: string) => string;

  constructor(
    readonly prepared: PreparedRun,
    readonly io: RunIo,
  ) {
    this.runId = makeRunId(prepared.resolved.name, prepared.config.shard);
    this.shardLabel = formatShard(prepared.config.shard);
    const influx = prepared.config.influx;
    // the run's own secrets, and any a secret-named option or WADDLE_FLEET_* variable carries
    this.#redact = createRedactor([influx?.api === 'v2' ? influx.token : influx?.password, ...secretsFromCommandLine(process.argv.slice(2), process.env)]);
  }

  get config(): PreparedRun['config'] {
    return this.prepared.config;
  }

  get planRef(): string {
    return this.prepared.planRef;
  }

  get protocolWorkerCount(): number {
    return this.prepared.protocolWorkers;
  }

  log(line: string): void {
    this.io.log(line);
  }

  set<K extends keyof RunParts>(part: K, value: RunParts[K]): void {
    this.#parts[part] = value;
  }

  get<K extends keyof RunParts>(part: K): RunParts[K] | undefined {
    return this.#parts[part];
  }

  /** A part a task made earlier; an internal error naming it when that task did not run. */
  need<K extends keyof RunParts>(part: K): RunParts[K] {
    const value = this.#parts[part];
    if (value === undefined) throw new Error(`the run's ${part} is not there: the task that makes it did not run`);
    return value;
  }

  /** Stop starting users and ask running ones to stop, saying why (a signal, abortOnFail). */
  stop(reason: StopReason): void {
    if (this.stopLoad.signal.aborted) return;
    this.stopReasons.push(reason);
    this.stopLoad.abort();
  }

  /** An error nothing caught while the run went on: recorded, and the run stops as on a signal (exit 1 at the end). */
  failUncaught(error: unknown, how: string): void {
    const text = this.#redact(error instanceof Error ? (error.stack ?? error.message) : String(error));
    this.uncaught.push(`${how}: ${text.split('\n')[0]}`);
    this.#parts.hub?.event({ timeMs: Date.now(), type: 'internal_error', reason: how, message: text });
    this.log(`internal error (${how}), stopping the run; the partial report will still be written: ${text}`);
    this.stop({ kind: 'internalError', how });
  }

  /** A run event: counted when it is a failure, and sent to the sinks once the hub is up; never with a secret in its text. */
  record(event: RunEvent): void {
    const clean = event.message === undefined ? event : { ...event, message: this.#redact(event.message) };
    this.errors.add(clean);
    this.#parts.hub?.event(clean);
  }
}
