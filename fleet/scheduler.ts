// The scheduler: turns a resolved plan into every virtual user it will ever run (buildSchedule),
// then runs them on time (runSchedule): starts each at its planned offset, asks it to stop at its
// planned end, aborts it gracefulStop later, records how late each start was, and stops starting
// users when the run is stopped (SIGINT, abortOnFail).
import type { UserCounts } from '../metrics/run-summary.ts';
import type { ResolvedPlan } from '../plans/resolve.ts';
import { inShard } from './shard.ts';
import { assignCallRooms, type CallRoomLayout } from './call-rooms.ts';
import { journeys as journeyRegistry } from '../journeys/registry.ts';
import { mergeParams } from '../journeys/params.ts';
import type { Journey } from '../journeys/types.ts';
export { peakConcurrency } from './peak-concurrency.ts';
import type { IterationCounts, VuOutcome } from './virtual-user.ts';

export interface VuSlot {
  /** global index across all shards (0-based); the VU's seed and shard follow from it */
  readonly index: number;
  readonly journey: string;
  /** 0-based index among the users of this journey (whole plan): call rooms group by it */
  readonly indexInJourney: number;
  /** the call room the plan put this VU in (fleet/call-rooms.ts); undefined for journeys without calls */
  readonly callRoom?: number;
  /** the plan's params for this journey in the phase where the VU starts */
  readonly params: Readonly<Record<string, unknown>>;
  /** name of the phase in which the VU starts */
  readonly phase: string;
  readonly phaseIndex: number;
  /** offsets from the run start, ms */
  readonly startAtMs: number;
  readonly stopAtMs: number;
}

interface PendingVu {
  journey: string;
  journeyOrder: number;
  sequence: number;
  params: Readonly<Record<string, unknown>>;
  phase: string;
  phaseIndex: number;
  startAtMs: number;
  stopAtMs: number;
}

/**
 * Every VU of the whole plan, indexed, before sharding. Per journey, a phase moves the count
 * linearly from the previous phase's to its own over rampUp: the k-th of d new VUs starts at
 * rampUp·k/d; when the count falls by e, the newest VUs stop first, the m-th at rampUp·(m+1)/e.
 * All VUs still running stop at the end of the plan. Indices follow (start, journey order, sequence).
 */
export function buildFullSchedule(plan: ResolvedPlan, journeyOf: JourneyLookup = registryLookup): VuSlot[] {
  const slots = plannedSlots(plan);
  const { rooms } = assignCallRooms(slots, roomRuleOf(journeyOf));
  return slots.map((slot, i) => (rooms[i] === undefined ? slot : { ...slot, callRoom: rooms[i] }));
}

/** Who calls in which rooms, for the dry run and plan.json (lone rooms are a plan problem). */
export function callRoomLayout(plan: ResolvedPlan, journeyOf: JourneyLookup = registryLookup): CallRoomLayout[] {
  return assignCallRooms(plannedSlots(plan), roomRuleOf(journeyOf)).layout;
}

export type JourneyLookup = (name: string) => Journey | undefined;
const registryLookup: JourneyLookup = (name) => journeyRegistry[name];

function roomRuleOf(journeyOf: JourneyLookup) {
  return (slot: VuSlot) => {
    const journey = journeyOf(slot.journey);
    return journey?.callRoom?.(mergeParams(journey.defaults, slot.params));
  };
}

function plannedSlots(plan: ResolvedPlan): VuSlot[] {
  const journeyOrder = new Map<string, number>();
  for (const phase of plan.phases) {
    for (const scenario of phase.scenarios) if (!journeyOrder.has(scenario.journey)) journeyOrder.set(scenario.journey, journeyOrder.size);
  }
  const all: PendingVu[] = [];
  for (const [journey, order] of journeyOrder) {
    const running: PendingVu[] = [];
    let sequence = 0;
    for (const phase of plan.phases) {
      const scenario = phase.scenarios.find((s) => s.journey === journey);
      const target = scenario?.users ?? 0;
      const delta = target - running.length;
      if (delta > 0) {
        for (let k = 0; k < delta; k++) {
          const vu: PendingVu = {
            journey,
            journeyOrder: order,
            sequence: sequence++,
            params: scenario?.params ?? {},
            phase: phase.name,
            phaseIndex: phase.index,
            startAtMs: phase.startMs + Math.floor((phase.rampUpMs * k) / delta),
            stopAtMs: plan.totalDurationMs,
          };
          running.push(vu);
          all.push(vu);
        }
      } else if (delta < 0) {
        const leaving = -delta;
        for (let m = 0; m < leaving; m++) running.pop()!.stopAtMs = phase.startMs + Math.floor((phase.rampUpMs * (m + 1)) / leaving);
      }
    }
  }
  return all
    .filter((vu) => vu.stopAtMs > vu.startAtMs) // a VU that would start and stop at once does no work
    .sort((a, b) => a.startAtMs - b.startAtMs || a.journeyOrder - b.journeyOrder || a.sequence - b.sequence)
    .map((vu, index) => ({
      index,
      journey: vu.journey,
      indexInJourney: vu.sequence,
      params: vu.params,
      phase: vu.phase,
      phaseIndex: vu.phaseIndex,
      startAtMs: vu.startAtMs,
      stopAtMs: vu.stopAtMs,
    }));
}

/** The VUs this shard runs (global index % n === i - 1), in start order. */
export function buildSchedule(plan: ResolvedPlan, journeyOf: JourneyLookup = registryLookup): VuSlot[] {
  return buildFullSchedule(plan, journeyOf).filter((slot) => inShard(slot.index, plan.shard));
}


// ---- running ----

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
  readonly onOutcome?: (slot: VuSlot, outcome: VuOutcome) => void;
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
    try {
      options.onOutcome?.(slot, outcome);
    } catch {}
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
