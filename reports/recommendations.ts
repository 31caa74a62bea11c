// Recommendations that follow from the bottlenecks and the run's shape (seed issue #57's
// generateRecommendations): one per distinct problem, highest priority first, plus scaling
// advice when the run reached most of its planned users while errors were rising.
import type { IntervalSnapshot } from '../metrics/types.ts';
import type { RunSummary } from '../metrics/run-summary.ts';
import type { Bottleneck } from './bottlenecks.ts';

export type Priority = 'high' | 'medium' | 'low';

export interface Recommendation {
  readonly priority: Priority;
  readonly category: 'performance' | 'reliability' | 'generator' | 'media' | 'scaling' | 'capacity';
  readonly title: string;
  readonly description: string;
  /** the bottleneck components this answers */
  readonly components: readonly string[];
}

const categoryOf: Record<Bottleneck['type'], Recommendation['category']> = {
  latency_spike: 'performance', high_error_rate: 'reliability', generator_cpu: 'generator', generator_memory: 'generator',
  generator_saturation: 'generator', target_cpu: 'capacity', target_memory: 'capacity', video_cpu_limited: 'generator',
  video_bandwidth_limited: 'media', webrtc_loss: 'media', video_freezes: 'media', low_mos: 'media',
  target_memory_growth: 'capacity', generator_memory_growth: 'generator',
};

const titleOf: Record<Bottleneck['type'], string> = {
  latency_spike: 'Investigate latency tails', high_error_rate: 'Fix failing steps', generator_cpu: 'Add load-generator CPU',
  generator_memory: 'Add load-generator memory', generator_saturation: 'Rerun on an unsaturated generator',
  target_cpu: 'Relieve target CPU', target_memory: 'Watch target memory', video_cpu_limited: 'Give video senders CPU',
  video_bandwidth_limited: 'Check the media network path', webrtc_loss: 'Reduce packet loss', video_freezes: 'Reduce video freezes', low_mos: 'Raise call audio quality',
  target_memory_growth: 'Find the target memory leak', generator_memory_growth: 'Find the fleet memory growth',
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

/** Step error share in the first and last third of the run, to tell whether errors rose with load. */
export function errorTrend(intervals: readonly IntervalSnapshot[]): { earlyPct: number; latePct: number } {
  const third = Math.max(1, Math.floor(intervals.length / 3));
  const share = (slice: readonly IntervalSnapshot[]): number => {
    let count = 0, nonZero = 0;
    for (const interval of slice) for (const s of interval.series) if (s.metric === 'step.errors') { count += s.count; nonZero += s.nonZero ?? 0; }
    return count > 0 ? (nonZero / count) * 100 : 0;
  };
  // "late" is the middle third, the load plateau; the last third is usually ramp-down and would hide a rise.
  const late = intervals.length >= 3 ? intervals.slice(third, intervals.length - third) : intervals;
  return { earlyPct: share(intervals.slice(0, third)), latePct: share(late) };
}

export function recommendations(bottlenecks: readonly Bottleneck[], summary: RunSummary, scaling: ScalingInput = {}): Recommendation[] {
  const byTitle = new Map<string, { priority: Priority; category: Recommendation['category']; descriptions: string[]; components: string[] }>();
  for (const b of bottlenecks) {
    const title = titleOf[b.type];
    const priority: Priority = b.severity === 'critical' || b.severity === 'high' ? 'high' : b.severity === 'medium' ? 'medium' : 'low';
    let entry = byTitle.get(title);
    if (!entry) byTitle.set(title, (entry = { priority, category: categoryOf[b.type], descriptions: [], components: [] }));
    if (rank[priority] < rank[entry.priority]) entry.priority = priority;
    if (!entry.descriptions.includes(b.recommendation)) entry.descriptions.push(b.recommendation);
    if (!entry.components.includes(b.component)) entry.components.push(b.component);
  }
  const out: Recommendation[] = [...byTitle.entries()].map(([title, e]) => ({
    priority: e.priority, category: e.category, title: `${title}: ${e.components.join(', ')}`, description: e.descriptions.join(' '), components: e.components,
  }));

  const plannedUsers = Math.max(0, ...summary.phases.map((p) => p.targetUsers));
  const intervals = scaling.intervals ?? [];
  const peak = scaling.peakUsers ?? peakActiveUsers(intervals);
  const trend = errorTrend(intervals);
  if (plannedUsers > 0 && peak > 0.8 * plannedUsers && trend.latePct > trend.earlyPct + 1) {
    out.push({ priority: 'high', category: 'scaling', components: ['target'],
      title: `Plan capacity below ${Math.round(peak)} concurrent users`,
      description: `Errors rose from ${trend.earlyPct.toFixed(1)}% early in the run to ${trend.latePct.toFixed(1)}% at ${Math.round(peak)} of ${plannedUsers} planned users: the target nears its limit. Scale it out (more instances, autoscaling on connections) before this level, and rerun a stress plan to find the knee.` });
  }
  const starved = bottlenecks.some((b) => b.type === 'generator_saturation' || (b.type === 'generator_cpu' && b.severity === 'critical') || b.type === 'video_cpu_limited');
  const bursty = bottlenecks.some((b) => b.type === 'generator_cpu');
  if (starved || bursty) {
    out.push({ priority: starved ? 'high' : 'medium', category: 'generator', components: ['generator'],
      title: 'Shard the load over more workers',
      description: 'Run the same plan as --shard 1/n … n/n with a shared --start-at on more machines (docker/compose.yaml or the Kubernetes Indexed Job), so each worker stays under 85% CPU.' });
  }
  const seen = new Set<string>();
  return out.filter((r) => (seen.has(r.title) ? false : (seen.add(r.title), true))).sort((a, b) => rank[a.priority] - rank[b.priority]);
}
