// Bottlenecks found by rules (seed issue #57's identifyBottlenecks, extended to media, the
// generator and the plan). Pure functions of the run summary and its interval snapshots: no I/O,
// no clock. A finding follows from the data: it names its evidence (series, phases, samples), is
// not raised below its rule's minimum of samples (MIN_SAMPLES; those are listed apart as not
// judged), files start-up-only evidence under start-up and failures the plan explains (users
// alone in a call) under the plan, never as target findings.
import type { RunSummary } from '../metrics/run-summary.ts';
import type { IntervalSnapshot } from '../metrics/types.ts';
import { FindingList, type Analysis, type Bottleneck } from './finding.ts';
import { MIN_SAMPLES } from './min-samples.ts';
import { machineRules } from './rules-machines.ts';
import { mediaRules } from './rules-media.ts';
import { safetyRules } from './rules-safety.ts';
import { stepRules } from './rules-steps.ts';
import { startupWindow } from './startup.ts';

export type { Analysis, Bottleneck, BottleneckType, FindingArea, FindingEvidence, Severity, WithheldFinding } from './finding.ts';
export { aggregateByTags, gaugeP95, memoryGrowth, type MemoryGrowth, type TaggedAggregate } from './interval-stats.ts';

export interface BottleneckLimits {
  /** p99 above this multiple of p95 is a spike (seed: 2) */
  readonly spikeRatio: number;
  /** error share above this is high (seed: 5%) */
  readonly errorRatePct: number;
  readonly cpuPct: number;
  readonly memoryPct: number;
  /** share of outbound video samples limited by cpu/bandwidth */
  readonly qualityLimitedShare: number;
  readonly lossPct: number;
  readonly minMos: number;
  /** the target's memory limit, when known (e.g. its container limit); unknown → no memory rule */
  readonly targetMemoryLimitMb?: number;
  /** fewer successful step runs than this give percentiles too noisy to call a spike */
  readonly minCountForSpike: number;
  /** a tail that adds less than this (p99 − p95, ms) is no spike a user feels, whatever the ratio (8 ms vs 3 ms was "high") */
  readonly minSpikeMs: number;
}

export const defaultLimits: BottleneckLimits = {
  spikeRatio: 2, errorRatePct: 5, cpuPct: 85, memoryPct: 85, qualityLimitedShare: 0.1, lossPct: 2, minMos: 3.5, minCountForSpike: MIN_SAMPLES.stepSpike, minSpikeMs: 100,
};

const severityRank = { critical: 0, high: 1, medium: 2, low: 3 } as const;
const areaRank = { plan: 0, load: 1, 'start-up': 2 } as const;

/** Every finding with its evidence, and the rules that fired on too few samples (withheld). */
export function analyseRun(summary: RunSummary, intervals: readonly IntervalSnapshot[] = [], limits: Partial<BottleneckLimits> = {}): Analysis {
  const l = { ...defaultLimits, ...limits };
  const out = new FindingList();
  const startup = startupWindow(summary, intervals);
  stepRules({ summary, intervals, limits: l, startup }, out);
  machineRules({ summary, intervals, limits: l, startup }, out);
  mediaRules(intervals, l, out);
  safetyRules(summary, out);
  const findings = [...out.findings];
  findings.sort((a, b) => areaRank[a.area] - areaRank[b.area] || severityRank[a.severity] - severityRank[b.severity]);
  return { findings, withheld: out.withheld };
}

/** The findings only (see analyseRun for what was withheld). */
export function identifyBottlenecks(summary: RunSummary, intervals: readonly IntervalSnapshot[] = [], limits: Partial<BottleneckLimits> = {}): Bottleneck[] {
  return analyseRun(summary, intervals, limits).findings;
}
