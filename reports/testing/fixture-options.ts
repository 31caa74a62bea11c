// What a fixture run can be asked to contain (see fixture-run.ts).
import type { FailureEvidence, Verdict } from '../../metrics/run-summary.ts';

export interface FixtureCallRoom {
  readonly journey: string;
  readonly driver: string;
  readonly roomSize: number;
  readonly rooms: number;
  readonly loneRooms: number;
}

export interface FixtureOptions {
  readonly runId?: string;
  readonly startMs?: number;
  readonly intervalCount?: number;
  readonly intervalMs?: number;
  /** multiply one step's latency, e.g. { 'videoCall/join_voice': 2 } — the "made slower on purpose" step */
  readonly stepLatencyFactor?: Readonly<Record<string, number>>;
  /** share of failed runs for a step, e.g. { 'fileUpload/upload': 0.1 } */
  readonly stepErrorRate?: Readonly<Record<string, number>>;
  /** share of failed iterations per journey (default 1%) */
  readonly journeyErrorRate?: Readonly<Record<string, number>>;
  /** a latency tail in some intervals only: the three slowest runs of the step there × factor */
  readonly stepSpikes?: Readonly<Record<string, { readonly intervals: readonly number[]; readonly factor: number }>>;
  /** an error message put in events and summary; defaults to one holding markup to test escaping */
  readonly errorMessage?: string;
  readonly verdict?: Verdict;
  /** encode histograms per trend series (realistic, slower); off for the bench */
  readonly withHdr?: boolean;
  /** values (step runs) drawn per trend series per interval */
  readonly valuesPerInterval?: number;
  readonly seed?: number;
  readonly includeTarget?: boolean;
  /** generator CPU level, percent of the machine (drives the saturation bottleneck) */
  readonly generatorCpuPct?: number;
  /** extra steps per journey ("extra_1"...), to reach a series count (the bench uses ~200 series) */
  readonly extraSteps?: number;
  /** journey → driver names; its series then carry a driver tag per driver (none when absent) */
  readonly drivers?: Readonly<Record<string, readonly string[]>>;
  /** latency multiplier per driver, e.g. { protocol: 0.3 } (no page to render) */
  readonly driverLatencyFactor?: Readonly<Record<string, number>>;
  /** the resolved plan's call rooms (plan.callRooms) */
  readonly callRooms?: readonly FixtureCallRoom[];
  /** summary.evidence */
  readonly evidence?: readonly FailureEvidence[];
  /** add the built-in error thresholds (source 'default') and set summary.defaultGate */
  readonly defaultGate?: boolean;
  /** false: the plan has no thresholds of its own */
  readonly planThresholds?: boolean;
  /** a different plan name or scale, for baseline comparisons */
  readonly planName?: string;
  readonly scale?: number;
  /** peak users of the plan (default 12) */
  readonly targetUsers?: number;
}
