// The fixture run's summary.json, computed from what its intervals hold (so the report, which reads
// both, sees one consistent run): steps with failures apart, journeys, metrics, thresholds (the
// plan's and, when asked, the built-in gate's), verdict, generator health, evidence.
import { catalogue, type MetricName } from '../../metrics/catalogue.ts';
import type { ErrorClass, MetricSummary, RunSummary, StepSummary, ThresholdResult, UserCounts, Verdict } from '../../metrics/run-summary.ts';
import type { Tags } from '../../metrics/types.ts';
import type { FixtureOptions } from './fixture-options.ts';
import { fixtureSteps, percentilesOf, round, type RunLevel } from './fixture-series.ts';

export interface SeriesLevel { readonly metric: MetricName; readonly tags: Tags; readonly level: RunLevel }

export interface SummaryInput {
  readonly runId: string; readonly startMs: number; readonly endMs: number; readonly intervalMs: number;
  readonly levels: readonly SeriesLevel[];
  readonly phases: RunSummary['phases'];
  readonly errorMessage: string;
  readonly options: FixtureOptions;
}

const sorted = (values: readonly number[]): number[] => [...values].sort((a, b) => a - b);

function stepSummaries(levels: readonly SeriesLevel[]): StepSummary[] {
  const keys = [...new Set(levels.filter((l) => l.metric === 'step.errors').map((l) => `${l.tags.journey}/${l.tags.step}`))];
  return keys.map((key) => {
    const [journey = '', step = ''] = key.split('/');
    const mine = levels.filter((l) => l.tags.journey === journey && l.tags.step === step);
    const ok = sorted(mine.filter((l) => l.metric === 'step.duration_ms').flatMap((l) => l.level.values));
    const okPercentiles = percentilesOf(ok);
    const failedLevels = mine.filter((l) => l.metric === 'step.failed_duration_ms');
    const failed = sorted(failedLevels.flatMap((l) => l.level.values));
    const errorLevels = mine.filter((l) => l.metric === 'step.errors').map((l) => l.level);
    const failureReasons: Record<string, number> = {};
    for (const l of failedLevels) failureReasons[l.tags.reason ?? 'unclassified'] = (failureReasons[l.tags.reason ?? 'unclassified'] ?? 0) + l.level.count;
    return {
      journey, step, count: errorLevels.reduce((a, l) => a + l.count, 0), errors: errorLevels.reduce((a, l) => a + l.nonZero, 0),
      p50: okPercentiles.p50, p95: okPercentiles.p95, p99: okPercentiles.p99, max: ok.at(-1) ?? 0, mean: ok.length ? round(ok.reduce((a, b) => a + b, 0) / ok.length) : 0,
      failedP50: percentilesOf(failed).p50, failedMax: failed.at(-1) ?? 0, failureReasons,
    };
  });
}

function metricSummaries(levels: readonly SeriesLevel[]): MetricSummary[] {
  const out: MetricSummary[] = [];
  for (const name of new Set(levels.map((l) => l.metric))) {
    const def = catalogue[name];
    const mine = levels.filter((l) => l.metric === name).map((l) => l.level);
    const count = mine.reduce((a, l) => a + l.count, 0);
    const sum = mine.reduce((a, l) => a + l.sum, 0);
    const values = sorted(mine.flatMap((l) => l.values));
    const nonZero = mine.reduce((a, l) => a + l.nonZero, 0);
    out.push({ metric: name, kind: def.kind, unit: def.unit, count, sum: round(sum), min: round(Math.min(...mine.map((l) => l.min))), max: round(Math.max(...mine.map((l) => l.max))), mean: round(sum / Math.max(1, count)),
      ...(def.kind === 'trend' ? percentilesOf(values) : {}),
      ...(def.kind === 'rate' ? { rate: round(nonZero / Math.max(1, count)) } : {}),
      ...(def.kind === 'gauge' ? { last: round(mine.reduce((a, l) => a + l.last, 0)) } : {}) });
  }
  return out;
}

