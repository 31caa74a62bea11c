// Recommendations that follow from the findings and the run's shape (seed issue #57's
// generateRecommendations): one per distinct problem, highest priority first, each with the
// evidence it rests on. Capacity advice ("scale the target out") needs errors that rose with the
// load on enough step runs in both windows (MIN_SAMPLES.capacityTrendRunsPerWindow), counting
// neither failures the plan explains (users alone in a call) nor start-up-only findings.
import type { IntervalSnapshot } from '../metrics/types.ts';
import type { RunSummary } from '../metrics/run-summary.ts';
import type { Bottleneck } from './bottlenecks.ts';
import { describeEvidence } from './finding.ts';
import { generatorFit } from './generator-fit.ts';
import { MIN_SAMPLES } from './min-samples.ts';
import { loneCallerProblems, planExplainedSteps } from './plan-problems.ts';

export type Priority = 'high' | 'medium' | 'low';

export interface Recommendation {
  readonly priority: Priority;
  readonly category: 'plan' | 'performance' | 'reliability' | 'generator' | 'media' | 'scaling' | 'capacity' | 'start-up';
  readonly title: string;
  readonly description: string;
  /** the bottleneck components this answers */
  readonly components: readonly string[];
  /** what it rests on: series, phases, samples */
  readonly evidence: readonly string[];
}

const categoryOf: Record<Bottleneck['type'], Recommendation['category']> = {
  latency_spike: 'performance', high_error_rate: 'reliability', generator_cpu: 'generator', generator_memory: 'generator',
  generator_saturation: 'generator', target_cpu: 'capacity', target_sfu_cpu: 'capacity', target_memory: 'capacity', video_cpu_limited: 'generator',
  video_bandwidth_limited: 'media', webrtc_loss: 'media', video_freezes: 'media', low_mos: 'media',
  target_memory_growth: 'capacity', generator_memory_growth: 'generator', plan_lone_callers: 'plan', blocked_traffic: 'plan',
};

const titleOf: Record<Bottleneck['type'], string> = {
  latency_spike: 'Investigate latency tails', high_error_rate: 'Fix failing steps', generator_cpu: 'Add load-generator CPU',
  generator_memory: 'Add load-generator memory', generator_saturation: 'Rerun on an unsaturated generator',
  target_cpu: 'Relieve target CPU', target_sfu_cpu: 'Relieve the media server (SFU) CPU', target_memory: 'Watch target memory', video_cpu_limited: 'Give video senders CPU',
  video_bandwidth_limited: 'Check the media network path', webrtc_loss: 'Reduce packet loss', video_freezes: 'Reduce video freezes', low_mos: 'Raise call audio quality',
  target_memory_growth: 'Find the target memory leak', generator_memory_growth: 'Find the fleet memory growth', plan_lone_callers: 'Fix the plan: fill the call rooms',
  blocked_traffic: 'Name the hosts the app needs, or find what reaches out',
};

const rank: Record<Priority, number> = { high: 0, medium: 1, low: 2 };

export interface ScalingInput {
  /** users running at the peak, all journeys together; from intervals when not given */
  readonly peakUsers?: number;
  readonly intervals?: readonly IntervalSnapshot[];
}

/** Peak of the summed users.active gauge over intervals. */
export function peakActiveUsers(intervals: readonly IntervalSnapshot[]): number {
  let peak = 0;
  for (const interval of intervals) {
    let total = 0;
    for (const s of interval.series) if (s.metric === 'users.active') total += s.last ?? 0;
    peak = Math.max(peak, total);
  }
  return peak;
}

export interface ErrorTrend { earlyPct: number; latePct: number; earlyRuns: number; lateRuns: number }

/**
 * Step error share in the first third of the run and at the plateau (the middle third; the last
 * third is usually ramp-down and would hide a rise). Only steps that ran in both windows count: a
 * step that first ran at the plateau (a call that never connected, a late journey) cannot show a
 * rise with load. Steps in `exclude` (failures the plan explains) are left out.
 */
export function errorTrend(intervals: readonly IntervalSnapshot[], exclude: ReadonlySet<string> = new Set()): ErrorTrend {
  const third = Math.max(1, Math.floor(intervals.length / 3));
  const byStep = (slice: readonly IntervalSnapshot[]): Map<string, { count: number; nonZero: number }> => {
    const out = new Map<string, { count: number; nonZero: number }>();
    for (const interval of slice) {
      for (const s of interval.series) {
        const key = `${s.tags.journey}/${s.tags.step}`;
        if (s.metric !== 'step.errors' || exclude.has(key)) continue;
        const e = out.get(key) ?? { count: 0, nonZero: 0 };
        e.count += s.count;
        e.nonZero += s.nonZero ?? 0;
        out.set(key, e);
      }
    }
    return out;
  };
  const early = byStep(intervals.slice(0, third));
  const late = byStep(intervals.length >= 3 ? intervals.slice(third, intervals.length - third) : intervals);
  const share = (steps: Map<string, { count: number; nonZero: number }>, other: Map<string, { count: number }>): { pct: number; runs: number } => {
    let count = 0, nonZero = 0;
    for (const [key, e] of steps) if ((other.get(key)?.count ?? 0) > 0) { count += e.count; nonZero += e.nonZero; }
    return { pct: count > 0 ? (nonZero / count) * 100 : 0, runs: count };
  };
  const e = share(early, late);
  const l = share(late, early);
  return { earlyPct: e.pct, latePct: l.pct, earlyRuns: e.runs, lateRuns: l.runs };
}

