// The fixture run's series: which (metric, tags) exist, and how one interval of each is drawn.
// Steps are drawn run by run as the fleet records them: a run that succeeds goes to
// step.duration_ms, one that fails to step.failed_duration_ms{reason} (never into latency), and
// every run to step.errors (0 or 1). With `drivers`, journey series carry a driver tag per driver.
import { catalogue, type MetricName } from '../../metrics/catalogue.ts';
import { TrendHistogram } from '../../metrics/histogram.ts';
import type { SeriesAggregate, Tags } from '../../metrics/types.ts';
import type { FixtureOptions } from './fixture-options.ts';

export const fixtureSteps: Readonly<Record<string, readonly string[]>> = {
  chatMessaging: ['connect', 'join_waddle', 'open_channel', 'send_message'],
  videoCall: ['connect', 'join_voice', 'enable_video', 'wait_remote_video'],
  fileUpload: ['connect', 'upload', 'verify_download'],
};
const stepBaseMs: Readonly<Record<string, number>> = {
  connect: 420, join_waddle: 180, open_channel: 90, send_message: 60, join_voice: 650,
  enable_video: 300, wait_remote_video: 900, upload: 1800, verify_download: 700,
};
/** a failed step: most time out at the step timeout, the rest fail fast with a target error */
export const fixtureStepTimeoutMs = 30_000;

/** p50, p90, p95 and p99 as the fleet reports them: from the trend histogram (metrics/histogram.ts) */
export function percentilesOf(values: readonly number[]): { p50: number; p90: number; p95: number; p99: number } {
  const [p50, p90, p95, p99] = histogramOf(values).percentiles([50, 90, 95, 99]) as [number, number, number, number];
  return { p50, p90, p95, p99 };
}

function histogramOf(values: readonly number[]): TrendHistogram {
  const histogram = new TrendHistogram();
  for (const value of values) histogram.record(Math.max(0, value));
  return histogram;
}

export const round = (value: number): number => Math.round(value * 1000) / 1000;

export interface SeriesSpec {
  readonly metric: MetricName;
  readonly tags: Tags;
  /** typical value; trends draw around it, gauges sit near it, counters add about it per interval */
  readonly base: number;
  readonly errorShare?: number;
}

export interface StepSpec {
  readonly journey: string;
  readonly step: string;
  readonly driver?: string;
  readonly baseMs: number;
  readonly errorShare: number;
}

/** What a series added up to over the run (for the summary). */
export interface RunLevel { values: number[]; count: number; sum: number; min: number; max: number; nonZero: number; last: number }

export const newLevel = (): RunLevel => ({ values: [], count: 0, sum: 0, min: Infinity, max: -Infinity, nonZero: 0, last: 0 });

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

/** the driver tags a journey's series carry: none without options.drivers; else its drivers, 'browser' by default */
export function driversOf(options: FixtureOptions, journey: string): (string | undefined)[] {
  if (!options.drivers) return [undefined];
  const drivers = options.drivers[journey];
  return drivers && drivers.length > 0 ? [...drivers] : ['browser'];
}

const withDriver = (tags: Tags, driver: string | undefined): Tags => (driver ? { ...tags, driver } : tags);
/** protocol users have no page: no probe, no media */
const pageOnly = (metric: string): boolean => metric.startsWith('webrtc.') || metric.startsWith('media.');

export function stepSpecs(options: FixtureOptions): StepSpec[] {
  const out: StepSpec[] = [];
  for (const journey of Object.keys(fixtureSteps)) {
    const steps = [...(fixtureSteps[journey] ?? []), ...Array.from({ length: options.extraSteps ?? 0 }, (_, i) => `extra_${i + 1}`)];
    for (const step of steps) {
      const key = `${journey}/${step}`;
      for (const driver of driversOf(options, journey)) {
        const factor = (options.stepLatencyFactor?.[key] ?? 1) * (driver ? options.driverLatencyFactor?.[driver] ?? 1 : 1);
        out.push({ journey, step, driver, baseMs: (stepBaseMs[step] ?? 200) * factor, errorShare: options.stepErrorRate?.[key] ?? 0.005 });
      }
    }
  }
  return out;
}

