// What users feel (browser users: the real client, its rendering, real media) and load
// (protocol users: the same server work without a page) are different measurements; averaged
// together, a thousand fast protocol users hide ten slow browsers. Every series carries a
// `driver` tag, so the report splits its step and chat tables per driver when a run has several.
// The summary merges drivers, so per-driver figures come from the interval histograms.
import type { MetricSummary, RunSummary, StepSummary } from '../metrics/run-summary.ts';
import { summarizeByMetric } from '../metrics/by-metric.ts';
import { buildSteps } from '../metrics/summary.ts';
import type { IntervalSnapshot } from '../metrics/types.ts';
import { totalsFromIntervals } from './interval-totals.ts';

export interface DriverView {
  /** the driver tag; '' when the run has one driver (or none tagged): the summary's own figures */
  readonly driver: string;
  readonly steps: readonly StepSummary[];
  readonly metrics: readonly MetricSummary[];
  /** false when some series had no histogram: percentiles for this driver are unknown */
  readonly latencyComplete: boolean;
}

const driverRank = (d: string): number => (d === 'browser' ? 0 : d === 'protocol' ? 1 : 2);

/** Driver tags present in the run's intervals: browser first, then protocol, then the rest by name. */
export function driversIn(intervals: readonly IntervalSnapshot[]): string[] {
  const found = new Set<string>();
  for (const interval of intervals) for (const s of interval.series) if (s.tags.driver) found.add(s.tags.driver);
  return [...found].sort((a, b) => driverRank(a) - driverRank(b) || a.localeCompare(b));
}

/** One view per driver when the run has several; otherwise one view of the summary itself. */
export function byDriver(summary: RunSummary, intervals: readonly IntervalSnapshot[]): DriverView[] {
  const drivers = driversIn(intervals);
  if (drivers.length <= 1) return [{ driver: drivers[0] ?? '', steps: summary.steps, metrics: summary.metrics, latencyComplete: true }];
  return drivers.map((driver) => {
    const { totals, unmergeable } = totalsFromIntervals(intervals, (s) => s.tags.driver === driver);
    return { driver, steps: buildSteps(totals), metrics: summarizeByMetric(totals), latencyComplete: unmergeable.length === 0 };
  });
}

/** A sentence naming what a driver measures, for the report's headings. */
export function driverMeaning(driver: string): string {
  if (driver === 'browser') return 'browser users: what users feel (the real client in Chromium)';
  if (driver === 'protocol') return 'protocol users: load without a page (same server work, no rendering or media)';
  return driver ? `${driver} users` : 'all users';
}
