// The scheduler runs a schedule (plans/schedule.ts) on time: starts each VU at its planned offset,
// asks it to stop at its planned end, aborts it gracefulStop later, records how late each start
// was, and stops starting users when the run is stopped (SIGINT, abortOnFail).
import type { UserCounts } from '../metrics/run-summary.ts';
import type { VuSlot } from '../plans/schedule.ts';
import type { IterationCounts, VuOutcome } from './virtual-user.ts';

export type { VuSlot };
export { buildFullSchedule, buildSchedule, callRoomLayout, peakConcurrency } from '../plans/schedule.ts';

export interface SchedulePhase {
  readonly name: string;
  readonly startMs: number;
  readonly targetUsers: number;
}

export interface RunScheduleOptions {
  readonly slots: readonly VuSlot[];
  /** run one VU; it must settle soon after abortSignal aborts */
  readonly startVu: (slot: VuSlot, stopSignal: AbortSignal, abortSignal: AbortSignal) => Promise<VuOutcome>;
  /** aborting it stops starting VUs and asks running ones to stop (SIGINT, abortOnFail) */
  readonly signal?: AbortSignal;
  /** monotonic ms; default performance.now */
  readonly clock?: () => number;
  /** after a VU is asked to stop at its planned time, abort it this much later; default 30 s */
  readonly gracefulStopMs?: number;
  /** after `signal` aborts, abort running VUs this much later; default gracefulStopMs */
  readonly interruptGraceMs?: number;
  /** give up waiting for a VU that ignores its abort this much after aborting it; default 10 s */
  readonly abandonAfterMs?: number;
  readonly maxArrivalsPerSecond?: number;
  /** pass resolved.phases so onPhase fires for every phase; else phases are derived from the slots */
  readonly phases?: readonly SchedulePhase[];
  readonly onPhase?: (phase: SchedulePhase, startMs: number) => void;
  readonly onLag?: (slot: VuSlot, lagMs: number) => void;
}

export interface ScheduleResult {
  /** started = completed + failed + interrupted */
  readonly users: UserCounts;
  /** iterations per journey; started = completed + failed + interrupted */
  readonly journeys: Record<string, UserCounts>;
  /** planned VUs never started because the run was stopped */
  readonly notStarted: number;
  readonly stoppedEarly: boolean;
  readonly lagMs: { readonly p50: number; readonly p95: number; readonly max: number };
  readonly elapsedMs: number;
  readonly outcomes: readonly VuOutcome[];
}

