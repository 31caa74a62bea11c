// A realistic run, generated: several phases and intervals, three journeys with their steps,
// WebRTC metrics by kind/direction, generator and target metrics, and events with errors.
// Used by the report and dashboard tests and by the report bench, and written to disk in the
// run-folder layout (docs/run-folder.md) so the readers are tested on real files.
// Every catalogue metric appears, so dashboards that query any of them can be checked.
import { TrendHistogram } from '../../metrics/histogram.ts';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { catalogue, type MetricName } from '../../metrics/catalogue.ts';
import type { IntervalSnapshot, RunEvent, SeriesAggregate, Tags } from '../../metrics/types.ts';
import type { ErrorClass, MetricSummary, RunSummary, StepSummary, UserCounts, Verdict } from '../../metrics/run-summary.ts';
import { RunFolderSink, writeSummary } from '../../metrics/sinks/run-folder.ts';
import type { RunForReport } from '../run-folder-reader.ts';

export const fixtureSteps: Readonly<Record<string, readonly string[]>> = {
  chatMessaging: ['login', 'join_waddle', 'open_channel', 'send_message'],
  videoCall: ['login', 'join_voice', 'enable_camera', 'first_remote_video'],
  fileUpload: ['login', 'upload_file', 'download_verify'],
};
const stepBaseMs: Readonly<Record<string, number>> = {
  login: 420, join_waddle: 180, open_channel: 90, send_message: 60, join_voice: 650,
  enable_camera: 300, first_remote_video: 900, upload_file: 1800, download_verify: 700,
};

export interface FixtureOptions {
  readonly runId?: string;
  readonly startMs?: number;
  readonly intervalCount?: number;
  readonly intervalMs?: number;
  /** multiply one step's latency, e.g. { 'videoCall/join_voice': 2 } — the "made slower on purpose" step */
  readonly stepLatencyFactor?: Readonly<Record<string, number>>;
  /** share of failed runs for a step, e.g. { 'fileUpload/upload_file': 0.1 } */
  readonly stepErrorRate?: Readonly<Record<string, number>>;
  /** an error message put in events and summary; defaults to one holding markup to test escaping */
  readonly errorMessage?: string;
  readonly verdict?: Verdict;
  /** encode HdrHistograms per trend series (realistic, slower); off for the bench */
  readonly withHdr?: boolean;
  /** values drawn per trend series per interval */
  readonly valuesPerInterval?: number;
  readonly seed?: number;
  readonly includeTarget?: boolean;
  /** generator CPU level, percent of the machine (drives the saturation bottleneck) */
  readonly generatorCpuPct?: number;
  /** extra steps per journey ("extra_1"...), to reach a series count (the bench uses ~200 series) */
  readonly extraSteps?: number;
}

export const hostileErrorMessage = 'upload failed: <script>window.__pwned = 1</script> & "quotes"';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface SeriesSpec {
  readonly metric: MetricName;
  readonly tags: Tags;
  /** typical value; trends draw around it, gauges sit near it, counters add about it per interval */
  readonly base: number;
  readonly errorShare?: number;
}

const mediaCombos: readonly Tags[] = [
  { kind: 'audio', direction: 'inbound' }, { kind: 'audio', direction: 'outbound' },
  { kind: 'video', direction: 'inbound' }, { kind: 'video', direction: 'outbound' },
];

