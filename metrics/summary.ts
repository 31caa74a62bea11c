// Builds summary.json (metrics/run-summary.ts) from run totals and what the run counted.
// Steps come from step.duration_ms / step.errors per {journey, step}; metrics per name
// (histograms merged, never percentiles averaged); errors grouped by reason from
// step_error / journey_error events. No NaN anywhere: non-finite numbers become 0.
import { mergeMatching, summarizeByMetric } from './by-metric.ts';
import type { ErrorClass, GeneratorHealth, MetricSummary, PhaseSummary, RunSummary, StepSummary, ThresholdResult, UserCounts, Verdict } from './run-summary.ts';
import type { RunEvent, SeriesAggregate, SinkStats } from './types.ts';
import { videoCpuLimitedShare } from './verdict.ts';

const ERROR_EVENTS = new Set<RunEvent['type']>(['step_error', 'journey_error']);

/** Groups failures by their low-cardinality reason, keeping a few examples. Feed it every event. */
export class ErrorCollector {
  private readonly byReason = new Map<string, { count: number; examples: string[] }>();
  private count = 0;

  constructor(private readonly maxExamples = 5) {}

  /** ignores events that are not step_error / journey_error */
  add(event: RunEvent): void {
    if (!ERROR_EVENTS.has(event.type)) return;
    this.count += 1;
    const reason = event.reason ?? 'unclassified';
    let c = this.byReason.get(reason);
    if (c === undefined) {
      c = { count: 0, examples: [] };
      this.byReason.set(reason, c);
    }
    c.count += 1;
    if (c.examples.length < this.maxExamples) {
      const where = [event.tags?.journey, event.tags?.step].filter(Boolean).join('/');
      c.examples.push(`${where ? `${where}: ` : ''}${event.message ?? event.type}`);
    }
  }

  /** all step and journey errors seen */
  get total(): number {
    return this.count;
  }

  /** most frequent first */
  classes(): ErrorClass[] {
    return [...this.byReason.entries()]
      .map(([reason, c]) => ({ reason, count: c.count, examples: [...c.examples] }))
      .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
  }
}

