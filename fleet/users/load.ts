// The load: the schedule (plans/schedule.ts) run on time. The main thread runs the phases, the
// browser users (they need its pool) and, up to a few thousand, the protocol users; beyond that the
// protocol users run in worker threads (fleet/workers/), their measurements merged into the one
// hub. Each slot becomes a virtual user (./user-session.ts). Beside it: the phases as they happen,
// the progress line, and the abortOnFail watch.
import type { PhaseSummary, UserCounts } from '../../metrics/run-summary.ts';
import type { VuSlot } from '../../plans/schedule.ts';
import { describeEvidence, evidenceRecorderFor } from '../evidence/run-evidence.ts';
import type { RunContext } from '../run-context.ts';
import { ProtocolWorkers } from '../workers/protocol-workers.ts';
import { watchAbortOnFail } from './abort-on-fail.ts';
import { PresenceBoard } from './measured-client.ts';
import { runSchedule, type ScheduleResult } from './scheduler.ts';
import { startUser, type UserEnv } from './user-session.ts';

/** How long users get to finish their step after SIGINT before they are aborted. */
export const interruptGraceMs = 10_000;

export async function runLoad(run: RunContext): Promise<{ load: ScheduleResult; phases: PhaseSummary[] }> {
  const { resolved, slots, catalog } = run.prepared;
  const hub = run.need('hub');
  const inWorkers = (slot: VuSlot) => run.protocolWorkerCount > 0 && !catalog.isBrowserDriver(slot.driver);
  const phases: PhaseSummary[] = [];
  const progress = startProgress(run, () => phases.at(-1)?.name ?? resolved.phases[0]?.name ?? '');
  const workers = run.protocolWorkerCount > 0 ? await ProtocolWorkers.start(run, slots.filter(inWorkers), run.protocolWorkerCount, { onUser: progress.workerUser }) : undefined;
  run.set('workers', workers);
  const loadStartedAtMs = Date.now();
  run.loadStarted = true;
  run.get('relay')?.loadStarted(); // network schedules count from here
  const stopWatch = watchAbortOnFail(run.prepared.gate, hub, loadStartedAtMs, (breach) => {
    run.record({ timeMs: Date.now(), type: 'threshold_abort', message: breach });
    run.stop({ kind: 'abortOnFail', threshold: breach });
  });
  const env = { ...mainThreadEnv(run), loadStartedAtMs };
  try {
    const inWorkerThreads = workers?.run(run.stopLoad.signal) ?? Promise.resolve([]);
    const onMainThread = runSchedule({
      slots: slots.filter((slot) => !inWorkers(slot)),
      phases: resolved.phases,
      startVu: async (slot, stopSignal, abortSignal) => {
        progress.started(slot.journey);
        const outcome = await startUser(env, slot, stopSignal, abortSignal);
        progress.ended(slot.journey, outcome.outcome);
        return outcome;
      },
      signal: run.stopLoad.signal,
      gracefulStopMs: resolved.gracefulStopMs,
      interruptGraceMs,
      ...(resolved.limits.maxArrivalsPerSecond !== undefined ? { maxArrivalsPerSecond: resolved.limits.maxArrivalsPerSecond } : {}),
      onPhase: (phase, atMs) => {
        hub.setPhase(phase.name);
        run.record({ timeMs: Date.now(), type: 'phase_start', message: phase.name, tags: { phase: phase.name } });
        const previous = phases.at(-1);
        if (previous) phases[phases.length - 1] = { ...previous, endMs: loadStartedAtMs + atMs };
        phases.push({ name: phase.name, startMs: loadStartedAtMs + atMs, endMs: loadStartedAtMs + atMs, targetUsers: phase.targetUsers });
      },
      onLag: (slot, lagMs) => hub.record('users.schedule_lag_ms', lagMs, { journey: slot.journey, driver: slot.driver }),
    });
    const [main, others] = await Promise.all([onMainThread, inWorkerThreads]);
    return { load: combine([main, ...others]), phases };
  } finally {
    stopWatch();
    progress.stop();
    await workers?.close();
    const captured = describeEvidence(run);
    if (captured) run.log(captured);
    const last = phases.at(-1);
    if (last) phases[phases.length - 1] = { ...last, endMs: Date.now() };
  }
}