const typical: Partial<Record<MetricName, number>> = {
  'users.active': 4, 'users.started': 1, 'users.schedule_lag_ms': 12, 'journey.duration_ms': 30_000,
  'chat.messages_sent': 30, 'chat.messages_received': 90, 'chat.send_ack_ms': 35, 'chat.delivery_ms': 80,
  'presence.propagation_ms': 150, 'reactions.sent': 5, 'voice.join_ms': 600, 'media.first_remote_ms': 850,
  'upload.duration_ms': 1800, 'upload.throughput_mbps': 40, 'upload.bytes': 5_000_000, 'download.duration_ms': 600,
  'webrtc.bitrate_kbps': 600, 'webrtc.packets_lost_pct': 0.3, 'webrtc.jitter_ms': 6, 'webrtc.rtt_ms': 2,
  'webrtc.fps': 15, 'webrtc.frame_height_px': 360, 'webrtc.video.freeze_count': 1, 'webrtc.video.freeze_ms': 120,
  'webrtc.audio.concealed_pct': 0.5, 'webrtc.jitter_buffer_ms': 40, 'webrtc.audio.mos': 4.3,
  'webrtc.first_frame_ms': 700, 'webrtc.connection_failures': 1, 'webrtc.connections': 6,
  'generator.cpu_pct': 55, 'generator.node_cpu_pct': 12, 'generator.browser_cpu_pct': 90, 'generator.memory_mb': 2400,
  'generator.node_heap_mb': 120, 'generator.system_cpu_pct': 60, 'generator.system_memory_pct': 35,
  'generator.event_loop_delay_ms': 8, 'generator.browsers': 2, 'generator.contexts': 12,
  'target.ws_connections': 12, 'target.cpu_pct': 35, 'target.memory_mb': 180, 'target.messages_per_s': 6,
  'target.event_loop_delay_ms': 3,
};

/** One series per catalogue metric and tag combination; steps and journeys from fixtureSteps. */
function seriesSpecs(options: FixtureOptions): SeriesSpec[] {
  const specs: SeriesSpec[] = [];
  const journeys = Object.keys(fixtureSteps);
  const stepsOf = (journey: string): string[] => [...(fixtureSteps[journey] ?? []), ...Array.from({ length: options.extraSteps ?? 0 }, (_, i) => `extra_${i + 1}`)];
  for (const [name, def] of Object.entries(catalogue) as [MetricName, (typeof catalogue)[MetricName]][]) {
    if (name.startsWith('target.') && options.includeTarget === false) continue;
    const tagKeys: readonly string[] = def.tags;
    const base = typical[name] ?? 1;
    if (tagKeys.includes('step')) {
      for (const journey of journeys) {
        for (const step of stepsOf(journey)) {
          const key = `${journey}/${step}`;
          const factor = options.stepLatencyFactor?.[key] ?? 1;
          specs.push({ metric: name, tags: { journey, step }, base: (stepBaseMs[step] ?? 200) * factor, errorShare: options.stepErrorRate?.[key] ?? 0.005 });
        }
      }
    } else if (tagKeys.includes('direction')) {
      for (const combo of mediaCombos) {
        // MOS and concealment are audio measures; freezes and fps are video measures.
        if (name.startsWith('webrtc.video.freeze') && combo.direction !== 'inbound') continue;
        if ((name.startsWith('webrtc.audio.') && combo.kind !== 'audio') || ((name.startsWith('webrtc.video.') || name === 'webrtc.fps' || name === 'webrtc.frame_height_px' || name.startsWith('webrtc.quality_limited')) && combo.kind !== 'video')) continue;
        const kindBase = name === 'webrtc.bitrate_kbps' && combo.kind === 'audio' ? 40 : base;
        specs.push({ metric: name, tags: { journey: 'videoCall', ...combo }, base: kindBase, errorShare: name === 'webrtc.quality_limited_cpu' ? 0.02 : 0.01 });
      }
    } else if (tagKeys.includes('kind')) {
      for (const kind of ['audio', 'video']) specs.push({ metric: name, tags: tagKeys.includes('journey') ? { journey: 'videoCall', kind } : { kind }, base });
    } else if (tagKeys.includes('journey')) {
      const owners = name.startsWith('chat.') ? ['chatMessaging'] : name.startsWith('upload.') || name.startsWith('download.') ? ['fileUpload'] : name === 'voice.join_ms' ? ['videoCall'] : journeys;
      for (const journey of owners) specs.push({ metric: name, tags: { journey }, base, errorShare: 0.01 });
    } else {
      const cpuBase = name === 'generator.cpu_pct' && options.generatorCpuPct !== undefined ? options.generatorCpuPct : base;
      specs.push({ metric: name, tags: {}, base: cpuBase });
    }
  }
  return specs;
}

