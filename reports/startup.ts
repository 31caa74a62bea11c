// Start-up is not steady state. Browsers launching, each user's first connect on a cold page and
// the first intervals of a run are slow and bursty on every healthy system; a finding that only
// shows there is reported apart ("start-up"), never as a steady-state spike or a capacity limit.
import type { RunSummary } from '../metrics/run-summary.ts';
import type { IntervalSnapshot, SeriesAggregate, Tags } from '../metrics/types.ts';

/** the first intervals of a run are start-up for every metric */
export const STARTUP_INTERVALS = 2;
/** steps that open a user's session right after its browser context starts: start-up through the first ramp */
export const STARTUP_STEPS: readonly string[] = ['connect', 'login'];

export interface StartupWindow {
  /** end of the first STARTUP_INTERVALS intervals (epoch ms) */
  readonly firstIntervalsEndMs: number;
  /** end of browser launches and first connects: the first phase's ramp, at least the first intervals */
  readonly launchEndMs: number;
}

interface PlanPhaseShape { rampEndMs?: unknown }

/** The first phase's ramp end, from the resolved plan (offsets from the run start). */
function firstRampEndMs(summary: RunSummary): number | undefined {
  const plan = summary.plan as { phases?: unknown } | null | undefined;
  const first = Array.isArray(plan?.phases) ? (plan.phases[0] as PlanPhaseShape | undefined) : undefined;
  const start = Date.parse(summary.startedAt);
  if (typeof first?.rampEndMs !== 'number' || !Number.isFinite(start)) return undefined;
  return start + first.rampEndMs;
}

export function startupWindow(summary: RunSummary, intervals: readonly IntervalSnapshot[]): StartupWindow {
  const first = intervals[Math.min(intervals.length, STARTUP_INTERVALS) - 1]?.endMs ?? -Infinity;
  return { firstIntervalsEndMs: first, launchEndMs: Math.max(first, firstRampEndMs(summary) ?? -Infinity) };
}

export const isStartupStep = (step: string | undefined): boolean => step !== undefined && STARTUP_STEPS.includes(step);

/** The window that is start-up for a series: launch-long for session-opening steps and fleet CPU. */
export function windowEndFor(window: StartupWindow, what: { step?: string; launch?: boolean }): number {
  return what.launch || isStartupStep(what.step) ? window.launchEndMs : window.firstIntervalsEndMs;
}

/** Intervals where the series matching `tags` shows the evidence `hit` looks for. */
export function intervalsWhere(intervals: readonly IntervalSnapshot[], metric: string, tags: Tags, hit: (merged: SeriesAggregate[]) => boolean): IntervalSnapshot[] {
  return intervals.filter((interval) => {
    const mine = interval.series.filter((s) => s.metric === metric && Object.entries(tags).every(([k, v]) => s.tags[k] === v));
    return mine.length > 0 && hit(mine);
  });
}

/** true when there is evidence and every bit of it lies inside the start-up window */
export function onlyAtStartup(hits: readonly IntervalSnapshot[], windowEndMs: number): boolean {
  return hits.length > 0 && hits.every((i) => i.startMs < windowEndMs);
}

/** "ramp-up ×2, steady ×5": where the evidence is, by plan phase, in run order */
export function phasesOf(hits: readonly IntervalSnapshot[]): string {
  const counts = new Map<string, number>();
  for (const i of hits) counts.set(i.phase, (counts.get(i.phase) ?? 0) + 1);
  return [...counts].map(([phase, n]) => `${phase} ×${n}`).join(', ');
}
