// Bottlenecks found by rules (seed issue #57's identifyBottlenecks, extended to media and to the
// generator). Pure functions of the run summary and its interval snapshots: no I/O, no clock.
// Each finding carries the numbers that triggered it and what to do about it.
import type { IntervalSnapshot } from '../metrics/types.ts';
import type { RunSummary } from '../metrics/run-summary.ts';

export type Severity = 'critical' | 'high' | 'medium' | 'low';

export type BottleneckType =
  | 'latency_spike' | 'high_error_rate' | 'generator_cpu' | 'generator_memory' | 'generator_saturation'
  | 'target_cpu' | 'target_memory' | 'video_cpu_limited' | 'video_bandwidth_limited'
  | 'webrtc_loss' | 'video_freezes' | 'low_mos' | 'target_memory_growth' | 'generator_memory_growth';

export interface Bottleneck {
  readonly type: BottleneckType;
  /** what is affected: "videoCall/join_voice", "generator", "target", "video outbound" */
  readonly component: string;
  readonly severity: Severity;
  /** the numbers that triggered it, in a sentence */
  readonly details: string;
  readonly recommendation: string;
  /** the observed value and the limit it crossed */
  readonly observed: number;
  readonly limit: number;
}

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
  /** fewer step runs than this give percentiles too noisy to call a spike */
  readonly minCountForSpike: number;
}

export const defaultLimits: BottleneckLimits = {
  spikeRatio: 2, errorRatePct: 5, cpuPct: 85, memoryPct: 85, qualityLimitedShare: 0.1, lossPct: 2, minMos: 3.5, minCountForSpike: 20,
};

const fmt = (value: number, digits = 1): string => (Math.round(value * 10 ** digits) / 10 ** digits).toString();

/** Run-level aggregate of one metric per tag set, from intervals: sums and counts add, levels take the peak. */
export interface TaggedAggregate { tags: Record<string, string>; count: number; sum: number; nonZero: number; maxP95: number; lastValues: number[] }

export function aggregateByTags(intervals: readonly IntervalSnapshot[], metric: string, keys: readonly string[]): TaggedAggregate[] {
  const map = new Map<string, TaggedAggregate>();
  for (const interval of intervals) {
    for (const s of interval.series) {
      if (s.metric !== metric) continue;
      const tags = Object.fromEntries(keys.map((k) => [k, s.tags[k] ?? '']));
      const key = JSON.stringify(tags);
      let agg = map.get(key);
      if (!agg) map.set(key, (agg = { tags, count: 0, sum: 0, nonZero: 0, maxP95: -Infinity, lastValues: [] }));
      agg.count += s.count;
      agg.sum += s.sum;
      agg.nonZero += s.nonZero ?? 0;
      if (s.p95 !== undefined) agg.maxP95 = Math.max(agg.maxP95, s.p95);
      if (s.last !== undefined) agg.lastValues.push(s.last);
    }
  }
  return [...map.values()];
}

/** p95 of a gauge over the run, from each interval's last value (nearest rank). */
export function gaugeP95(intervals: readonly IntervalSnapshot[], metric: string): number | null {
  const values = gaugeLevels(intervals, metric).map((p) => p.value);
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  return values[Math.min(values.length - 1, Math.ceil(0.95 * values.length) - 1)] ?? null;
}

/** the level of a gauge in each interval where it has one, summed over its tag sets */
function gaugeLevels(intervals: readonly IntervalSnapshot[], metric: string): { timeMs: number; value: number }[] {
  const out: { timeMs: number; value: number }[] = [];
  for (const interval of intervals) {
    let total: number | undefined;
    for (const s of interval.series) if (s.metric === metric && s.last !== undefined) total = (total ?? 0) + s.last;
    if (total !== undefined) out.push({ timeMs: interval.endMs, value: total });
  }
  return out;
}

export interface MemoryGrowth { readonly mbPerHour: number; readonly fromMb: number; readonly toMb: number; readonly minutes: number }

