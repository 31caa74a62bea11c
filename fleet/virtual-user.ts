// A virtual user: one browser-context session running its journey in iterations, back to back,
// until asked to stop (stopSignal: finish the current iteration) or aborted (abortSignal: stop
// now, the iteration counts as interrupted). Checks never throw into the scheduler: every
// failure is recorded as a metric and a classified event, and the VU settles with an outcome.
import type { Page } from 'playwright-core';
import type { DriverInfo } from '../clients/driver.ts';
import type { WaddleClient } from '../clients/waddle-client.ts';
import type { Journey, JourneyContext, StepFn, StepOptions } from '../journeys/types.ts';
import type { MetricsRecorder, RunEvent, Tags } from '../metrics/types.ts';
import { sleep, TimeoutError, withTimeout } from '../common/async.ts';
import { mergeParams } from '../journeys/params.ts';
import { drawProfile } from './profile.ts';
import { createRng, userSeed } from '../common/random.ts';
import type { VuSlot } from './scheduler.ts';

export interface ClientSession {
  readonly client: WaddleClient;
  /** the user's page, on browser drivers */
  readonly page?: Page;
  close(): Promise<void>;
}

export interface VirtualUserOptions {
  readonly slot: VuSlot;
  readonly journey: Journey;
  readonly createClient: () => Promise<ClientSession>;
  /** the driver the user runs on (its name tags every metric of the user) */
  readonly driver: DriverInfo;
  /** the target's base URL, for the journey */
  readonly target: string;
  readonly recorder: MetricsRecorder;
  readonly onEvent: (event: RunEvent) => void;
  readonly stopSignal: AbortSignal;
  readonly abortSignal: AbortSignal;
  readonly runSeed: number;
  /** multiplies think times; default 1 */
  readonly thinkTimeScale?: number;
  /** step timeout when the step gives none; default 60 s */
  readonly defaultStepTimeoutMs?: number;
  /** bound on closing a session (a hung close must not hold the run); default 15 s */
  readonly closeTimeoutMs?: number;
}

export interface IterationCounts {
  started: number;
  completed: number;
  failed: number;
  interrupted: number;
}

/** Why a step or journey failed; low-cardinality (goes into events and reports). */
export type FailureReason = 'timeout' | 'page_crash' | 'browser_closed' | 'aborted' | 'target_error' | 'network' | 'assertion';

export interface VuOutcome {
  readonly index: number;
  readonly journey: string;
  /**
   * completed: stopped when asked (its iterations may have failed; they are counted in iterations);
   * failed: the session died (client could not be created, page crashed, browser closed);
   * interrupted: aborted before it could finish.
   */
  readonly outcome: 'completed' | 'failed' | 'interrupted';
  readonly reason?: FailureReason;
  readonly message?: string;
  readonly iterations: IterationCounts;
}

/** A step that ran past its timeout (the one TimeoutError of common/async.ts). */
export { TimeoutError as StepTimeoutError };

export class VuAbortedError extends Error {
  override readonly name = 'AbortError';
}