/** merge error classes of several shards (counts add, examples capped) */
export function mergeErrorClasses(lists: readonly (readonly ErrorClass[])[], maxExamples = 5): ErrorClass[] {
  const m = new Map<string, { count: number; examples: string[] }>();
  for (const list of lists) {
    for (const e of list) {
      const c = m.get(e.reason) ?? { count: 0, examples: [] };
      c.count += e.count;
      for (const ex of e.examples) if (c.examples.length < maxExamples) c.examples.push(ex);
      m.set(e.reason, c);
    }
  }
  return [...m.entries()].map(([reason, c]) => ({ reason, ...c })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

export interface BuildSummaryInput {
  readonly runId: string;
  readonly shard: string;
  readonly status: RunSummary['status'];
  readonly startedAtMs: number;
  /** null while running */
  readonly endedAtMs: number | null;
  readonly target: string;
  readonly plan: unknown;
  readonly phases: readonly PhaseSummary[];
  readonly verdict: Verdict;
  readonly userCounts: UserCounts;
  readonly journeyCounts: Readonly<Record<string, UserCounts>>;
  readonly totals: readonly SeriesAggregate[];
  readonly thresholds: readonly ThresholdResult[];
  /** what the resource monitor knows; missing parts are filled from totals or 0 */
  readonly generator?: Partial<GeneratorHealth>;
  readonly sinks?: Readonly<Record<string, SinkStats>>;
  readonly errors?: readonly ErrorClass[];
  /** the built-in error gate applied (metrics/default-gate.ts) */
  readonly defaultGate?: boolean;
  /** what the host guard refused */
  readonly blocked?: RunSummary['blocked'];
  /** default: from users.schedule_lag_ms in totals */
  readonly scheduleLag?: { readonly p50: number; readonly p95: number; readonly max: number };
}

const finite = (n: number | null | undefined): number => (typeof n === 'number' && Number.isFinite(n) ? n : 0);

function cleanMetric(m: MetricSummary): MetricSummary {
  const out: Record<string, unknown> = { ...m };
  for (const [k, v] of Object.entries(out)) if (typeof v === 'number') out[k] = finite(v);
  return out as unknown as MetricSummary;
}

/** One entry per journey, driver and step: what browser users felt stays apart from protocol users' figures. */
export function buildSteps(totals: readonly SeriesAggregate[]): StepSummary[] {
  const keys = new Map<string, { journey: string; driver: string; step: string }>();
  for (const s of totals) {
    if (s.metric !== 'step.duration_ms' && s.metric !== 'step.errors' && s.metric !== 'step.failed_duration_ms') continue;
    const key = { journey: s.tags.journey ?? '', driver: s.tags.driver ?? '', step: s.tags.step ?? '' };
    keys.set(JSON.stringify(key), key);
  }
  const steps: StepSummary[] = [];
  for (const { journey, driver, step } of keys.values()) {
    // untagged series count as journey "" / step "" (a filter could not match a missing tag)
    const mine = totals.filter((t) => (t.tags.journey ?? '') === journey && (t.tags.driver ?? '') === driver && (t.tags.step ?? '') === step);
    const d = mergeMatching(mine, 'step.duration_ms');
    const e = mergeMatching(mine, 'step.errors');
    const f = mergeMatching(mine, 'step.failed_duration_ms');
    const h = d?.hist;
    const failureReasons: Record<string, number> = {};
    for (const t of mine) if (t.metric === 'step.failed_duration_ms') failureReasons[t.tags.reason ?? 'unclassified'] = (failureReasons[t.tags.reason ?? 'unclassified'] ?? 0) + t.count;
    steps.push({
      journey,
      ...(driver ? { driver } : {}),
      step,
      count: Math.max((d?.count ?? 0) + (f?.count ?? 0), e?.count ?? 0),
      errors: e?.nonZero ?? 0,
      // latency of the runs that succeeded only: failures are below, apart
      p50: finite(h?.percentile(50)),
      p95: finite(h?.percentile(95)),
      p99: finite(h?.percentile(99)),
      max: finite(d?.max),
      mean: finite(d && d.count > 0 ? d.sum / d.count : 0),
      failedP50: finite(f?.hist?.percentile(50)),
      failedMax: finite(f?.max),
      failureReasons,
    });
  }
  return steps.sort((a, b) => a.journey.localeCompare(b.journey) || (a.driver ?? '').localeCompare(b.driver ?? '') || a.step.localeCompare(b.step));
}

export function buildGenerator(totals: readonly SeriesAggregate[], metrics: readonly MetricSummary[], g: Partial<GeneratorHealth> = {}): GeneratorHealth {
  const by = (name: string) => metrics.find((m) => m.metric === name);
  const hasVideoSamples = totals.some((s) => s.metric === 'webrtc.quality_limited_cpu' && s.count > 0);
  return {
    saturated: g.saturated ?? false,
    reasons: [...(g.reasons ?? [])],
    // the gauge keeps min/max/last, not a distribution: its max stands in for p95 when the monitor gave none
    cpuPercentP95: finite(g.cpuPercentP95 ?? by('generator.cpu_pct')?.max),
    cpuPercentMax: finite(g.cpuPercentMax ?? by('generator.cpu_pct')?.max),
    memoryMaxMb: finite(g.memoryMaxMb ?? by('generator.memory_mb')?.max),
    eventLoopDelayP99Ms: finite(g.eventLoopDelayP99Ms ?? by('generator.event_loop_delay_ms')?.p99),
    videoCpuLimitedShare: finite(hasVideoSamples ? videoCpuLimitedShare(totals) : g.videoCpuLimitedShare),
    browserCrashes: finite(g.browserCrashes),
    browserRelaunches: finite(g.browserRelaunches),
    ...(g.browser ? { browser: { executable: g.browser.executable, frameRate: finite(g.browser.frameRate) } } : {}),
    ...optionalFigures(g),
  };
}

/** The monitor's optional figures (machine CPU, run-queue wait, CPU starved of, start-up burst), carried when given. */
function optionalFigures(g: Partial<GeneratorHealth>): Partial<GeneratorHealth> {
  const keys = ['machineCpuPercentP95', 'cpuWaitPercentP95', 'cpuStarvedPercentP95', 'startupCpuPercentMax', 'startupMs'] as const;
  return Object.fromEntries(keys.flatMap((k) => (g[k] === undefined ? [] : [[k, finite(g[k])]])));
}

export function buildSummary(input: BuildSummaryInput): RunSummary {
  const metrics = summarizeByMetric(input.totals).map(cleanMetric);
  const lagMetric = metrics.find((m) => m.metric === 'users.schedule_lag_ms');
  const lag = input.scheduleLag ?? { p50: lagMetric?.p50 ?? 0, p95: lagMetric?.p95 ?? 0, max: lagMetric?.max ?? 0 };
  const endOrNow = input.endedAtMs ?? Date.now();
  return {
    schemaVersion: 1,
    runId: input.runId,
    shard: input.shard,
    status: input.status,
    startedAt: new Date(finite(input.startedAtMs)).toISOString(),
    endedAt: input.endedAtMs === null ? null : new Date(finite(input.endedAtMs)).toISOString(),
    durationMs: Math.max(0, finite(endOrNow - input.startedAtMs)),
    target: input.target,
    plan: input.plan,
    phases: input.phases.map((p) => ({ ...p, startMs: finite(p.startMs), endMs: finite(p.endMs), targetUsers: finite(p.targetUsers) })),
    verdict: input.verdict,
    users: input.userCounts,
    journeys: input.journeyCounts,
    steps: buildSteps(input.totals),
    metrics,
    thresholds: input.thresholds.map((t) => ({ ...t, observed: t.observed === null ? null : finite(t.observed) })),
    generator: buildGenerator(input.totals, metrics, input.generator),
    sinks: input.sinks ?? {},
    errors: input.errors ?? [],
    scheduleLagMs: { p50: finite(lag.p50), p95: finite(lag.p95), max: finite(lag.max) },
    ...(input.defaultGate === undefined ? {} : { defaultGate: input.defaultGate }),
    ...(input.blocked === undefined ? {} : { blocked: input.blocked }),
  };
}