function journeyCounts(levels: readonly SeriesLevel[]): Record<string, UserCounts> {
  const journeys: Record<string, UserCounts> = {};
  for (const journey of Object.keys(fixtureSteps)) {
    const mine = (metric: string) => levels.filter((l) => l.metric === metric && l.tags.journey === journey).map((l) => l.level);
    const started = mine('users.started').reduce((a, l) => a + l.sum, 0);
    const errors = mine('journey.errors');
    const rate = errors.reduce((a, l) => a + l.nonZero, 0) / Math.max(1, errors.reduce((a, l) => a + l.count, 0));
    const failed = Math.min(started, Math.round(started * rate));
    const interrupted = Math.min(started - failed, 1);
    journeys[journey] = { started, completed: started - failed - interrupted, failed, interrupted };
  }
  return journeys;
}

export function fixtureThresholds(steps: readonly StepSummary[], metrics: readonly MetricSummary[], journeys: Readonly<Record<string, UserCounts>>, options: FixtureOptions): ThresholdResult[] {
  const metric = (name: string): MetricSummary | undefined => metrics.find((m) => m.metric === name);
  const out: ThresholdResult[] = [];
  if (options.planThresholds !== false) {
    const delivery = metric('chat.delivery_ms');
    const upload = steps.find((s) => s.journey === 'fileUpload' && s.step === 'upload');
    const uploadRate = upload && upload.count > 0 ? round(upload.errors / upload.count) : null;
    const slowest = Math.max(...steps.map((s) => s.p95));
    const verify = metric('download.verify_errors')?.rate ?? null;
    const plan = (m: string, expression: string, observed: number | null, ok: boolean, abortOnFail = false): ThresholdResult =>
      ({ metric: m, expression, observed, ok, noData: observed === null, abortOnFail, source: 'plan' });
    out.push(plan('chat.delivery_ms', 'p(95)<1000', delivery?.p95 ?? null, (delivery?.p95 ?? Infinity) < 1000),
      plan('step.errors{journey:fileUpload,step:upload}', 'rate<0.05', uploadRate, uploadRate !== null && uploadRate < 0.05),
      plan('step.duration_ms', 'p(95)<3000', slowest, slowest < 3000, true),
      plan('download.verify_errors', 'rate<0.01', verify, verify !== null && verify < 0.01));
  }
  if (options.defaultGate) {
    for (const [journey, j] of Object.entries(journeys)) {
      const rate = j.started > 0 ? round(j.failed / j.started) : null;
      out.push({ metric: `journey.errors{journey:${journey}}`, expression: 'rate<0.01', observed: rate, ok: rate !== null && rate < 0.01, noData: rate === null, abortOnFail: false, source: 'default' });
      out.push({ metric: `journey.completed{journey:${journey}}`, expression: 'count>0', observed: j.completed, ok: j.completed > 0, noData: false, abortOnFail: false, source: 'default' });
    }
  }
  return out;
}