/**
 * A leak shows as memory that keeps climbing while the load holds still. Over the second half of
 * a run of at least minRunMinutes (past the ramps of a soak), the least-squares slope of a memory
 * gauge, taken over the intervals where active users were within 10% of that half's peak (the
 * ramp-down at the end and dips between journeys are left out, so growth is not just load).
 */
export function memoryGrowth(intervals: readonly IntervalSnapshot[], metric: string, minRunMinutes = 20): MemoryGrowth | null {
  const points = gaugeLevels(intervals, metric);
  if (points.length < 10) return null;
  if ((points.at(-1)!.timeMs - points[0]!.timeMs) / 60_000 < minRunMinutes) return null;
  const secondHalf = points.slice(Math.floor(points.length / 2));
  const usersAt = new Map(gaugeLevels(intervals, 'users.active').map((p) => [p.timeMs, p.value]));
  const peakUsers = Math.max(0, ...secondHalf.map((p) => usersAt.get(p.timeMs) ?? 0));
  const window = usersAt.size === 0 ? secondHalf : secondHalf.filter((p) => (usersAt.get(p.timeMs) ?? 0) >= 0.9 * peakUsers);
  if (window.length < 10) return null;
  const fromMs = window[0]!.timeMs;
  const span = window.at(-1)!.timeMs - fromMs;
  if (span / 60_000 < minRunMinutes / 4) return null;
  const n = window.length;
  const mx = window.reduce((a, p) => a + p.timeMs, 0) / n;
  const my = window.reduce((a, p) => a + p.value, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of window) {
    sxy += (p.timeMs - mx) * (p.value - my);
    sxx += (p.timeMs - mx) ** 2;
  }
  if (sxx === 0) return null;
  const perMs = sxy / sxx;
  return { mbPerHour: perMs * 3_600_000, fromMb: my - perMs * (mx - fromMs), toMb: my + perMs * (fromMs + span - mx), minutes: span / 60_000 };
}

function metricSummary(summary: RunSummary, name: string) {
  return summary.metrics.find((m) => m.metric === name);
}

const mediaName = (tags: Record<string, string>): string => [tags.kind, tags.direction].filter(Boolean).join(' ') || 'media';

