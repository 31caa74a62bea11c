// summary.json: the contract between the run (writer) and reports/CI (readers).
// Written atomically (temp file + rename) so a kill -9 never leaves it truncated.
// All durations in ms, from the monotonic clock; no NaN, null only where stated.
import type { ExitCode } from './exit-codes.ts';
import type { SinkStats } from './types.ts';

export type VerdictResult = 'pass' | 'fail' | 'inconclusive' | 'interrupted';

export interface Verdict {
  readonly result: VerdictResult;
  /** the process exit code that goes with it (cli/exit-codes.ts) */
  readonly exitCode: ExitCode;
  /** human sentences: why this verdict ("threshold chat.delivery_ms p(95)<1000 failed: 1433 ms") */
  readonly reasons: readonly string[];
  /** the abortOnFail threshold that stopped the run early, when one did (merge reads this, not the sentences) */
  readonly abortedBy?: string;
}

export interface UserCounts {
  readonly started: number;
  readonly completed: number;
  readonly failed: number;
  /** still running when the run stopped (end of plan, SIGINT, abort) */
  readonly interrupted: number;
}

export interface StepSummary {
  readonly journey: string;
  /** the driver its users ran on (absent in runs before drivers) */
  readonly driver?: string;
  readonly step: string;
  /** runs of the step: succeeded + failed */
  readonly count: number;
  readonly errors: number;
  /** p50..mean: the runs that succeeded only (step.duration_ms) */
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
  /** time until failure of the runs that failed (step.failed_duration_ms); 0 when none failed */
  readonly failedP50?: number;
  readonly failedMax?: number;
  /** failed runs by reason */
  readonly failureReasons?: Readonly<Record<string, number>>;
}

export interface MetricSummary {
  readonly metric: string;
  readonly kind: 'trend' | 'counter' | 'rate' | 'gauge';
  readonly unit: string;
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly p50?: number;
  readonly p90?: number;
  readonly p95?: number;
  readonly p99?: number;
  /** rate: nonZero / count */
  readonly rate?: number;
  readonly last?: number;
}

export interface ThresholdResult {
  readonly metric: string;
  /** as written in the plan, e.g. "p(95)<1000" */
  readonly expression: string;
  /** the aggregate the expression reads; null when the metric had no data */
  readonly observed: number | null;
  readonly ok: boolean;
  readonly noData: boolean;
  readonly abortOnFail: boolean;
  /** 'default': the built-in error gate (metrics/default-gate.ts); 'plan' (or absent): the plan's own */
  readonly source?: 'plan' | 'default';
  /** a shard of a distributed run left it to `waddle-fleet merge` (metrics/shard-thresholds.ts); ok is then true */
  readonly deferred?: boolean;
}

export interface ErrorClass {
  readonly reason: string;
  readonly count: number;
  /** a few example messages, with journey/step */
  readonly examples: readonly string[];
}

export interface GeneratorHealth {
  readonly saturated: boolean;
  readonly reasons: readonly string[];
  /** generator CPU (node + browsers, % of the machine: the generator.cpu_pct gauge) over the samples under load, start-up excluded */
  readonly cpuPercentP95: number;
  readonly cpuPercentMax: number;
  readonly memoryMaxMb: number;
  readonly eventLoopDelayP99Ms: number;
  /** share (0..1) of outbound video samples whose qualityLimitationReason was 'cpu' */
  readonly videoCpuLimitedShare: number;
  readonly browserCrashes: number;
  readonly browserRelaunches: number;
  /** the browsers' binary and the frame rate their pages were paced at (0: the browser's own; --frame-rate); absent: no browser users */
  readonly browser?: { readonly executable: string; readonly frameRate: number };
  /** whole-machine CPU % (generator.system_cpu_pct) over the same samples: reported beside, never judged alone (absent: older runs) */
  readonly machineCpuPercentP95?: number;
  /** share % of the generator threads' runnable time spent waiting for a CPU (generator.cpu_wait_pct), same samples */
  readonly cpuWaitPercentP95?: number;
  /** CPU the generator waited for while other processes held the machine (generator.cpu_starved_pct), % of the machine, same samples */
  readonly cpuStarvedPercentP95?: number;
  /** the start-up burst (browsers launching, set apart from the judge): generator CPU maximum and its total duration */
  readonly startupCpuPercentMax?: number;
  readonly startupMs?: number;
}

export interface PhaseSummary {
  readonly name: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly targetUsers: number;
}

export interface RunSummary {
  readonly schemaVersion: 1;
  readonly runId: string;
  /** "i/n"; "1/1" when not sharded */
  readonly shard: string;
  readonly status: 'running' | 'complete' | 'partial';
  readonly startedAt: string; // ISO
  readonly endedAt: string | null; // ISO; null while running
  readonly durationMs: number;
  readonly target: string; // base URL
  /** the resolved plan that ran (after --scale and --shard) */
  readonly plan: unknown;
  readonly phases: readonly PhaseSummary[];
  readonly verdict: Verdict;
  readonly users: UserCounts;
  readonly journeys: Readonly<Record<string, UserCounts>>;
  readonly steps: readonly StepSummary[];
  readonly metrics: readonly MetricSummary[];
  readonly thresholds: readonly ThresholdResult[];
  readonly generator: GeneratorHealth;
  readonly sinks: Readonly<Record<string, SinkStats>>;
  readonly errors: readonly ErrorClass[];
  /** true when the built-in error gate applied; false when the plan turned it off (absent: older runs) */
  readonly defaultGate?: boolean;
  /** schedule lag: how late users started against the plan */
  readonly scheduleLagMs: { readonly p50: number; readonly p95: number; readonly max: number };
  /** what the host guard refused: pages' attempts to reach hosts other than the target (absent: no browser users) */
  readonly blocked?: BlockedTraffic;
  /** what a failure looked like: the first few failed iterations per journey and step */
  readonly evidence?: readonly FailureEvidence[];
}

export interface FailureEvidence {
  readonly journey: string;
  readonly step?: string;
  readonly reason: string;
  readonly message: string;
  /** epoch ms */
  readonly atMs: number;
  /** relative to the run folder: screenshot .png, Playwright trace .zip or DOM snapshot .html, console log .txt */
  readonly files: readonly string[];
}

/** Host guard refusals (fleet/host-guard.ts): nothing reached these hosts, but something tried. */
export interface BlockedTraffic {
  readonly total: number;
  /** "host:port" → attempts */
  readonly byHost: Readonly<Record<string, number>>;
  /** request, redirect, navigation, iframe, worker, websocket, tunnel, webtransport, ice_server, ice_candidate */
  readonly byKind: Readonly<Record<string, number>>;
  /** "kind url" of the first few */
  readonly examples: readonly string[];
  /** Chromium's own background traffic (updates, sign-in), refused too and counted apart */
  readonly browser: { readonly total: number; readonly byHost: Readonly<Record<string, number>>; readonly examples: readonly string[] };
}