function derivePhases(slots: readonly VuSlot[]): SchedulePhase[] {
  const byIndex = new Map<number, SchedulePhase>();
  for (const slot of slots) {
    const known = byIndex.get(slot.phaseIndex);
    if (!known || slot.startAtMs < known.startMs) byIndex.set(slot.phaseIndex, { name: slot.phase, startMs: slot.startAtMs, targetUsers: 0 });
  }
  return [...byIndex.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([phaseIndex, phase]) => ({ ...phase, targetUsers: slots.filter((s) => s.phaseIndex <= phaseIndex && s.stopAtMs > phase.startMs).length }));
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

export async function runSchedule(options: RunScheduleOptions): Promise<ScheduleResult> {
  const clock = options.clock ?? (() => performance.now());
  const gracefulStopMs = options.gracefulStopMs ?? 30_000;
  const interruptGraceMs = options.interruptGraceMs ?? gracefulStopMs;
  const abandonAfterMs = options.abandonAfterMs ?? 10_000;
  const rate = options.maxArrivalsPerSecond;
  const minArrivalGapMs = rate !== undefined && rate > 0 ? 1000 / rate : 0;
  const signal = options.signal ?? new AbortController().signal;
  const originMs = clock();
  const now = (): number => clock() - originMs;

  type Event = { atMs: number; kind: 0; phase: SchedulePhase } | { atMs: number; kind: 1; slot: VuSlot };
  const timeline: Event[] = [
    ...(options.phases ?? derivePhases(options.slots)).map((phase): Event => ({ atMs: phase.startMs, kind: 0, phase })),
    ...options.slots.map((slot): Event => ({ atMs: slot.startAtMs, kind: 1, slot })),
  ].sort((a, b) => a.atMs - b.atMs || a.kind - b.kind || (a.kind === 1 && b.kind === 1 ? a.slot.index - b.slot.index : 0));

  const users = { started: 0, completed: 0, failed: 0, interrupted: 0 };
  const journeys: Record<string, IterationCounts> = {};
  const lags: number[] = [];
  const outcomes: VuOutcome[] = [];
  const running = new Set<{ stop: AbortController; abort: AbortController; graceMs: number; settled: Promise<void> }>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const later = (ms: number, fn: () => void): ReturnType<typeof setTimeout> => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, Math.max(0, ms));
    timers.add(timer);
    return timer;
  };

  // Ask a VU to stop; abort it `graceMs` later if it has not finished.
  const requestStop = (vu: { stop: AbortController; abort: AbortController }, graceMs: number): void => {
    if (vu.stop.signal.aborted) return;
    vu.stop.abort();
    later(graceMs, () => vu.abort.abort());
  };
  const onInterrupt = (): void => {
    for (const vu of running) requestStop(vu, interruptGraceMs);
  };
  signal.addEventListener('abort', onInterrupt, { once: true });

  const wait = (untilMs: number): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, untilMs - now()));
      signal.addEventListener('abort', done, { once: true });
    });

  const settle = (slot: VuSlot, outcome: VuOutcome): void => {
    outcomes.push(outcome);
    users[outcome.outcome]++;
    const counts = (journeys[slot.journey] ??= { started: 0, completed: 0, failed: 0, interrupted: 0 });
    for (const key of ['started', 'completed', 'failed', 'interrupted'] as const) counts[key] += outcome.iterations[key];
  };

  const launch = (slot: VuSlot): void => {
    const stop = new AbortController();
    const abort = new AbortController();
    const vu = { stop, abort, graceMs: gracefulStopMs, settled: Promise.resolve() };
    const stopTimer = later(slot.stopAtMs - now(), () => requestStop(vu, gracefulStopMs));
    // Last resort: a VU that ignores its abort is given up on, so the run always ends.
    const abandoned = new Promise<VuOutcome>((resolve) => {
      abort.signal.addEventListener('abort', () => later(abandonAfterMs, () => resolve(abandonedOutcome(slot, abandonAfterMs))), { once: true });
    });
    const work = Promise.resolve()
      .then(() => options.startVu(slot, stop.signal, abort.signal))
      .catch((error: unknown): VuOutcome => crashedOutcome(slot, error));
    vu.settled = Promise.race([work, abandoned]).then((outcome) => {
      clearTimeout(stopTimer);
      timers.delete(stopTimer);
      running.delete(vu);
      settle(slot, outcome);
    });
    running.add(vu);
    if (signal.aborted) requestStop(vu, interruptGraceMs);
  };

  let nextArrivalMs = 0;
  let notStarted = 0;
  for (let i = 0; i < timeline.length; i++) {
    const event = timeline[i]!;
    if (signal.aborted) {
      notStarted = timeline.slice(i).filter((e) => e.kind === 1).length;
      break;
    }
    const dueMs = event.kind === 1 ? Math.max(event.atMs, nextArrivalMs) : event.atMs;
    if (dueMs > now()) await wait(dueMs);
    if (signal.aborted) {
      notStarted = timeline.slice(i).filter((e) => e.kind === 1).length;
      break;
    }
    if (event.kind === 0) {
      try {
        options.onPhase?.(event.phase, now());
      } catch {}
      continue;
    }
    const startedAtMs = now();
    const lagMs = Math.max(0, startedAtMs - event.slot.startAtMs);
    lags.push(lagMs);
    try {
      options.onLag?.(event.slot, lagMs);
    } catch {}
    nextArrivalMs = startedAtMs + minArrivalGapMs;
    users.started++;
    launch(event.slot);
  }
  while (running.size > 0) await Promise.all([...running].map((vu) => vu.settled));
  signal.removeEventListener('abort', onInterrupt);
  for (const timer of timers) clearTimeout(timer);
  timers.clear();
  const sortedLags = [...lags].sort((a, b) => a - b);
  return {
    users,
    journeys,
    notStarted,
    stoppedEarly: signal.aborted,
    lagMs: { p50: percentile(sortedLags, 50), p95: percentile(sortedLags, 95), max: sortedLags.at(-1) ?? 0 },
    elapsedMs: now(),
    outcomes,
  };
}

function crashedOutcome(slot: VuSlot, error: unknown): VuOutcome {
  return {
    index: slot.index,
    journey: slot.journey,
    outcome: 'failed',
    reason: 'assertion',
    message: `startVu threw (a bug: VUs must settle with an outcome): ${error instanceof Error ? error.message : String(error)}`,
    iterations: { started: 0, completed: 0, failed: 0, interrupted: 0 },
  };
}

function abandonedOutcome(slot: VuSlot, afterMs: number): VuOutcome {
  return {
    index: slot.index,
    journey: slot.journey,
    outcome: 'interrupted',
    reason: 'aborted',
    message: `did not settle ${afterMs} ms after it was aborted; given up on`,
    // its iterations are unknown: count the one it was in as started and interrupted
    iterations: { started: 1, completed: 0, failed: 0, interrupted: 1 },
  };
}