export function identifyBottlenecks(summary: RunSummary, intervals: readonly IntervalSnapshot[] = [], limits: Partial<BottleneckLimits> = {}): Bottleneck[] {
  const l = { ...defaultLimits, ...limits };
  const found: Bottleneck[] = [];

  for (const step of summary.steps) {
    const component = `${step.journey}/${step.step}`;
    if (step.count >= l.minCountForSpike && step.p95 > 0 && step.p99 > l.spikeRatio * step.p95) {
      found.push({ type: 'latency_spike', component, severity: 'high', observed: step.p99, limit: l.spikeRatio * step.p95,
        details: `p99 ${fmt(step.p99, 0)} ms is ${fmt(step.p99 / step.p95)}× p95 ${fmt(step.p95, 0)} ms over ${step.count} runs`,
        recommendation: 'A slow tail, not a slow median: look for timeouts, retries, lock contention or GC pauses on this path; correlate the spike times with the charts.' });
    }
    const errorPct = step.count > 0 ? (step.errors / step.count) * 100 : 0;
    if (errorPct > l.errorRatePct) {
      found.push({ type: 'high_error_rate', component, severity: 'critical', observed: errorPct, limit: l.errorRatePct,
        details: `${step.errors} of ${step.count} runs failed (${fmt(errorPct)}% > ${l.errorRatePct}%)`,
        recommendation: 'Read the grouped errors below for this step; fix the dominant class first, and add back-pressure or circuit breakers where the target fails under load.' });
    }
  }
  for (const [journey, counts] of Object.entries(summary.journeys)) {
    const errorPct = counts.started > 0 ? (counts.failed / counts.started) * 100 : 0;
    if (errorPct > l.errorRatePct) {
      found.push({ type: 'high_error_rate', component: journey, severity: 'critical', observed: errorPct, limit: l.errorRatePct,
        details: `${counts.failed} of ${counts.started} ${journey} journeys failed (${fmt(errorPct)}% > ${l.errorRatePct}%)`,
        recommendation: 'Find the failing critical step in the per-step table; a journey fails when one of its critical steps does.' });
    }
  }

  const gen = summary.generator;
  if (gen.saturated) {
    found.push({ type: 'generator_saturation', component: 'generator', severity: 'critical', observed: gen.cpuPercentP95, limit: l.cpuPct,
      details: `the load generator was saturated (${gen.reasons.join('; ') || 'see generator health'}); the verdict is inconclusive`,
      recommendation: 'The numbers describe the generator, not Waddle: rerun with fewer users per worker (--max-browsers) or shard over more workers (--shard i/n).' });
  }
  if (gen.cpuPercentP95 > l.cpuPct) {
    // Bursts (browsers launching during a ramp) that never lasted the saturation window do not
    // make the run inconclusive; say so rather than contradict the verdict.
    found.push({ type: 'generator_cpu', component: 'generator', severity: gen.saturated ? 'critical' : 'medium', observed: gen.cpuPercentP95, limit: l.cpuPct,
      details: `generator CPU p95 ${fmt(gen.cpuPercentP95)}% > ${l.cpuPct}% of the machine (max ${fmt(gen.cpuPercentMax)}%)${gen.saturated ? '' : ', in bursts shorter than the saturation window, so the verdict stands'}`,
      recommendation: 'Add generator capacity: more shards/workers, fewer video users per machine, or lower fake-media resolution.' });
  }
  const sysMem = metricSummary(summary, 'generator.system_memory_pct');
  if (sysMem && sysMem.count > 0 && sysMem.max > l.memoryPct) {
    found.push({ type: 'generator_memory', component: 'generator', severity: 'critical', observed: sysMem.max, limit: l.memoryPct,
      details: `generator machine memory peaked at ${fmt(sysMem.max)}% > ${l.memoryPct}% (fleet RSS max ${fmt(gen.memoryMaxMb, 0)} MB)`,
      recommendation: 'Lower --contexts-per-browser or users per worker; check that contexts close after each user (memory slope over the run).' });
  }
  const targetCpu = gaugeP95(intervals, 'target.cpu_pct') ?? metricSummary(summary, 'target.cpu_pct')?.max;
  if (targetCpu !== undefined && targetCpu !== null && targetCpu > l.cpuPct) {
    found.push({ type: 'target_cpu', component: 'target', severity: 'high', observed: targetCpu, limit: l.cpuPct,
      details: `target CPU p95 ${fmt(targetCpu)}% of one core > ${l.cpuPct}%`,
      recommendation: 'The target is CPU bound: profile its hot paths (message fan-out, JSON encoding), or scale it out behind a balancer.' });
  }
  // growth of more than 10% over the window and 50 MB an hour: worth a look before the next soak
  const leaks = [
    { metric: 'target.memory_mb', type: 'target_memory_growth', component: 'target', severity: 'high',
      recommendation: 'Memory kept climbing under a steady load: take heap snapshots of the target an hour apart and diff them (per-connection state, history, timers not freed on leave).' },
    { metric: 'generator.memory_mb', type: 'generator_memory_growth', component: 'generator', severity: 'medium',
      recommendation: 'The fleet itself grew under a steady load: check that browser contexts close when users end, and lower --contexts-per-browser for long soaks.' },
  ] as const;
  for (const leak of leaks) {
    const g = memoryGrowth(intervals, leak.metric);
    if (g && g.mbPerHour > 50 && g.toMb > 1.1 * g.fromMb) {
      found.push({ type: leak.type, component: leak.component, severity: leak.severity, observed: g.mbPerHour, limit: 50,
        details: `${leak.component} memory grew ${fmt(g.fromMb, 0)} → ${fmt(g.toMb, 0)} MB over the last ${fmt(g.minutes, 0)} minutes at a steady load (${fmt(g.mbPerHour, 0)} MB/h)`,
        recommendation: leak.recommendation });
    }
  }
  const targetMem = metricSummary(summary, 'target.memory_mb');
  if (l.targetMemoryLimitMb && targetMem && targetMem.count > 0 && (targetMem.max / l.targetMemoryLimitMb) * 100 > l.memoryPct) {
    const pct = (targetMem.max / l.targetMemoryLimitMb) * 100;
    found.push({ type: 'target_memory', component: 'target', severity: 'high', observed: pct, limit: l.memoryPct,
      details: `target memory peaked at ${fmt(targetMem.max, 0)} MB, ${fmt(pct)}% of its ${l.targetMemoryLimitMb} MB limit`,
      recommendation: 'Look for per-connection buffers or caches that grow with users; raise the limit only after the slope is understood.' });
  }

  for (const [metric, type, cause] of [['webrtc.quality_limited_cpu', 'video_cpu_limited', 'CPU'], ['webrtc.quality_limited_bandwidth', 'video_bandwidth_limited', 'bandwidth']] as const) {
    for (const agg of aggregateByTags(intervals, metric, ['kind', 'direction'])) {
      const share = agg.count > 0 ? agg.nonZero / agg.count : 0;
      if (share > l.qualityLimitedShare) {
        found.push({ type, component: mediaName(agg.tags), severity: 'high', observed: share * 100, limit: l.qualityLimitedShare * 100,
          details: `${fmt(share * 100)}% of outbound video samples were limited by ${cause} (> ${fmt(l.qualityLimitedShare * 100)}%)`,
          recommendation: cause === 'CPU'
            ? 'The generator cannot encode the video it sends: a starved generator, not a slow Waddle. Fewer video users per worker, or lower camera resolution/fps.'
            : 'The encoder lowered quality for the network: check the SFU/TURN path and congestion; loopback runs should not be bandwidth limited.' });
      }
    }
  }
  for (const agg of aggregateByTags(intervals, 'webrtc.packets_lost_pct', ['kind', 'direction'])) {
    const mean = agg.count > 0 ? agg.sum / agg.count : 0;
    if (mean > l.lossPct) {
      found.push({ type: 'webrtc_loss', component: mediaName(agg.tags), severity: 'high', observed: mean, limit: l.lossPct,
        details: `mean packet loss ${fmt(mean, 2)}% > ${l.lossPct}% (worst interval p95 ${fmt(agg.maxP95, 2)}%)`,
        recommendation: 'Loss on loopback means a starved process drops packets: check generator and SFU CPU first, then socket buffers.' });
    }
  }
  const freezes = aggregateByTags(intervals, 'webrtc.video.freeze_count', ['kind', 'direction']);
  const freezeMs = aggregateByTags(intervals, 'webrtc.video.freeze_ms', ['kind', 'direction']);
  for (const agg of freezes) {
    if (agg.sum <= 0) continue;
    const ms = freezeMs.find((f) => f.tags.kind === agg.tags.kind && f.tags.direction === agg.tags.direction)?.sum ?? 0;
    found.push({ type: 'video_freezes', component: mediaName(agg.tags), severity: agg.sum >= 10 ? 'high' : 'medium', observed: agg.sum, limit: 0,
      details: `${agg.sum} video freezes, ${fmt(ms / 1000)} s frozen in all`,
      recommendation: 'Freezes follow loss, CPU starvation at the decoder or keyframe starvation: check loss, generator CPU and the SFU’s keyframe requests at the freeze times.' });
  }
  for (const agg of aggregateByTags(intervals, 'webrtc.audio.mos', ['kind', 'direction'])) {
    const mean = agg.count > 0 ? agg.sum / agg.count : Infinity;
    if (mean < l.minMos) {
      found.push({ type: 'low_mos', component: mediaName(agg.tags), severity: 'high', observed: mean, limit: l.minMos,
        details: `mean audio MOS ${fmt(mean, 2)} < ${l.minMos}`,
        recommendation: 'MOS falls with RTT, jitter and loss: see which of the three moved in the WebRTC charts.' });
    }
  }
  return found;
}