export function makeSummary(input: SummaryInput): RunSummary {
  const { levels, options } = input;
  const steps = stepSummaries(levels);
  const metrics = metricSummaries(levels);
  const journeys = journeyCounts(levels);
  const users = Object.values(journeys).reduce<UserCounts>((a, j) => ({ started: a.started + j.started, completed: a.completed + j.completed, failed: a.failed + j.failed, interrupted: a.interrupted + j.interrupted }), { started: 0, completed: 0, failed: 0, interrupted: 0 });
  const thresholds = fixtureThresholds(steps, metrics, journeys, options);
  const failed = thresholds.filter((t) => !t.ok);
  const cpu = metrics.find((m) => m.metric === 'generator.cpu_pct');
  const saturated = (options.generatorCpuPct ?? 0) > 85;
  const verdict: Verdict = options.verdict ?? (saturated
    ? { result: 'inconclusive', exitCode: 4, reasons: [`generator saturated: CPU p95 ${cpu?.max ?? 0}% > 85%`] }
    : failed.length > 0
      ? { result: 'fail', exitCode: 3, reasons: failed.map((t) => `threshold ${t.metric} ${t.expression} failed: ${t.observed}`) }
      : { result: 'pass', exitCode: 0, reasons: [thresholds.length > 0 ? 'every threshold had data and held' : 'passed: the run completed; the plan defines no thresholds'] });
  const errors: ErrorClass[] = [
    { reason: 'timeout', count: 8, examples: ['fileUpload/upload: step upload timed out after 30000 ms'] },
    { reason: 'target_error', count: 4, examples: [`fileUpload/upload: ${input.errorMessage}`] },
    { reason: 'page_crash', count: 1, examples: ['videoCall: page crashed (renderer gone)'] },
  ];
  return {
    schemaVersion: 1, runId: input.runId, shard: '1/1', status: 'complete',
    startedAt: new Date(input.startMs).toISOString(), endedAt: new Date(input.endMs).toISOString(), durationMs: input.endMs - input.startMs,
    target: 'http://127.0.0.1:4173',
    plan: fixturePlan(input),
    phases: input.phases, verdict, users, journeys, steps, metrics, thresholds,
    generator: { saturated, reasons: saturated ? ['cpu p95 over 85%'] : [], cpuPercentP95: round((cpu?.max ?? 0) * 0.97), cpuPercentMax: cpu?.max ?? 0,
      memoryMaxMb: metrics.find((m) => m.metric === 'generator.memory_mb')?.max ?? 0, eventLoopDelayP99Ms: metrics.find((m) => m.metric === 'generator.event_loop_delay_ms')?.p99 ?? 0,
      videoCpuLimitedShare: metrics.find((m) => m.metric === 'webrtc.quality_limited_cpu')?.rate ?? 0, browserCrashes: 0, browserRelaunches: 0 },
    sinks: { 'run-folder': { generated: 1000, delivered: 1000, retried: 0, spilled: 0, dropped: 0 } },
    errors, scheduleLagMs: { p50: 8, p95: 25, max: 60 },
    ...(options.defaultGate !== undefined ? { defaultGate: options.defaultGate } : {}),
    ...(options.evidence ? { evidence: options.evidence } : {}),
  };
}

/** The resolved plan, shaped like plans/resolve.ts ResolvedPlan (what plan.json holds). */
function fixturePlan(input: SummaryInput): Record<string, unknown> {
  const { options } = input;
  const journeys = Object.keys(fixtureSteps);
  const phases = input.phases.map((p, index) => {
    const startMs = p.startMs - input.startMs;
    const endMs = p.endMs - input.startMs;
    const ramp = p.name.startsWith('ramp') ? endMs - startMs : 0;
    return { index, name: p.name, targetUsers: p.targetUsers, rampUpMs: ramp, durationMs: endMs - startMs - ramp, startMs, rampEndMs: startMs + ramp, endMs,
      scenarios: journeys.map((journey) => ({ journey, users: Math.round(p.targetUsers / journeys.length), params: {} })) };
  });
  return {
    name: options.planName ?? 'baseline <fixture>',
    phases,
    thresholds: options.planThresholds === false ? {} : {
      'chat.delivery_ms': ['p(95)<1000'], 'step.errors{journey:fileUpload,step:upload}': ['rate<0.05'],
      'step.duration_ms': [{ threshold: 'p(95)<3000', abortOnFail: true }], 'download.verify_errors': ['rate<0.01'],
    },
    media: {}, limits: {}, gracefulStopMs: 30_000, thinkTimeScale: 1, scale: options.scale ?? 1, scaleDurations: false,
    shard: { index: 1, count: 1 }, seed: options.seed ?? 57, totalDurationMs: input.endMs - input.startMs,
    peakUsers: Math.max(0, ...input.phases.map((p) => p.targetUsers)),
    ...(options.callRooms ? { callRooms: options.callRooms } : {}),
  };
}
