// The media server's CPU against its own limit. A capped SFU (a container's CPU quota; the
// reference Waddle's --sfu-cpu-limit) is saturated at its cap, however idle the machine's other
// cores are: "20% of one core" says nothing until it is read against a 20% limit. The target
// reports the cap as target.sfu_cpu_limit_pct; in each interval with a cap, the use is taken as a
// share of it. Intervals without a cap (0, or none reported) are left to the plain % of one core,
// and an interval whose cap differs from the one before is left out: its CPU figure may span the
// change (a cap put on mid-run would read as "500% of its limit").
import type { IntervalSnapshot } from '../metrics/types.ts';

export interface CappedLevel {
  readonly interval: IntervalSnapshot;
  /** use as % of the cap */
  readonly pctOfLimit: number;
  readonly usePct: number;
  readonly limitPct: number;
}

const levelOf = (interval: IntervalSnapshot, metric: string): number | undefined => {
  let total: number | undefined;
  for (const s of interval.series) if (s.metric === metric && s.last !== undefined) total = (total ?? 0) + s.last;
  return total;
};

/** Each interval that holds both the SFU's CPU and a cap above 0: the use as a share of the cap. */
export function cappedSfuLevels(intervals: readonly IntervalSnapshot[]): CappedLevel[] {
  const out: CappedLevel[] = [];
  let before: number | undefined;
  for (const interval of intervals) {
    const limitPct = levelOf(interval, 'target.sfu_cpu_limit_pct');
    const usePct = levelOf(interval, 'target.sfu_cpu_pct');
    const changed = limitPct !== before;
    if (limitPct !== undefined) before = limitPct;
    if (limitPct === undefined || usePct === undefined || !(limitPct > 0) || changed) continue;
    out.push({ interval, usePct, limitPct, pctOfLimit: (usePct / limitPct) * 100 });
  }
  return out;
}

/**
 * The median, not the p95 the uncapped rule reads: a capped SFU cannot go past its cap, so a level
 * above it is a sample window that still spans the cap going on (one or two right after it), and
 * "at its cap for at least half the capped time" is the claim.
 */
export function medianOf<T>(items: readonly T[], value: (item: T) => number): T | undefined {
  const sorted = [...items].sort((a, b) => value(a) - value(b));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}
