// Findings about what users did: step latency tails, step and journey failures, and the plan
// problems that explain failures (users alone in a call). Each names its series, phases and
// sample count; start-up-only evidence is filed under start-up, plan-explained failures under
// the plan, never as target findings.
import type { RunSummary, StepSummary } from '../metrics/run-summary.ts';
import type { IntervalSnapshot, SeriesAggregate } from '../metrics/types.ts';
import { evidence, fmt, type FindingList } from './finding.ts';
import type { BottleneckLimits } from './bottlenecks.ts';
import { loneCallerProblems, planExplainedSteps, type LoneCallerProblem } from './plan-problems.ts';
import { intervalsWhere, onlyAtStartup, phasesOf, windowEndFor, type StartupWindow } from './startup.ts';

export interface StepRuleContext {
  readonly summary: RunSummary;
  readonly intervals: readonly IntervalSnapshot[];
  readonly limits: BottleneckLimits;
  readonly startup: StartupWindow;
}

const errorsIn = (series: SeriesAggregate[]): number => series.reduce((a, s) => a + (s.nonZero ?? 0), 0);
const reasonsOf = (s: StepSummary): string => {
  const entries = Object.entries(s.failureReasons ?? {}).sort((a, b) => b[1] - a[1]);
  return entries.length ? ` (${entries.map(([r, n]) => `${r} ${n}`).join(', ')})` : '';
};

function latencySpike(step: StepSummary, ctx: StepRuleContext, out: FindingList): void {
  const { limits: l } = ctx;
  const ok = step.count - step.errors;
  if (!(step.p95 > 0 && step.p99 > l.spikeRatio * step.p95 && step.p99 - step.p95 >= l.minSpikeMs)) return;
  const tags = { journey: step.journey, step: step.step };
  // the intervals holding the tail: a run slower than spikeRatio × the run's p95
  const tail = intervalsWhere(ctx.intervals, 'step.duration_ms', tags, (mine) => mine.some((s) => s.max > l.spikeRatio * step.p95));
  const startupOnly = onlyAtStartup(tail, windowEndFor(ctx.startup, { step: step.step }));
  out.add({
    type: 'latency_spike', component: `${step.journey}/${step.step}`, severity: startupOnly ? 'low' : 'high', area: startupOnly ? 'start-up' : 'load',
    observed: step.p99, limit: l.spikeRatio * step.p95,
    details: `p99 ${fmt(step.p99, 0)} ms is ${fmt(step.p99 / step.p95)}× p95 ${fmt(step.p95, 0)} ms over ${ok} successful runs` +
      (startupOnly ? '; the slow runs are all at start-up (browser launch, first connect), none under steady load' : ''),
    recommendation: startupOnly
      ? 'Expected on cold browsers and first logins; gate on it only if first-use latency matters (a {phase:...} threshold on the first phase).'
      : 'A slow tail, not a slow median: look for timeouts, retries, lock contention or GC pauses on this path; correlate the spike times with the charts.',
    evidence: { ...evidence('stepSpike', 'step.duration_ms', tags, ok, phasesOf(tail)), minSamples: l.minCountForSpike },
  });
}

function stepErrors(step: StepSummary, ctx: StepRuleContext, out: FindingList): void {
  const errorPct = step.count > 0 ? (step.errors / step.count) * 100 : 0;
  if (errorPct <= ctx.limits.errorRatePct) return;
  const tags = { journey: step.journey, step: step.step };
  const failing = intervalsWhere(ctx.intervals, 'step.errors', tags, (mine) => errorsIn(mine) > 0);
  const startupOnly = onlyAtStartup(failing, windowEndFor(ctx.startup, { step: step.step }));
  out.add({
    type: 'high_error_rate', component: `${step.journey}/${step.step}`, severity: startupOnly ? 'high' : 'critical', area: startupOnly ? 'start-up' : 'load',
    observed: errorPct, limit: ctx.limits.errorRatePct,
    details: `${step.errors} of ${step.count} runs failed${reasonsOf(step)} (${fmt(errorPct)}% > ${ctx.limits.errorRatePct}%)${startupOnly ? ', all at start-up' : ''}`,
    recommendation: 'Read the failures table for this step (reasons, time to fail, screenshots); fix the dominant reason first, and add back-pressure or circuit breakers where the target fails under load.',
    evidence: evidence('stepErrorRate', 'step.errors', tags, step.count, phasesOf(failing)),
  });
}

