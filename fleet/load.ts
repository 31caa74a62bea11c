// The load: the schedule (plans/schedule.ts) run on time by the scheduler; each slot becomes a
// virtual user on its driver — a browser session from the pool for browser drivers, nothing for
// protocol ones — whose client the fleet wraps for presence measurement (fleet/measured-client.ts).
// Beside it: the phases as they happen, the progress line, and the abortOnFail watch.
import type { Driver } from '../clients/driver.ts';
import type { PhaseSummary } from '../metrics/run-summary.ts';
import type { VuSlot } from '../plans/schedule.ts';
import { watchAbortOnFail } from './abort-on-fail.ts';
import type { BrowserPool } from './browser-pool.ts';
import type { FailureEvidenceRecorder } from './failure-evidence.ts';
import { FailureTrace } from './failure-trace.ts';
import { measurePresence, PresenceBoard } from './measured-client.ts';
import { watchPageConsole } from './page-console.ts';
import type { RunContext } from './run-context.ts';
import { describeEvidence, evidenceRecorderFor } from './run-evidence.ts';
import { runSchedule, type ScheduleResult } from './scheduler.ts';
import { runVirtualUser, type ClientSession, type VuOutcome } from './virtual-user.ts';

/** How long users get to finish their step after SIGINT before they are aborted. */
export const interruptGraceMs = 10_000;
/** How long a browser user may wait for a pool slot (a browser launching, a busy machine). */
const acquireTimeoutMs = 60_000;

export async function runLoad(run: RunContext): Promise<{ load: ScheduleResult; phases: PhaseSummary[] }> {
  const { resolved, slots } = run.prepared;
  const hub = run.need('hub');
  const board = new PresenceBoard();
  const evidence = evidenceRecorderFor(run);
  const phases: PhaseSummary[] = [];
  const loadStartedAtMs = Date.now();
  run.loadStarted = true;
  const progress = startProgress(run, loadStartedAtMs, () => phases.at(-1)?.name ?? resolved.phases[0]?.name ?? '');
  const stopWatch = watchAbortOnFail(run.prepared.gate, hub, loadStartedAtMs, (breach) => {
    run.record({ timeMs: Date.now(), type: 'threshold_abort', message: breach });
    run.stop(`abortOnFail: ${breach}`);
  });
  try {
    const load = await runSchedule({
      slots,
      phases: resolved.phases,
      startVu: async (slot, stopSignal, abortSignal) => {
        progress.started(slot);
        const outcome = await startUser({ run, board, evidence, slot }, stopSignal, abortSignal);
        progress.ended(slot, outcome);
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
    return { load, phases };
  } finally {
    stopWatch();
    progress.stop();
    const captured = describeEvidence(run);
    if (captured) run.log(captured);
    const last = phases.at(-1);
    if (last) phases[phases.length - 1] = { ...last, endMs: Date.now() };
  }
}

/** What every user of the run shares, and the user's slot. */
interface UserSetting {
  readonly run: RunContext;
  readonly board: PresenceBoard;
  readonly evidence: FailureEvidenceRecorder;
  readonly slot: VuSlot;
}

function startUser(setting: UserSetting, stopSignal: AbortSignal, abortSignal: AbortSignal): Promise<VuOutcome> {
  const { run, slot } = setting;
  const { catalog, resolved, seed } = run.prepared;
  const journey = catalog.journey(slot.journey)!; // preflight checked every name
  const driver = catalog.driver(slot.driver)!;
  const hub = run.need('hub');
  const target = run.need('target');
  return runVirtualUser({
    slot,
    journey,
    driver: { name: driver.name, kind: driver.kind, capabilities: driver.capabilities },
    target,
    createClient: () => openSession({ ...setting, driver, media: { ...journey.media, ...resolved.media }, abortSignal }),
    recorder: hub,
    onEvent: (event) => run.record(event),
    stopSignal,
    abortSignal,
    runSeed: seed,
    thinkTimeScale: resolved.thinkTimeScale,
  });
}

interface SessionRequest extends UserSetting {
  readonly driver: Driver;
  readonly media: Parameters<BrowserPool['acquire']>[0]['media'];
  readonly abortSignal: AbortSignal;
}

/** A user's client on its driver, measured; close() undoes all of it. */
async function openSession(request: SessionRequest): Promise<ClientSession> {
  const { run, board, slot, driver, evidence } = request;
  const hub = run.need('hub');
  const target = run.need('target');
  const username = `vu-${String(slot.index).padStart(4, '0')}`;
  const tags = { journey: slot.journey, driver: driver.name };
  if (driver.kind === 'protocol') {
    const client = await driver.create({ target, username, signal: request.abortSignal });
    const measured = measurePresence(client, board, hub, tags);
    // no page to show: a protocol user's evidence is its message
    return { client: measured.client, captureFailure: (failure) => evidence.capture(failure), close: async () => (measured.stop(), await client.close()) };
  }
  // a trace is per context: users with failure traces keep their own
  const shareContext = driver.isolation === 'page' && run.config.traceFailures === 'off' && !run.config.contextPerUser;
  const session = await run.need('pool').acquire({ label: username, media: request.media, recorder: hub, tags, timeoutMs: acquireTimeoutMs, shareContext });
  // before the driver navigates, so the log holds everything the page said
  const pageConsole = watchPageConsole(session.page);
  try {
    const trace = await FailureTrace.start(session.context, run.config.traceFailures);
    const client = await driver.create({ page: session.page, target, username, signal: AbortSignal.any([request.abortSignal, session.signal]) });
    const measured = measurePresence(client, board, hub, tags);
    return {
      client: measured.client,
      page: session.page,
      captureFailure: (failure) => evidence.capture(failure, { page: session.page, console: pageConsole, ...(trace ? { trace } : {}) }),
      ...(trace ? { startIteration: () => trace.restart() } : {}),
      close: async () => {
        measured.stop();
        await client.close().catch(() => {});
        await session.release();
      },
    };
  } catch (error) {
    await session.release();
    throw error;
  }
}

/** Counts for the live progress line, pushed about once a second. */
function startProgress(run: RunContext, loadStartedAtMs: number, currentPhase: () => string) {
  const active: Record<string, number> = {};
  let started = 0;
  let failed = 0;
  const totalMs = run.prepared.resolved.totalDurationMs;
  const timer = setInterval(() => {
    run.io.onProgress?.({ phase: currentPhase(), elapsedMs: Date.now() - loadStartedAtMs, totalMs, activeByJourney: { ...active }, started, failed, stepErrors: run.errors.total });
  }, 1000);
  timer.unref();
  return {
    started(slot: VuSlot): void {
      started++;
      active[slot.journey] = (active[slot.journey] ?? 0) + 1;
    },
    ended(slot: VuSlot, outcome: VuOutcome): void {
      active[slot.journey] = (active[slot.journey] ?? 1) - 1;
      if (outcome.outcome === 'failed') failed++;
    },
    stop(): void {
      clearInterval(timer);
    },
  };
}