function percentile(sorted: readonly number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? 0;
}

const round = (value: number): number => Math.round(value * 1000) / 1000;

interface RunLevel { values: number[]; count: number; sum: number; min: number; max: number; nonZero: number; last: number }

/** Builds the run in memory. Deterministic for a given seed. */
export function makeFixtureRun(options: FixtureOptions = {}): RunForReport {
  const rand = mulberry32(options.seed ?? 57);
  const intervalMs = options.intervalMs ?? 5000;
  const intervalCount = options.intervalCount ?? 36;
  const startMs = options.startMs ?? Date.UTC(2025, 0, 15, 10, 0, 0);
  const runId = options.runId ?? '20250115-100000-baseline-a1b2';
  const perInterval = options.valuesPerInterval ?? 12;
  const specs = seriesSpecs(options);
  const phases = [
    { name: 'ramp-up', share: 0.25, targetUsers: 12 },
    { name: 'steady', share: 0.5, targetUsers: 12 },
    { name: 'ramp-down', share: 0.25, targetUsers: 0 },
  ];
  const phaseAt = (i: number): { name: string; load: number } => {
    const at = (i + 0.5) / intervalCount;
    if (at < 0.25) return { name: 'ramp-up', load: Math.max(0.1, at / 0.25) };
    if (at < 0.75) return { name: 'steady', load: 1 };
    return { name: 'ramp-down', load: Math.max(0.1, (1 - at) / 0.25) };
  };
  const runLevel = new Map<string, RunLevel>();
  const intervals: IntervalSnapshot[] = [];
  for (let i = 0; i < intervalCount; i++) {
    const { name: phase, load } = phaseAt(i);
    const series: SeriesAggregate[] = [];
    for (const spec of specs) {
      const def = catalogue[spec.metric];
      const key = `${spec.metric}|${JSON.stringify(spec.tags)}`;
      let level = runLevel.get(key);
      if (!level) { level = { values: [], count: 0, sum: 0, min: Infinity, max: -Infinity, nonZero: 0, last: 0 }; runLevel.set(key, level); }
      const common = { metric: spec.metric, kind: def.kind, tags: spec.tags };
      if (def.kind === 'trend') {
        // Mostly near the base with a long right tail, as latencies are.
        const values: number[] = [];
        for (let v = 0; v < perInterval; v++) {
          const tail = rand() < 0.015 ? 1.3 + 0.5 * rand() : 1;
          values.push(round(spec.base * (0.7 + 0.5 * rand()) * tail * (spec.metric.endsWith('_ms') ? 0.8 + 0.4 * load : 1)));
        }
        values.sort((a, b) => a - b);
        const sum = values.reduce((a, b) => a + b, 0);
        let hdr: string | undefined;
        if (options.withHdr) {
          const histogram = new TrendHistogram();
          for (const value of values) histogram.record(Math.max(0, value));
          hdr = histogram.encode();
        }
        series.push({ ...common, count: values.length, sum: round(sum), min: values[0] ?? 0, max: values[values.length - 1] ?? 0,
          p50: percentile(values, 50), p90: percentile(values, 90), p95: percentile(values, 95), p99: percentile(values, 99), ...(hdr ? { hdr } : {}) });
        for (const value of values) level.values.push(value);
        level.count += values.length; level.sum += sum; level.min = Math.min(level.min, values[0] ?? 0); level.max = Math.max(level.max, values[values.length - 1] ?? 0);
      } else if (def.kind === 'rate') {
        const count = Math.max(1, Math.round(perInterval * load));
        let nonZero = 0;
        for (let v = 0; v < count; v++) if (rand() < (spec.errorShare ?? 0.01)) nonZero++;
        series.push({ ...common, count, sum: nonZero, min: 0, max: nonZero > 0 ? 1 : 0, nonZero });
        level.count += count; level.sum += nonZero; level.nonZero += nonZero; level.min = 0; level.max = Math.max(level.max, nonZero > 0 ? 1 : 0);
      } else if (def.kind === 'counter') {
        const value = Math.round(spec.base * load * (0.5 + rand()));
        series.push({ ...common, count: 1, sum: value, min: value, max: value });
        level.count += 1; level.sum += value; level.min = Math.min(level.min, value); level.max = Math.max(level.max, value);
      } else {
        const scale = spec.metric === 'users.active' || spec.metric.endsWith('contexts') || spec.metric.endsWith('connections') ? load : 0.8 + 0.2 * load;
        const last = round(spec.base * scale * (0.9 + 0.2 * rand()));
        series.push({ ...common, count: 1, sum: last, min: round(last * 0.95), max: round(last * 1.05), last });
        level.count += 1; level.sum += last; level.min = Math.min(level.min, last * 0.95); level.max = Math.max(level.max, last * 1.05); level.last = last;
      }
    }
    intervals.push({ runId, shard: '1/1', startMs: startMs + i * intervalMs, endMs: startMs + (i + 1) * intervalMs, phase, series });
  }
  const endMs = startMs + intervalCount * intervalMs;
  const errorMessage = options.errorMessage ?? hostileErrorMessage;
  const events = makeEvents(runId, startMs, endMs, intervalCount, intervalMs, phaseAt, errorMessage);
  const summary = makeSummary({ runId, startMs, endMs, runLevel, specs, phases: phases.map((p, index) => ({
    name: p.name, targetUsers: p.targetUsers,
    startMs: startMs + Math.round(intervalCount * intervalMs * phases.slice(0, index).reduce((a, b) => a + b.share, 0)),
    endMs: startMs + Math.round(intervalCount * intervalMs * phases.slice(0, index + 1).reduce((a, b) => a + b.share, 0)),
  })), errorMessage, options });
  return { summary, intervals, events };
}

