// The scheduler runs a schedule (plans/schedule.ts) on time: starts each VU at its planned offset,
// asks it to stop at its planned end, aborts it gracefulStop later, records how late each start
// was, and stops starting users when the run is stopped (SIGINT, abortOnFail).
import { sleep } from '../../common/async.ts';
import { TrendHistogram } from '../../metrics/histogram.ts';
import type { UserCounts } from '../../metrics/run-summary.ts';
import type { VuSlot } from '../../plans/schedule.ts';
import type { IterationCounts, VuOutcome } from './virtual-user.ts';

export type { VuSlot };
export { buildFullSchedule, buildSchedule, callRoomLayout, peakConcurrency } from '../../plans/schedule.ts';

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

type TimelineEvent = { atMs: number; kind: 0; phase: SchedulePhase } | { atMs: number; kind: 1; slot: VuSlot };

interface RunningVu {
  readonly stop: AbortController;
  readonly abort: AbortController;
  settled: Promise<void>;
}

export async function runSchedule(options: RunScheduleOptions): Promise<ScheduleResult> {
  return new ScheduleRun(options).run();
}

/** The running of one schedule: its timeline of phase starts and user starts, its users and timers. */
class ScheduleRun {
  readonly #o: RunScheduleOptions;
  readonly #clock: () => number;
  readonly #originMs: number;
  readonly #gracefulStopMs: number;
  readonly #interruptGraceMs: number;
  readonly #signal: AbortSignal;
  readonly #users = { started: 0, completed: 0, failed: 0, interrupted: 0 };
  readonly #journeys: Record<string, IterationCounts> = {};
  /** schedule lag: the one percentile implementation (metrics/histogram.ts) */
  readonly #lags = new TrendHistogram();
  readonly #outcomes: VuOutcome[] = [];
  readonly #running = new Set<RunningVu>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(options: RunScheduleOptions) {
    this.#o = options;
    this.#clock = options.clock ?? (() => performance.now());
    this.#originMs = this.#clock();
    this.#gracefulStopMs = options.gracefulStopMs ?? 30_000;
    this.#interruptGraceMs = options.interruptGraceMs ?? this.#gracefulStopMs;
    this.#signal = options.signal ?? new AbortController().signal;
  }

  #now(): number {
    return this.#clock() - this.#originMs;
  }

  async run(): Promise<ScheduleResult> {
    const onInterrupt = (): void => {
      for (const vu of this.#running) this.#requestStop(vu, this.#interruptGraceMs);
    };
    this.#signal.addEventListener('abort', onInterrupt, { once: true });
    const notStarted = await this.#walkTimeline(this.#timeline());
    while (this.#running.size > 0) await Promise.all([...this.#running].map((vu) => vu.settled));
    this.#signal.removeEventListener('abort', onInterrupt);
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    const lag = this.#lags.count > 0 ? { p50: this.#lags.percentile(50), p95: this.#lags.percentile(95), max: this.#lags.max } : { p50: 0, p95: 0, max: 0 };
    return { users: this.#users, journeys: this.#journeys, notStarted, stoppedEarly: this.#signal.aborted, lagMs: lag, elapsedMs: this.#now(), outcomes: this.#outcomes };
  }

  #timeline(): TimelineEvent[] {
    return [
      ...(this.#o.phases ?? derivePhases(this.#o.slots)).map((phase): TimelineEvent => ({ atMs: phase.startMs, kind: 0, phase })),
      ...this.#o.slots.map((slot): TimelineEvent => ({ atMs: slot.startAtMs, kind: 1, slot })),
    ].sort((a, b) => a.atMs - b.atMs || a.kind - b.kind || (a.kind === 1 && b.kind === 1 ? a.slot.index - b.slot.index : 0));
  }

  /** Start users and phases on time; returns how many users were never started (the run was stopped). */
  async #walkTimeline(timeline: readonly TimelineEvent[]): Promise<number> {
    const rate = this.#o.maxArrivalsPerSecond;
    const minArrivalGapMs = rate !== undefined && rate > 0 ? 1000 / rate : 0;
    let nextArrivalMs = 0;
    for (let i = 0; i < timeline.length; i++) {
      const event = timeline[i]!;
      const dueMs = event.kind === 1 ? Math.max(event.atMs, nextArrivalMs) : event.atMs;
      while (!this.#signal.aborted && dueMs > this.#now()) await this.#waitUntil(dueMs); // a timer may fire early
      if (this.#signal.aborted) return timeline.slice(i).filter((e) => e.kind === 1).length;
      if (event.kind === 0) {
        tryCall(() => this.#o.onPhase?.(event.phase, this.#now()));
        continue;
      }
      const startedAtMs = this.#now();
      const lagMs = Math.max(0, startedAtMs - event.slot.startAtMs);
      this.#lags.record(lagMs);
      tryCall(() => this.#o.onLag?.(event.slot, lagMs));
      nextArrivalMs = startedAtMs + minArrivalGapMs;
      this.#users.started++;
      this.#launch(event.slot);
    }
    return 0;
  }

  #launch(slot: VuSlot): void {
    const vu: RunningVu = { stop: new AbortController(), abort: new AbortController(), settled: Promise.resolve() };
    const cancelStop = this.#at(slot.stopAtMs, () => this.#requestStop(vu, this.#gracefulStopMs));
    // Last resort: a VU that ignores its abort is given up on, so the run always ends.
    const abandonAfterMs = this.#o.abandonAfterMs ?? 10_000;
    const abandoned = new Promise<VuOutcome>((resolve) => {
      vu.abort.signal.addEventListener('abort', () => this.#later(abandonAfterMs, () => resolve(abandonedOutcome(slot, abandonAfterMs))), { once: true });
    });
    const work = Promise.resolve()
      .then(() => this.#o.startVu(slot, vu.stop.signal, vu.abort.signal))
      .catch((error: unknown): VuOutcome => crashedOutcome(slot, error));
    vu.settled = Promise.race([work, abandoned]).then((outcome) => {
      cancelStop();
      this.#running.delete(vu);
      this.#settle(slot, outcome);
    });
    this.#running.add(vu);
    if (this.#signal.aborted) this.#requestStop(vu, this.#interruptGraceMs);
  }

  #settle(slot: VuSlot, outcome: VuOutcome): void {
    this.#outcomes.push(outcome);
    this.#users[outcome.outcome]++;
    const counts = (this.#journeys[slot.journey] ??= { started: 0, completed: 0, failed: 0, interrupted: 0 });
    for (const key of ['started', 'completed', 'failed', 'interrupted'] as const) counts[key] += outcome.iterations[key];
  }

  /** Ask a VU to stop; abort it `graceMs` later if it has not finished. */
  #requestStop(vu: RunningVu, graceMs: number): void {
    if (vu.stop.signal.aborted) return;
    vu.stop.abort();
    this.#later(graceMs, () => vu.abort.abort());
  }

  /** Call fn ms from now; returns its cancel. */
  #later(ms: number, fn: () => void): () => void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, Math.max(0, ms));
    this.#timers.add(timer);
    return () => {
      clearTimeout(timer);
      this.#timers.delete(timer);
    };
  }

  /**
   * Call fn once the clock reaches dueMs; returns its cancel. Node's timers round to whole
   * milliseconds (common/async.ts sleepUntil says how), so one can fire up to ~2 ms early by the
   * clock (a CI run saw a VU stopped at 158.8 ms for 160): an early firing waits out the rest.
   */
  #at(dueMs: number, fn: () => void): () => void {
    let cancel = (): void => {};
    const arm = (): void => {
      cancel = this.#later(dueMs - this.#now(), () => (this.#now() < dueMs ? arm() : fn()));
    };
    arm();
    return () => cancel();
  }

  /** Resolve at the offset, or at once when the run is stopped. */
  #waitUntil(untilMs: number): Promise<void> {
    return sleep(untilMs - this.#now(), this.#signal);
  }
}

function tryCall(fn: () => void): void {
  try {
    fn();
  } catch {
    // a listener's failure must not stop the schedule
  }
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