function fromFindings(bottlenecks: readonly Bottleneck[]): Recommendation[] {
  const byTitle = new Map<string, { priority: Priority; category: Recommendation['category']; descriptions: string[]; components: string[]; evidence: string[] }>();
  for (const b of bottlenecks) {
    const title = titleOf[b.type];
    const priority: Priority = b.area === 'start-up' ? 'low' : b.severity === 'critical' || b.severity === 'high' ? 'high' : b.severity === 'medium' ? 'medium' : 'low';
    const key = b.area === 'start-up' ? `${title} at start-up` : title;
    let entry = byTitle.get(key);
    if (!entry) byTitle.set(key, (entry = { priority, category: b.area === 'start-up' ? 'start-up' : categoryOf[b.type], descriptions: [], components: [], evidence: [] }));
    if (rank[priority] < rank[entry.priority]) entry.priority = priority;
    if (!entry.descriptions.includes(b.recommendation)) entry.descriptions.push(b.recommendation);
    if (!entry.components.includes(b.component)) entry.components.push(b.component);
    entry.evidence.push(describeEvidence(b.evidence));
  }
  return [...byTitle.entries()].map(([title, e]) => ({
    priority: e.priority, category: e.category, title: `${title}: ${e.components.join(', ')}`, description: e.descriptions.join(' '), components: e.components, evidence: e.evidence,
  }));
}

function capacity(summary: RunSummary, scaling: ScalingInput): Recommendation | undefined {
  const plannedUsers = Math.max(0, ...summary.phases.map((p) => p.targetUsers));
  const intervals = scaling.intervals ?? [];
  const peak = scaling.peakUsers ?? peakActiveUsers(intervals);
  const t = errorTrend(intervals, planExplainedSteps(loneCallerProblems(summary)));
  const min = MIN_SAMPLES.capacityTrendRunsPerWindow;
  if (!(plannedUsers > 0 && peak > 0.8 * plannedUsers && t.latePct > t.earlyPct + 1)) return undefined;
  if (t.earlyRuns < min || t.lateRuns < min) return undefined;
  return { priority: 'high', category: 'scaling', components: ['target'],
    title: `Plan capacity below ${Math.round(peak)} concurrent users`,
    description: `Errors rose from ${t.earlyPct.toFixed(1)}% early in the run to ${t.latePct.toFixed(1)}% at ${Math.round(peak)} of ${plannedUsers} planned users: the target nears its limit. Scale it out (more instances, autoscaling on connections) before this level, and rerun a stress plan to find the knee.`,
    evidence: [`step.errors · first third: ${t.earlyRuns} runs, ${t.earlyPct.toFixed(1)}% failed · plateau: ${t.lateRuns} runs, ${t.latePct.toFixed(1)}% failed (min ${min} runs each; steps that ran in both windows; failures the plan explains left out)`] };
}

export function recommendations(bottlenecks: readonly Bottleneck[], summary: RunSummary, scaling: ScalingInput = {}): Recommendation[] {
  const out = fromFindings(bottlenecks);
  const scale = capacity(summary, scaling);
  if (scale) out.push(scale);
  const underLoad = bottlenecks.filter((b) => b.area !== 'start-up');
  const starved = underLoad.some((b) => b.type === 'generator_saturation' || (b.type === 'generator_cpu' && b.severity === 'critical') || b.type === 'video_cpu_limited');
  const bursty = underLoad.some((b) => b.type === 'generator_cpu');
  const fit = generatorFit(summary);
  if ((starved || bursty) && !fit?.starved) {
    out.push({ priority: starved ? 'high' : 'medium', category: 'generator', components: ['generator'],
      title: 'Shard the load over more workers',
      description: fit?.advice ?? 'Run the same plan as --shard 1/n … n/n with a shared --start-at on more machines (docker/compose.yaml or the Kubernetes Indexed Job), so each worker stays under 85% CPU.',
      evidence: underLoad.filter((b) => b.type.startsWith('generator') || b.type === 'video_cpu_limited').map((b) => describeEvidence(b.evidence)) });
  }
  const seen = new Set<string>();
  return out.filter((r) => (seen.has(r.title) ? false : (seen.add(r.title), true))).sort((a, b) => rank[a.priority] - rank[b.priority]);
}