/** Thrown by a failed critical step to end its iteration; carries the classified reason. */
export class StepFailedError extends Error {
  override readonly name = 'StepFailedError';
  constructor(
    readonly step: string,
    readonly reason: FailureReason,
    override readonly cause: unknown,
  ) {
    super(`step '${step}' failed (${reason}): ${messageOf(cause)}`);
  }
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Classify an error by what it says (Playwright's messages, HTTP statuses, our own errors). */
export function classifyError(error: unknown, aborted = false): FailureReason {
  if (error instanceof StepFailedError) return error.reason;
  if (aborted || error instanceof VuAbortedError) return 'aborted';
  if (error instanceof TimeoutError) return 'timeout';
  const name = error instanceof Error ? error.name : '';
  const message = messageOf(error);
  if (name === 'TimeoutError' || /\btimeout\b.*\bexceeded\b|\btimed out\b/i.test(message)) return 'timeout';
  if (/crash/i.test(message)) return 'page_crash';
  if (/target (page, context or browser )?(has been |is )?closed|browser has been closed|browser has disconnected|context (has been )?closed/i.test(message)) {
    return 'browser_closed';
  }
  const status = (error as { status?: unknown } | null)?.status;
  if ((typeof status === 'number' && status >= 500 && status <= 599) || name === 'TargetError' || /\bHTTP 5\d\d\b|\bstatus 5\d\d\b|\berror frame\b/i.test(message)) {
    return 'target_error';
  }
  // the target (or the path to it) refused or dropped the connection: Chromium's net:: errors, Node's socket codes
  if (/net::ERR_[A-Z_]+|\bE(CONNREFUSED|CONNRESET|HOSTUNREACH|NETUNREACH|PIPE)\b|socket hang up|WebSocket (is )?closed/i.test(message)) return 'network';
  return 'assertion';
}

/** Session-ending reasons: after these the context is gone, so the VU ends as failed. */
const fatalReasons: ReadonlySet<FailureReason> = new Set(['page_crash', 'browser_closed']);

// users.active is one gauge per journey and driver, so VUs that share a recorder share the count.
const activeByRecorder = new WeakMap<MetricsRecorder, Map<string, number>>();

function changeActive(recorder: MetricsRecorder, tags: { journey: string; driver: string }, delta: number): void {
  let counts = activeByRecorder.get(recorder);
  if (!counts) activeByRecorder.set(recorder, (counts = new Map()));
  const key = `${tags.journey}\u0000${tags.driver}`;
  const active = Math.max(0, (counts.get(key) ?? 0) + delta);
  counts.set(key, active);
  safeRecord(recorder, 'users.active', active, tags);
}

function safeRecord(recorder: MetricsRecorder, metric: string, value: number, tags: Tags): void {
  try {
    recorder.record(metric, value, tags);
  } catch {
    // the recorder contract says it never throws; a buggy one must not end a user
  }
}

/** Race a promise against a timeout and an abort signal; the loser keeps running but can't reject unhandled. */
function race<T>(work: Promise<T>, timeoutMs: number | undefined, signal: AbortSignal, what: string): Promise<T> {
  const bounded = timeoutMs !== undefined && Number.isFinite(timeoutMs) ? withTimeout(work, timeoutMs, `${what}: timed out after ${timeoutMs} ms`) : work;
  bounded.catch(() => {});
  if (signal.aborted) return Promise.reject(new VuAbortedError(`${what}: aborted`));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new VuAbortedError(`${what}: aborted`));
    signal.addEventListener('abort', onAbort, { once: true });
    bounded.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export async function runVirtualUser(options: VirtualUserOptions): Promise<VuOutcome> {
  const { slot, journey, recorder, stopSignal, abortSignal } = options;
  const journeyTag = { journey: slot.journey, driver: options.driver.name };
  const thinkTimeScale = options.thinkTimeScale ?? 1;
  const defaultStepTimeoutMs = options.defaultStepTimeoutMs ?? 60_000;
  const iterations: IterationCounts = { started: 0, completed: 0, failed: 0, interrupted: 0 };
  const rng = createRng(userSeed(options.runSeed, slot.index));
  const profile = drawProfile(rng);
  const params = mergeParams(journey.defaults, slot.params);
  const label = `vu-${String(slot.index).padStart(4, '0')}`;
  const anyStop = AbortSignal.any([stopSignal, abortSignal]);

  const emit = (event: Omit<RunEvent, 'timeMs'>): void => {
    try {
      options.onEvent({ timeMs: Date.now(), ...event });
    } catch {
      // an event sink failure must not end a user
    }
  };
  const metrics: MetricsRecorder = { record: (metric, value, tags) => safeRecord(recorder, metric, value, { ...tags, ...journeyTag }) };

  const step: StepFn = async <T>(name: string, fn: () => Promise<T>, stepOptions?: StepOptions): Promise<T | undefined> => {
    const critical = stepOptions?.critical ?? true;
    const tags = { ...journeyTag, step: name };
    if (abortSignal.aborted) throw new VuAbortedError(`step '${name}': aborted before it started`);
    const startedMs = performance.now();
    try {
      const value = await race(Promise.resolve().then(fn), stepOptions?.timeoutMs ?? defaultStepTimeoutMs, abortSignal, `step '${name}'`);
      safeRecord(recorder, 'step.duration_ms', performance.now() - startedMs, tags);
      safeRecord(recorder, 'step.errors', 0, tags);
      return value;
    } catch (error) {
      const reason = classifyError(error, abortSignal.aborted);
      const data = { vu: slot.index, critical, durationMs: performance.now() - startedMs };
      emit({ type: 'step_error', reason, message: `${label} ${slot.journey}/${name}: ${messageOf(error)}`, tags, data });
      // An aborted step is an interruption, not a failure of the target: no error sample.
      if (reason === 'aborted') throw error instanceof VuAbortedError ? error : new VuAbortedError(messageOf(error));
      // A failure's time never enters step.duration_ms: a step that fails fast would make latency look better.
      safeRecord(recorder, 'step.failed_duration_ms', performance.now() - startedMs, { ...tags, reason });
      safeRecord(recorder, 'step.errors', 1, tags);
      if (critical || fatalReasons.has(reason)) throw new StepFailedError(name, reason, error);
      return undefined;
    }
  };

  const think = (ms?: number): Promise<void> => sleep((ms ?? profile.reactionTimeMs) * thinkTimeScale, anyStop);

  const closeSession = async (session: ClientSession): Promise<void> => {
    const timeoutMs = options.closeTimeoutMs ?? 15_000;
    try {
      await race(Promise.resolve().then(() => session.close()), timeoutMs, new AbortController().signal, `${label} close`);
    } catch (error) {
      emit({ type: 'warning', reason: classifyError(error), message: `${label}: closing its session failed: ${messageOf(error)}`, tags: journeyTag });
    }
  };

  const openSession = async (): Promise<ClientSession | VuOutcome> => {
    try {
      return await race(Promise.resolve().then(options.createClient), undefined, abortSignal, `${label} create client`);
    } catch (error) {
      const reason = classifyError(error, abortSignal.aborted);
      emit({ type: 'journey_error', reason, message: `${label} ${slot.journey}: could not open a session: ${messageOf(error)}`, tags: journeyTag, data: { vu: slot.index } });
      return { index: slot.index, journey: slot.journey, outcome: reason === 'aborted' ? 'interrupted' : 'failed', reason, message: messageOf(error), iterations };
    }
  };

  safeRecord(recorder, 'users.started', 1, journeyTag);
  changeActive(recorder, journeyTag, +1);
  emit({ type: 'user_start', tags: journeyTag, data: { vu: slot.index, phase: slot.phase } });
  let outcome: VuOutcome = { index: slot.index, journey: slot.journey, outcome: 'completed', iterations };
  let session: ClientSession | undefined;
  try {
    const opened = await openSession();
    if ('outcome' in opened) return (outcome = opened);
    session = opened;
    while (!anyStop.aborted) {
      const ctx: JourneyContext = {
        client: session.client,
        step,
        think,
        profile,
        params,
        rng,
        user: {
          index: slot.index,
          indexInJourney: slot.indexInJourney,
          ...(slot.callRoom !== undefined ? { callRoom: slot.callRoom } : {}),
          label,
          username: session.client.username,
        },
        metrics,
        signal: anyStop,
        target: options.target,
        driver: options.driver,
        ...(session.page ? { page: session.page } : {}),
      };
      iterations.started++;
      const startedMs = performance.now();
      try {
        await race(Promise.resolve().then(() => journey.run(ctx)), undefined, abortSignal, `${label} ${slot.journey}`);
        if (abortSignal.aborted) throw new VuAbortedError('aborted');
        iterations.completed++;
        safeRecord(recorder, 'journey.duration_ms', performance.now() - startedMs, journeyTag);
        safeRecord(recorder, 'journey.completed', 1, journeyTag);
        safeRecord(recorder, 'journey.errors', 0, journeyTag);
      } catch (error) {
        const reason = classifyError(error, abortSignal.aborted);
        const step = error instanceof StepFailedError ? error.step : undefined;
        emit({
          type: 'journey_error',
          reason,
          message: `${label} ${slot.journey}: ${messageOf(error)}`,
          tags: step ? { ...journeyTag, step } : journeyTag,
          data: { vu: slot.index, iteration: iterations.started },
        });
        if (reason === 'aborted') {
          iterations.interrupted++;
          outcome = { ...outcome, outcome: 'interrupted', reason, message: messageOf(error) };
          break;
        }
        iterations.failed++;
        safeRecord(recorder, 'journey.errors', 1, journeyTag);
        if (fatalReasons.has(reason)) {
          outcome = { ...outcome, outcome: 'failed', reason, message: messageOf(error) };
          break;
        }
        // The session's state is unknown after a failure (half-joined call…): start the next iteration clean.
        if (!anyStop.aborted) {
          const old = session;
          session = undefined;
          await closeSession(old);
          const reopened = await openSession();
          if ('outcome' in reopened) return (outcome = reopened);
          session = reopened;
        }
      }
      // Always yield to the timers once per iteration, so a journey that resolves at once can't
      // starve the event loop (and with it the stop timer).
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (!anyStop.aborted) await think();
    }
    return outcome;
  } finally {
    if (session) await closeSession(session);
    changeActive(recorder, journeyTag, -1);
    emit({
      type: 'user_end',
      tags: journeyTag,
      ...(outcome.reason ? { reason: outcome.reason } : {}),
      data: { vu: slot.index, outcome: outcome.outcome, ...iterations },
    });
  }
}
