// A summary rebuilt from what a run wrote as it went (intervals.ndjson, events.ndjson, plan.json)
// when summary.json is missing: the run was killed (kill -9, OOM, a lost container) before it
// could write its end. The result is marked partial and its verdict 'interrupted': it describes
// what was measured before the run stopped and can never pass a release gate.
import type { PhaseSummary, RunSummary, UserCounts } from '../metrics/run-summary.ts';
import { ErrorCollector, buildSummary } from '../metrics/summary.ts';
import { evaluateThresholds, parseThresholds } from '../metrics/thresholds.ts';
import type { IntervalSnapshot, RunEvent, SeriesAggregate } from '../metrics/types.ts';
import { phaseTotalsFromIntervals, totalsFromIntervals } from './interval-totals.ts';

export interface PartialSummaryInput {
  /** the folder name stands in for the run id when nothing else names it */
  readonly folderName: string;
  readonly intervals: readonly IntervalSnapshot[];
  readonly events: readonly RunEvent[];
  /** plan.json, when the run got to write it */
  readonly plan: unknown;
  /** why the summary had to be rebuilt, e.g. "summary.json is missing" */
  readonly why: string;
}

export interface PartialSummary {
  readonly summary: RunSummary;
  /** what could not be rebuilt, in sentences */
  readonly problems: string[];
}

interface PlanShape { name?: unknown; thresholds?: unknown; phases?: unknown }
interface PlanPhaseShape { name?: unknown; startMs?: unknown; endMs?: unknown; targetUsers?: unknown }

const planOf = (plan: unknown): PlanShape => (plan && typeof plan === 'object' ? (plan as PlanShape) : {});

/** Phases as they happened (phase_start/phase_end events), else as planned (plan.json offsets). */
function phasesOf(events: readonly RunEvent[], plan: PlanShape, startedAtMs: number, lastMs: number): PhaseSummary[] {
  const planned = Array.isArray(plan.phases) ? (plan.phases as PlanPhaseShape[]) : [];
  const target = (name: string): number => Number(planned.find((p) => p.name === name)?.targetUsers ?? 0) || 0;
  const started = events.filter((e) => e.type === 'phase_start' && e.tags?.phase);
  if (started.length > 0) {
    return started.map((e, i) => {
      const name = e.tags!.phase!;
      const end = events.find((x) => x.type === 'phase_end' && x.tags?.phase === name && x.timeMs >= e.timeMs)?.timeMs ?? started[i + 1]?.timeMs ?? lastMs;
      return { name, startMs: e.timeMs, endMs: end, targetUsers: target(name) };
    });
  }
  return planned
    .filter((p) => typeof p.name === 'string' && typeof p.startMs === 'number' && startedAtMs + p.startMs <= lastMs)
    .map((p) => ({ name: String(p.name), startMs: startedAtMs + Number(p.startMs), endMs: Math.min(lastMs, startedAtMs + Number(p.endMs ?? p.startMs)), targetUsers: Number(p.targetUsers ?? 0) || 0 }));
}

/** Users from user_start/user_end events; a user with no user_end was cut off by the stop. */
function usersOf(events: readonly RunEvent[]): UserCounts {
  let started = 0, completed = 0, failed = 0, interrupted = 0;
  for (const e of events) {
    if (e.type === 'user_start') started++;
    if (e.type !== 'user_end') continue;
    const outcome = e.data?.outcome;
    if (outcome === 'completed') completed++;
    else if (outcome === 'failed') failed++;
    else interrupted++;
  }
  return { started, completed, failed, interrupted: interrupted + Math.max(0, started - completed - failed - interrupted) };
}

