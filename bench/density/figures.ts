// The arithmetic of the density benchmark: percentiles, the quality checks, and users per
// machine from two measured sizes (a straight line through them: fixed cost + cost per user).
import type { TimedValue } from './fillers.ts';
import type { WayMeasurements } from './usual-way.ts';
import type { WorkloadName } from './workloads.ts';

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export const median = (values: readonly number[]): number => percentile(values, 50);

const within = (xs: readonly TimedValue[], fromMs: number, toMs: number) => xs.filter((x) => x.atMs >= fromMs && x.atMs <= toMs).map((x) => x.value);

export interface Quality {
  readonly ready: number;
  readonly failures: number;
  /** messages sent in the window over those planned (users × window / interval) */
  readonly sentShare?: number;
  readonly deliveryP95Ms?: number;
  readonly observerP95Ms?: number;
  readonly fpsMedian?: number;
  readonly fpsP5?: number;
  readonly freezes?: number;
  /** what failed; empty when the quality holds */
  readonly problems: readonly string[];
}

/** Chat delivery may exceed the observer's by 20%, or by this much when both are a few ms (render time). */
export const deliverySlackMs = 20;

export function judgeQuality(workload: WorkloadName, users: number, m: WayMeasurements, observed: readonly TimedValue[], fromMs: number, toMs: number, chatIntervalMs = 2000): Quality {
  const problems: string[] = [];
  if (m.ready < users) problems.push(`${users - m.ready} of ${users} users were not set up`);
  if (m.failures.length > 0) problems.push(`${m.failures.length} failures (${m.failures[0]})`);
  if (workload === 'video') {
    const fps = within(m.fps, fromMs, toMs);
    const freezes = within(m.freezes, fromMs, toMs).reduce((a, b) => a + b, 0);
    const fpsMedian = median(fps);
    if (!(fpsMedian >= 14)) problems.push(`inbound video at ${fpsMedian.toFixed(1)} fps (< 14)`);
    if (freezes > 0) problems.push(`${freezes} freezes`);
    return { ready: m.ready, failures: m.failures.length, fpsMedian, fpsP5: percentile(fps, 5), freezes, problems };
  }
  const deliveryP95Ms = percentile(within(m.delivered, fromMs, toMs), 95);
  const observerP95Ms = percentile(within(observed, fromMs, toMs), 95);
  if (workload !== 'chat') return { ready: m.ready, failures: m.failures.length, problems };
  const sent = m.sent.filter((t) => t >= fromMs && t <= toMs).length;
  const sentShare = sent / ((users * (toMs - fromMs)) / chatIntervalMs);
  // the journey waits for each ack before its 2 s pause: a little under 1 is the plan
  if (sentShare < 0.85) problems.push(`sent ${Math.round(sentShare * 100)}% of the planned messages`);
  if (!(deliveryP95Ms <= Math.max(observerP95Ms * 1.2, observerP95Ms + deliverySlackMs))) problems.push(`delivery p95 ${deliveryP95Ms.toFixed(0)} ms vs the observer's ${observerP95Ms.toFixed(0)} ms`);
  return { ready: m.ready, failures: m.failures.length, sentShare, deliveryP95Ms, observerP95Ms, problems };
}

/** The quality as one line: what was measured, then "quality holds" or its problems. */
export function qualityText(q: Quality): string {
  return [
    q.deliveryP95Ms !== undefined ? `delivery p95 ${q.deliveryP95Ms.toFixed(0)} ms (observer ${q.observerP95Ms?.toFixed(0)} ms)` : '',
    q.sentShare !== undefined ? `sent ${Math.round(q.sentShare * 100)}%` : '',
    q.fpsMedian !== undefined ? `fps median ${q.fpsMedian.toFixed(1)} p5 ${q.fpsP5?.toFixed(1)}, freezes ${q.freezes}` : '',
    q.problems.length ? `PROBLEMS: ${q.problems.join('; ')}` : 'quality holds',
  ].filter(Boolean).join(', ');
}

export interface SizePoint {
  readonly users: number;
  readonly cpuPct: number;
  readonly pssMb: number;
}

/**
 * Users one machine holds: the most users whose predicted CPU stays ≤ cpuLimitPct and whose PSS
 * stays within memLimitMb, from a line through the measured points (cost = fixed + perUser × n).
 * A negative fixed cost (noise) falls back to the line through the origin and the larger size.
 * Users come in whole groups of `groupOf` (a 1:1 call's 2: a seventh video user would sit alone
 * in its room, never set up, as a confirm at 7 showed).
 */
export function capacity(points: readonly SizePoint[], cpuLimitPct: number, memLimitMb: number, groupOf = 1): { users: number; cpuPerUser: number; pssPerUser: number; boundBy: 'cpu' | 'memory' } {
  const line = (y: (p: SizePoint) => number) => {
    const [a, b] = [...points].sort((p, q) => p.users - q.users) as [SizePoint, SizePoint];
    const slope = points.length > 1 && b.users !== a.users ? (y(b) - y(a)) / (b.users - a.users) : y(b ?? a) / (b ?? a).users;
    const fixed = y(a) - slope * a.users;
    return fixed >= 0 && slope > 0 ? { fixed, slope } : { fixed: 0, slope: y(b ?? a) / (b ?? a).users };
  };
  const cpu = line((p) => p.cpuPct);
  const mem = line((p) => p.pssMb);
  const byCpu = Math.floor((cpuLimitPct - cpu.fixed) / cpu.slope);
  const byMem = Math.floor((memLimitMb - mem.fixed) / mem.slope);
  const users = Math.max(0, Math.min(byCpu, byMem));
  return { users: users - (users % groupOf), cpuPerUser: cpu.slope, pssPerUser: mem.slope, boundBy: byCpu <= byMem ? 'cpu' : 'memory' };
}