function makeEvents(runId: string, startMs: number, endMs: number, intervalCount: number, intervalMs: number, phaseAt: (i: number) => { name: string }, errorMessage: string): RunEvent[] {
  const events: RunEvent[] = [{ timeMs: startMs, type: 'run_start', message: `run ${runId} started` }];
  let current = '';
  for (let i = 0; i < intervalCount; i++) {
    const { name } = phaseAt(i);
    if (name !== current) {
      if (current) events.push({ timeMs: startMs + i * intervalMs, type: 'phase_end', tags: { phase: current } });
      events.push({ timeMs: startMs + i * intervalMs, type: 'phase_start', message: `phase ${name}`, tags: { phase: name } });
      current = name;
    }
    if (i % 5 === 2) {
      events.push({ timeMs: startMs + i * intervalMs + 1200, type: 'step_error', reason: 'timeout', message: `step upload_file timed out after 30000 ms`, tags: { journey: 'fileUpload', step: 'upload_file' } });
    }
    if (i % 9 === 4) {
      events.push({ timeMs: startMs + i * intervalMs + 2100, type: 'step_error', reason: 'target_error', message: errorMessage, tags: { journey: 'fileUpload', step: 'upload_file' } });
    }
  }
  events.push({ timeMs: startMs + Math.round(intervalCount / 2) * intervalMs, type: 'page_crash', reason: 'page_crash', message: 'page crashed (renderer gone)', tags: { journey: 'videoCall' } });
  events.push({ timeMs: endMs, type: 'phase_end', tags: { phase: current } });
  events.push({ timeMs: endMs, type: 'run_end', message: 'run complete' });
  return events;
}