function journeyErrors(journey: string, counts: RunSummary['journeys'][string], ctx: StepRuleContext, out: FindingList, planPart?: LoneCallerProblem): void {
  const errorPct = counts.started > 0 ? (counts.failed / counts.started) * 100 : 0;
  if (errorPct <= ctx.limits.errorRatePct) return;
  const failing = intervalsWhere(ctx.intervals, 'journey.errors', { journey }, (mine) => errorsIn(mine) > 0);
  out.add({
    type: 'high_error_rate', component: journey, severity: 'critical', area: 'load', observed: errorPct, limit: ctx.limits.errorRatePct,
    details: `${counts.failed} of ${counts.started} ${journey} iterations failed (${fmt(errorPct)}% > ${ctx.limits.errorRatePct}%)` +
      (planPart ? `; part of it is the plan problem above (${planPart.failedWaits.map((s) => s.step).join(', ')} with users alone in a call), other steps failed too` : ''),
    recommendation: 'Find the failing critical step in the step table; an iteration fails when one of its critical steps does.',
    evidence: evidence('journeyErrorRate', 'journey.errors', { journey }, counts.started, phasesOf(failing)),
  });
}

function loneCallers(p: LoneCallerProblem, ctx: StepRuleContext, out: FindingList): void {
  const { rooms } = p;
  const failed = p.failedWaits.reduce((a, s) => a + s.errors, 0);
  const runs = p.failedWaits.reduce((a, s) => a + s.count, 0);
  const waits = p.failedWaits.map((s) => `${s.step} failed ${s.errors} of ${s.count}`).join(', ');
  const failing = [...new Set(p.failedWaits.flatMap((s) => intervalsWhere(ctx.intervals, 'step.errors', { journey: s.journey, step: s.step }, (mine) => errorsIn(mine) > 0)))];
  failing.sort((a, b) => a.startMs - b.startMs);
  out.add({
    type: 'plan_lone_callers', component: `${rooms.journey} (${rooms.driver} users)`, severity: 'high', area: 'plan',
    observed: rooms.loneRooms, limit: 0,
    details: `plan problem, users alone in a call: ${rooms.loneRooms} of ${rooms.rooms} ${rooms.journey} room(s) of size ${rooms.roomSize} held a single participant; ${waits} — a caller alone has no remote media to wait for, so these failures say nothing about the target`,
    recommendation: `Fix the plan, not the target: give ${rooms.journey} enough ${rooms.driver} users to fill its rooms (a multiple of roomSize ${rooms.roomSize}, ${rooms.roomSize} or more at every moment including ramps), or lower roomSize; 'waddle-fleet run <plan> --dry-run' lists the rooms.`,
    evidence: evidence('planFailures', 'step.errors', { journey: rooms.journey }, failed, phasesOf(failing),
      `plan.callRooms: ${rooms.loneRooms} of ${rooms.rooms} rooms lone; ${failed} of ${runs} waits failed`),
  });
}

export function stepRules(ctx: StepRuleContext, out: FindingList): void {
  const plan = loneCallerProblems(ctx.summary);
  const explained = planExplainedSteps(plan);
  for (const p of plan) loneCallers(p, ctx, out);
  for (const step of ctx.summary.steps) {
    if (step.count - step.errors > 0) latencySpike(step, ctx, out);
    if (!explained.has(`${step.journey}/${step.step}`)) stepErrors(step, ctx, out);
  }
  const explainedJourneys = new Set(plan.filter((p) => p.explainsJourney).map((p) => p.rooms.journey));
  for (const [journey, counts] of Object.entries(ctx.summary.journeys)) {
    if (!explainedJourneys.has(journey)) journeyErrors(journey, counts, ctx, out, plan.find((p) => p.rooms.journey === journey));
  }
}