/** One series per catalogue metric and tag combination, but steps (see stepSpecs). */
export function seriesSpecs(options: FixtureOptions): SeriesSpec[] {
  const specs: SeriesSpec[] = [];
  const journeys = Object.keys(fixtureSteps);
  const push = (metric: MetricName, tags: Tags, base: number, errorShare?: number): void => {
    for (const driver of tags.journey ? driversOf(options, tags.journey) : [undefined]) {
      if (driver && driver !== 'browser' && pageOnly(metric)) continue;
      const factor = driver && metric.endsWith('_ms') ? options.driverLatencyFactor?.[driver] ?? 1 : 1;
      specs.push({ metric, tags: withDriver(tags, driver), base: base * factor, errorShare });
    }
  };
  for (const [name, def] of Object.entries(catalogue) as [MetricName, (typeof catalogue)[MetricName]][]) {
    if (name.startsWith('target.') && options.includeTarget === false) continue;
    const tagKeys: readonly string[] = def.tags;
    const base = typical[name] ?? 1;
    if (tagKeys.includes('step')) continue;
    if (tagKeys.includes('direction')) {
      for (const combo of mediaCombos) {
        // MOS and concealment are audio measures; freezes and fps are video measures.
        if (name.startsWith('webrtc.video.freeze') && combo.direction !== 'inbound') continue;
        if ((name.startsWith('webrtc.audio.') && combo.kind !== 'audio') || ((name.startsWith('webrtc.video.') || name === 'webrtc.fps' || name === 'webrtc.frame_height_px' || name.startsWith('webrtc.quality_limited')) && combo.kind !== 'video')) continue;
        const kindBase = name === 'webrtc.bitrate_kbps' && combo.kind === 'audio' ? 40 : base;
        push(name, { journey: 'videoCall', ...combo }, kindBase, name === 'webrtc.quality_limited_cpu' ? 0.02 : 0.01);
      }
    } else if (tagKeys.includes('kind')) {
      for (const kind of ['audio', 'video']) push(name, tagKeys.includes('journey') ? { journey: 'videoCall', kind } : { kind }, base);
    } else if (tagKeys.includes('journey')) {
      const owners = name.startsWith('chat.') ? ['chatMessaging'] : name.startsWith('upload.') || name.startsWith('download.') ? ['fileUpload'] : name === 'voice.join_ms' ? ['videoCall'] : journeys;
      for (const journey of owners) push(name, { journey }, base, 0.01);
    } else {
      const cpuBase = name === 'generator.cpu_pct' && options.generatorCpuPct !== undefined ? options.generatorCpuPct : base;
      push(name, {}, cpuBase);
    }
  }
  return specs;
}

/** A trend series over one interval from its values (sorted here): percentiles from its histogram, which it carries when asked. */
export function trendAggregate(metric: string, tags: Tags, values: number[], withHdr: boolean): SeriesAggregate {
  values.sort((a, b) => a - b);
  const sum = values.reduce((a, b) => a + b, 0);
  const histogram = histogramOf(values);
  const [p50, p90, p95, p99] = histogram.percentiles([50, 90, 95, 99]) as [number, number, number, number];
  return { metric, kind: 'trend', tags, count: values.length, sum: round(sum), min: values[0] ?? 0, max: values.at(-1) ?? 0,
    p50, p90, p95, p99, ...(withHdr ? { hdr: histogram.encode() } : {}) };
}

export function addToLevel(level: RunLevel, values: readonly number[], nonZero = 0): void {
  for (const value of values) {
    level.values.push(value);
    level.sum += value;
    level.min = Math.min(level.min, value);
    level.max = Math.max(level.max, value);
  }
  level.count += values.length;
  level.nonZero += nonZero;
}

export interface StepDraw { readonly series: SeriesAggregate[]; readonly ok: number[]; readonly failed: Map<string, number[]>; readonly runs: number }

/**
 * One interval of one step: `runs` runs, each failing with the spec's error share (70% time out
 * at the step timeout, the rest fail fast), successes drawn near the base with a long right tail;
 * `spikeFactor` multiplies the three slowest successes (a tail in this interval only).
 */
export function drawStep(spec: StepSpec, rand: () => number, runs: number, load: number, spikeFactor: number, withHdr: boolean): StepDraw {
  const ok: number[] = [];
  const failed = new Map<string, number[]>();
  for (let r = 0; r < runs; r++) {
    const fails = rand() < spec.errorShare;
    const tail = rand() < 0.015 ? 1.3 + 0.5 * rand() : 1;
    const value = round(spec.baseMs * (0.7 + 0.5 * rand()) * tail * (0.8 + 0.4 * load));
    if (!fails) { ok.push(value); continue; }
    const timedOut = rand() < 0.7;
    const reason = timedOut ? 'timeout' : 'target_error';
    let list = failed.get(reason);
    if (!list) failed.set(reason, (list = []));
    list.push(timedOut ? round(fixtureStepTimeoutMs * (1 + 0.01 * rand())) : round(value * 0.2));
  }
  ok.sort((a, b) => a - b);
  if (spikeFactor !== 1) for (let i = Math.max(0, ok.length - 3); i < ok.length; i++) ok[i] = round(ok[i]! * spikeFactor);
  const tags = withDriver({ journey: spec.journey, step: spec.step }, spec.driver);
  const errors = [...failed.values()].reduce((a, l) => a + l.length, 0);
  const series: SeriesAggregate[] = [];
  if (ok.length > 0) series.push(trendAggregate('step.duration_ms', tags, [...ok], withHdr));
  for (const [reason, values] of failed) series.push(trendAggregate('step.failed_duration_ms', { ...tags, reason }, [...values], withHdr));
  series.push({ metric: 'step.errors', kind: 'rate', tags, count: runs, sum: errors, min: 0, max: errors > 0 ? 1 : 0, nonZero: errors });
  return { series, ok, failed, runs };
}