interface SummaryInput {
  runId: string; startMs: number; endMs: number; runLevel: Map<string, RunLevel>; specs: SeriesSpec[];
  phases: RunSummary['phases']; errorMessage: string; options: FixtureOptions;
}

function makeSummary(input: SummaryInput): RunSummary {
  const { runLevel, specs } = input;
  const levelOf = (spec: SeriesSpec): RunLevel => runLevel.get(`${spec.metric}|${JSON.stringify(spec.tags)}`)!;
  const steps: StepSummary[] = [];
  for (const spec of specs.filter((s) => s.metric === 'step.duration_ms')) {
    const level = levelOf(spec);
    const sorted = [...level.values].sort((a, b) => a - b);
    const errorSpec = specs.find((s) => s.metric === 'step.errors' && s.tags.journey === spec.tags.journey && s.tags.step === spec.tags.step)!;
    steps.push({ journey: spec.tags.journey ?? '', step: spec.tags.step ?? '', count: level.count, errors: levelOf(errorSpec).nonZero,
      p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: level.max, mean: round(level.sum / level.count) });
  }
  const journeys: Record<string, UserCounts> = {};
  for (const journey of Object.keys(fixtureSteps)) {
    const started = levelOf(specs.find((s) => s.metric === 'users.started' && s.tags.journey === journey)!).sum;
    const journeyErrors = levelOf(specs.find((s) => s.metric === 'journey.errors' && s.tags.journey === journey)!);
    const failed = Math.min(started, Math.round((started * journeyErrors.nonZero) / Math.max(1, journeyErrors.count)));
    const interrupted = Math.min(started - failed, 1);
    journeys[journey] = { started, completed: started - failed - interrupted, failed, interrupted };
  }
  const users = Object.values(journeys).reduce<UserCounts>((a, j) => ({ started: a.started + j.started, completed: a.completed + j.completed, failed: a.failed + j.failed, interrupted: a.interrupted + j.interrupted }), { started: 0, completed: 0, failed: 0, interrupted: 0 });
  const metrics: MetricSummary[] = [];
  for (const name of new Set(specs.map((s) => s.metric))) {
    const def = catalogue[name];
    const levels = specs.filter((s) => s.metric === name).map(levelOf);
    const count = levels.reduce((a, l) => a + l.count, 0);
    const sum = levels.reduce((a, l) => a + l.sum, 0);
    const values = levels.flatMap((l) => l.values).sort((a, b) => a - b);
    const nonZero = levels.reduce((a, l) => a + l.nonZero, 0);
    metrics.push({ metric: name, kind: def.kind, unit: def.unit, count, sum: round(sum), min: round(Math.min(...levels.map((l) => l.min))), max: round(Math.max(...levels.map((l) => l.max))), mean: round(sum / Math.max(1, count)),
      ...(def.kind === 'trend' ? { p50: percentile(values, 50), p90: percentile(values, 90), p95: percentile(values, 95), p99: percentile(values, 99) } : {}),
      ...(def.kind === 'rate' ? { rate: round(nonZero / Math.max(1, count)) } : {}),
      ...(def.kind === 'gauge' ? { last: round(levels.reduce((a, l) => a + l.last, 0)) } : {}) });
  }
  const metric = (name: string): MetricSummary | undefined => metrics.find((m) => m.metric === name);
  const delivery = metric('chat.delivery_ms');
  const uploadErrors = steps.find((s) => s.journey === 'fileUpload' && s.step === 'upload_file');
  const thresholds = [
    { metric: 'chat.delivery_ms', expression: 'p(95)<1000', observed: delivery?.p95 ?? null, ok: (delivery?.p95 ?? Infinity) < 1000, noData: false, abortOnFail: false },
    { metric: 'step.errors', expression: 'rate<0.05', observed: uploadErrors ? round(uploadErrors.errors / uploadErrors.count) : null, ok: uploadErrors ? uploadErrors.errors / uploadErrors.count < 0.05 : false, noData: false, abortOnFail: false },
    { metric: 'step.duration_ms', expression: 'p(95)<3000', observed: Math.max(...steps.map((s) => s.p95)), ok: Math.max(...steps.map((s) => s.p95)) < 3000, noData: false, abortOnFail: true },
    { metric: 'download.verify_errors', expression: 'rate<0.01', observed: metric('download.verify_errors')?.rate ?? null, ok: (metric('download.verify_errors')?.rate ?? 1) < 0.01, noData: false, abortOnFail: false },
  ];
  const failed = thresholds.filter((t) => !t.ok);
  const cpu = metric('generator.cpu_pct');
  const saturated = (input.options.generatorCpuPct ?? 0) > 85;
  const verdict: Verdict = input.options.verdict ?? (saturated
    ? { result: 'inconclusive', exitCode: 4, reasons: [`generator saturated: CPU p95 ${cpu?.max ?? 0}% > 85%`] }
    : failed.length > 0
      ? { result: 'fail', exitCode: 3, reasons: failed.map((t) => `threshold ${t.metric} ${t.expression} failed: ${t.observed}`) }
      : { result: 'pass', exitCode: 0, reasons: ['every threshold had data and held'] });
  const errors: ErrorClass[] = [
    { reason: 'timeout', count: 8, examples: ['fileUpload/upload_file: step upload_file timed out after 30000 ms'] },
    { reason: 'target_error', count: 4, examples: [`fileUpload/upload_file: ${input.errorMessage}`] },
    { reason: 'page_crash', count: 1, examples: ['videoCall: page crashed (renderer gone)'] },
  ];
  return {
    schemaVersion: 1, runId: input.runId, shard: '1/1', status: 'complete',
    startedAt: new Date(input.startMs).toISOString(), endedAt: new Date(input.endMs).toISOString(), durationMs: input.endMs - input.startMs,
    target: 'http://127.0.0.1:4173',
    plan: { name: 'baseline <fixture>', journeys: Object.keys(fixtureSteps).map((name) => ({ journey: name, weight: 1 })), phases: input.phases.map((p) => ({ name: p.name, users: p.targetUsers })) },
    phases: input.phases, verdict, users, journeys, steps, metrics, thresholds,
    generator: { saturated, reasons: saturated ? ['cpu p95 over 85%'] : [], cpuPercentP95: round((cpu?.max ?? 0) * 0.97), cpuPercentMax: cpu?.max ?? 0,
      memoryMaxMb: metric('generator.memory_mb')?.max ?? 0, eventLoopDelayP99Ms: metric('generator.event_loop_delay_ms')?.p99 ?? 0,
      videoCpuLimitedShare: metric('webrtc.quality_limited_cpu')?.rate ?? 0, browserCrashes: 0, browserRelaunches: 0 },
    sinks: { 'run-folder': { generated: 1000, delivered: 1000, retried: 0, spilled: 0, dropped: 0 } },
    errors, scheduleLagMs: { p50: 8, p95: 25, max: 60 },
  };
}

/**
 * Writes the run in the run-folder layout through the real writer (metrics/sinks/run-folder.ts):
 * intervals.ndjson and events.ndjson by RunFolderSink, summary.json by writeSummary, plus plan.json.
 */
export async function writeFixtureRunFolder(dir: string, run: RunForReport): Promise<string> {
  await mkdir(dir, { recursive: true });
  const sink = new RunFolderSink(dir, { writeSamples: false });
  for (const interval of run.intervals) sink.writeInterval(interval);
  for (const event of run.events) sink.writeEvent(event);
  const stats = await sink.close(Date.now() + 20_000);
  if (stats.dropped > 0) throw new Error(`writeFixtureRunFolder: the run-folder sink dropped ${stats.dropped} lines writing ${dir}`);
  await writeSummary(dir, run.summary);
  await writeFile(join(dir, 'plan.json'), JSON.stringify(run.summary.plan, null, 2));
  return dir;
}