/** Iterations per journey: completed and failed from journey.errors, in flight ones as interrupted. */
function journeysOf(totals: readonly SeriesAggregate[], events: readonly RunEvent[]): Record<string, UserCounts> {
  const out: Record<string, { started: number; completed: number; failed: number; interrupted: number }> = {};
  const of = (journey: string) => (out[journey] ??= { started: 0, completed: 0, failed: 0, interrupted: 0 });
  for (const s of totals) {
    if (s.metric !== 'journey.errors' || !s.tags.journey) continue;
    const j = of(s.tags.journey);
    j.failed += s.nonZero ?? 0;
    j.completed += s.count - (s.nonZero ?? 0);
  }
  const open = new Map<string, number>();
  for (const e of events) {
    const journey = e.tags?.journey;
    if (!journey) continue;
    if (e.type === 'user_start') open.set(journey, (open.get(journey) ?? 0) + 1);
    if (e.type === 'user_end') {
      open.set(journey, (open.get(journey) ?? 0) - 1);
      of(journey).interrupted += Number(e.data?.interrupted ?? 0) || 0;
    }
  }
  for (const [journey, stillRunning] of open) of(journey).interrupted += Math.max(0, stillRunning);
  for (const j of Object.values(out)) j.started = j.completed + j.failed + j.interrupted;
  return out;
}

export function summaryFromNdjson(input: PartialSummaryInput): PartialSummary {
  const { intervals, events } = input;
  const plan = planOf(input.plan);
  const problems: string[] = [];
  const { totals, unmergeable } = totalsFromIntervals(intervals);
  if (unmergeable.length > 0) problems.push(`${unmergeable.length} series had no histogram and were left out of the totals: ${unmergeable.slice(0, 5).join(', ')}${unmergeable.length > 5 ? ', …' : ''}`);
  const runStart = events.find((e) => e.type === 'run_start');
  const startedAtMs = runStart?.timeMs ?? Math.min(intervals[0]?.startMs ?? Infinity, events[0]?.timeMs ?? Infinity);
  const lastMs = Math.max(intervals.at(-1)?.endMs ?? -Infinity, events.at(-1)?.timeMs ?? -Infinity);
  const parsed = parseThresholds(plan.thresholds ?? {});
  problems.push(...parsed.problems.map((p) => `plan.json ${p}`));
  const thresholds = evaluateThresholds(parsed.thresholds, totals, phaseTotalsFromIntervals(intervals)).map((t) => ({ ...t, source: 'plan' as const }));
  let users = usersOf(events);
  if (users.started === 0) {
    // no user events (an older writer, or events.ndjson lost): the users.started counter still
    // says how many ran; how each ended is unknown, so they count as interrupted
    const started = totals.filter((t) => t.metric === 'users.started').reduce((a, t) => a + t.sum, 0);
    if (started > 0) {
      users = { started, completed: 0, failed: 0, interrupted: started };
      problems.push(`no user_start/user_end events: ${started} users started (users.started), how each ended is unknown, so they count as interrupted`);
    }
  }
  const errors = new ErrorCollector();
  for (const e of events) errors.add(e);
  const saturation = events.filter((e) => e.type === 'saturation').map((e) => e.message ?? 'saturation');
  const lastData = Number.isFinite(lastMs) ? new Date(lastMs).toISOString() : 'never';
  const summary = buildSummary({
    runId: intervals[0]?.runId ?? input.folderName,
    shard: intervals[0]?.shard ?? '1/1',
    status: 'partial',
    startedAtMs: Number.isFinite(startedAtMs) ? startedAtMs : 0,
    endedAtMs: Number.isFinite(lastMs) ? lastMs : null,
    target: typeof runStart?.data?.target === 'string' ? runStart.data.target : '',
    plan: input.plan ?? null,
    phases: Number.isFinite(startedAtMs) ? phasesOf(events, plan, startedAtMs, lastMs) : [],
    verdict: {
      result: 'interrupted',
      exitCode: 130,
      reasons: [
        `${input.why}: the run stopped before it could write its end (killed, crashed or still running); this partial report is rebuilt from what it wrote as it went, up to ${lastData}`,
        'no verdict: thresholds below were evaluated on that partial data only and cannot pass a release gate',
      ],
    },
    userCounts: users,
    journeyCounts: journeysOf(totals, events),
    totals,
    thresholds,
    generator: { saturated: saturation.length > 0, reasons: saturation },
    errors: errors.classes(),
  });
  return { summary, problems };
}