function mainThreadEnv(run: RunContext): UserEnv {
  const { catalog, resolved, seed } = run.prepared;
  const pool = run.get('pool');
  return {
    catalog,
    target: run.need('target'),
    seed,
    thinkTimeScale: resolved.thinkTimeScale,
    media: resolved.media,
    recorder: run.need('hub'),
    record: (event) => run.record(event),
    board: new PresenceBoard(),
    evidence: evidenceRecorderFor(run),
    ...(pool ? { pool } : {}),
    traceFailures: run.config.traceFailures,
    contextPerUser: run.config.contextPerUser,
    networks: resolved.networks ?? {},
    ...(run.get('relay') ? { relay: run.get('relay')! } : {}),
  };
}

/** The counts of every thread's schedule, added (lag percentiles come from the hub's histogram). */
function combine(results: readonly ScheduleResult[]): ScheduleResult {
  const add = (a: UserCounts, b: UserCounts): UserCounts => ({ started: a.started + b.started, completed: a.completed + b.completed, failed: a.failed + b.failed, interrupted: a.interrupted + b.interrupted });
  const zero: UserCounts = { started: 0, completed: 0, failed: 0, interrupted: 0 };
  const journeys: Record<string, UserCounts> = {};
  for (const r of results) for (const [j, c] of Object.entries(r.journeys)) journeys[j] = add(journeys[j] ?? zero, c);
  const [first] = results;
  return {
    users: results.reduce((a, r) => add(a, r.users), zero),
    journeys,
    notStarted: results.reduce((n, r) => n + r.notStarted, 0),
    stoppedEarly: results.some((r) => r.stoppedEarly),
    lagMs: first?.lagMs ?? { p50: 0, p95: 0, max: 0 },
    elapsedMs: Math.max(0, ...results.map((r) => r.elapsedMs)),
    outcomes: results.flatMap((r) => r.outcomes),
  };
}

/** Counts for the live progress line (pushed about once a second), and users.active of worker users. */
function startProgress(run: RunContext, currentPhase: () => string) {
  const active: Record<string, number> = {};
  const activeByLane = new Map<string, number>();
  let started = 0;
  let failed = 0;
  let loadStartedAtMs = Date.now();
  const totalMs = run.prepared.resolved.totalDurationMs;
  const timer = setInterval(() => {
    if (!run.loadStarted) return void (loadStartedAtMs = Date.now());
    run.latestProgress = { phase: currentPhase(), elapsedMs: Date.now() - loadStartedAtMs, totalMs, activeByJourney: { ...active }, started, failed, stepErrors: run.errors.total };
    run.io.onProgress?.(run.latestProgress);
  }, 1000);
  timer.unref();
  const counts = {
    started(journey: string): void {
      started++;
      active[journey] = (active[journey] ?? 0) + 1;
    },
    ended(journey: string, outcome: string): void {
      active[journey] = (active[journey] ?? 1) - 1;
      if (outcome === 'failed') failed++;
    },
    /** a worker thread's user: counted here, and in users.active (a level per lane, summed over threads) */
    workerUser(journey: string, driver: string, change: 'start' | 'end', outcome?: string): void {
      if (change === 'start') counts.started(journey);
      else counts.ended(journey, outcome ?? '');
      const lane = `${journey}\u0000${driver}`;
      const level = Math.max(0, (activeByLane.get(lane) ?? 0) + (change === 'start' ? 1 : -1));
      activeByLane.set(lane, level);
      run.get('hub')?.record('users.active', level, { journey, driver });
    },
    stop(): void {
      clearInterval(timer);
    },
  };
  return counts;
}
