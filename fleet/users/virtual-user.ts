// A virtual user: one browser-context session running its journey in iterations, back to back,
// until asked to stop (stopSignal: finish the current iteration) or aborted (abortSignal: stop
// now, the iteration counts as interrupted). Checks never throw into the scheduler: every
// failure is recorded as a metric and a classified event, and the VU settles with an outcome.
import type { Page } from 'playwright-core';
import type { DriverInfo } from '../../clients/driver.ts';
import type { WaddleClient } from '../../clients/waddle-client.ts';
import { sleep } from '../../common/async.ts';
import { createRng, userSeed } from '../../common/random.ts';
import { mergeParams } from '../../journeys/params.ts';
import type { Journey, JourneyContext } from '../../journeys/types.ts';
import type { MetricsRecorder, RecordableMetric, RunEvent, Tags } from '../../metrics/types.ts';
import type { VuSlot } from '../../plans/schedule.ts';
import type { FailureInfo } from '../evidence/failure-evidence.ts';
import type { ConnectionWatch } from './connection-watch.ts';
import { drawProfile } from './profile.ts';
import { classifyError, ConnectionLostError, fatalReasons, makeStep, messageOf, race, StepFailedError, VuAbortedError, type FailureReason } from './user-step.ts';

export { classifyError, StepFailedError, StepTimeoutError, VuAbortedError, type FailureReason } from './user-step.ts';

export interface ClientSession {
  readonly client: WaddleClient;
  /** the user's page, on browser drivers */
  readonly page?: Page;
  /** Keep evidence of a failure seen in this session (fleet/failure-evidence.ts); bounded, never throws. */
  readonly captureFailure?: (failure: FailureInfo) => Promise<void>;
  /** Called before each iteration (a failure trace starts a fresh chunk); bounded like captureFailure. */
  readonly startIteration?: () => Promise<void>;
  /** the client's connection, when its driver reports it: an iteration that lost it is not completed */
  readonly connection?: ConnectionWatch;
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
  /** outer bound on capturing a failure's evidence (the capture bounds itself; this guards a broken one); default 15 s */
  readonly evidenceTimeoutMs?: number;
}

export interface IterationCounts {
  started: number;
  completed: number;
  failed: number;
  interrupted: number;
}

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

// users.active is one gauge per journey and driver, so VUs that share a recorder share the count.
const activeByRecorder = new WeakMap<MetricsRecorder, Map<string, number>>();

function changeActive(recorder: MetricsRecorder, tags: { journey: string; driver: string; network?: string }, delta: number): void {
  let counts = activeByRecorder.get(recorder);
  if (!counts) activeByRecorder.set(recorder, (counts = new Map()));
  const key = `${tags.journey}\u0000${tags.driver}\u0000${tags.network ?? ""}`;
  const active = Math.max(0, (counts.get(key) ?? 0) + delta);
  counts.set(key, active);
  safeRecord(recorder, 'users.active', active, tags);
}

function safeRecord(recorder: MetricsRecorder, metric: RecordableMetric, value: number, tags: Tags): void {
  try {
    recorder.record(metric, value, tags);
  } catch {
    // the recorder contract says it never throws; a buggy one must not end a user
  }
}

export async function runVirtualUser(options: VirtualUserOptions): Promise<VuOutcome> {
  const user = new UserRun(options);
  safeRecord(options.recorder, 'users.started', 1, user.tags);
  changeActive(options.recorder, user.tags, +1);
  user.emit({ type: 'user_start', tags: user.tags, data: { vu: options.slot.index, phase: options.slot.phase } });
  try {
    user.outcome = await user.iterate();
    return user.outcome;
  } finally {
    await user.closeSession();
    changeActive(options.recorder, user.tags, -1);
    const { outcome } = user;
    user.emit({ type: 'user_end', tags: user.tags, ...(outcome.reason ? { reason: outcome.reason } : {}), data: { vu: options.slot.index, outcome: outcome.outcome, ...user.iterations } });
  }
}

/** One user's state while it runs: its session, counts, and the context its journey gets. */
class UserRun {
  readonly tags: { journey: string; driver: string; network?: string };
  readonly iterations: IterationCounts = { started: 0, completed: 0, failed: 0, interrupted: 0 };
  readonly label: string;
  readonly #anyStop: AbortSignal;
  readonly #context: Omit<JourneyContext, 'client' | 'user' | 'page'>;
  #session: ClientSession | undefined;
  outcome: VuOutcome;

  constructor(private readonly o: VirtualUserOptions) {
    const { slot } = o;
    // frozen: the hub resolves a frozen tag set by the object itself (metrics/hub.ts), once per user
    this.tags = Object.freeze({ journey: slot.journey, driver: o.driver.name, ...(slot.network !== undefined ? { network: slot.network } : {}) });
    this.label = `vu-${String(slot.index).padStart(4, '0')}`;
    this.outcome = { index: slot.index, journey: slot.journey, outcome: 'completed', iterations: this.iterations };
    this.#anyStop = AbortSignal.any([o.stopSignal, o.abortSignal]);
    const rng = createRng(userSeed(o.runSeed, slot.index));
    const profile = drawProfile(rng);
    const thinkTimeScale = o.thinkTimeScale ?? 1;
    // bound methods, not arrows: made once per user, and under tsx (esbuild keepNames) a named
    // arrow also gets its own property storage (~250 bytes); a bound method does not
    this.#thinkMs = { reaction: profile.reactionTimeMs, scale: thinkTimeScale };
    this.#context = {
      step: makeStep({
        tags: this.tags, who: `${this.label} ${slot.journey}`, vu: slot.index, recorder: o.recorder, abortSignal: o.abortSignal, defaultTimeoutMs: o.defaultStepTimeoutMs ?? 60_000,
        emit: this.emit.bind(this),
        onFailure: this.#onStepFailure.bind(this),
      }),
      think: this.#think.bind(this),
      profile,
      params: mergeParams(o.journey.defaults, slot.params),
      rng,
      metrics: { record: this.#recordOwn.bind(this) },
      signal: this.#anyStop,
      target: o.target,
      driver: o.driver,
    };
  }

  readonly #thinkMs: { readonly reaction: number; readonly scale: number };

  #think(ms?: number): Promise<void> {
    return sleep((ms ?? this.#thinkMs.reaction) * this.#thinkMs.scale, this.#anyStop);
  }

  #onStepFailure(step: string, reason: FailureReason, message: string): Promise<void> {
    return this.captureFailure(reason, message, step);
  }

  /** A journey's own metric (ctx.metrics.record), tagged as this user. */
  #recordOwn(metric: RecordableMetric, value: number, tags?: Tags): void {
    safeRecord(this.o.recorder, metric, value, tags === undefined ? this.tags : { ...tags, ...this.tags });
  }

  emit(event: Omit<RunEvent, 'timeMs'>): void {
    try {
      this.o.onEvent({ timeMs: Date.now(), ...event });
    } catch {
      // an event sink failure must not end a user
    }
  }

  /** Evidence of a failure from the session it happened in, before anything closes it; bounded, never throws. */
  async captureFailure(reason: FailureReason, message: string, step?: string): Promise<void> {
    const capture = this.#session?.captureFailure;
    if (!capture || reason === 'aborted') return;
    const failure: FailureInfo = { journey: this.o.slot.journey, ...(step ? { step } : {}), driver: this.o.driver.name, reason, message, vu: this.o.slot.index, atMs: Date.now() };
    await this.#bounded(() => capture(failure), 'failure evidence');
  }

  /** A session hook for evidence, within its bound and the abort: evidence is a courtesy, never the user's failure. */
  async #bounded(hook: (() => Promise<void>) | undefined, what: string): Promise<void> {
    if (!hook) return;
    try {
      await race(Promise.resolve().then(hook), this.o.evidenceTimeoutMs ?? 15_000, this.o.abortSignal, `${this.label} ${what}`);
    } catch {
      // swallowed on purpose: see above
    }
  }

  /** Iterations back to back until asked to stop; the outcome of the user. */
  async iterate(): Promise<VuOutcome> {
    const opened = await this.#openSession();
    if (opened) return opened;
    while (!this.#anyStop.aborted) {
      const ended = await this.#runIteration();
      if (ended) return ended;
      // Always yield to the timers once per iteration, so a journey that resolves at once can't
      // starve the event loop (and with it the stop timer).
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (!this.#anyStop.aborted) await this.#context.think();
    }
    return this.outcome;
  }

  /** One iteration; an outcome when the user must end (aborted, session gone), else undefined. */
  async #runIteration(): Promise<VuOutcome | undefined> {
    const { slot, journey, abortSignal, recorder } = this.o;
    const session = this.#session!;
    await this.#bounded(session.startIteration, 'start of iteration');
    this.iterations.started++;
    session.connection?.startIteration();
    const startedMs = performance.now();
    try {
      await race(Promise.resolve().then(() => journey.run(this.#journeyContext(session))), undefined, abortSignal, `${this.label} ${slot.journey}`);
      if (abortSignal.aborted) throw new VuAbortedError('aborted');
      // its steps may each have failed softly, but an iteration without a connection sent no load
      const lost = session.connection?.lostDuringIteration();
      if (lost !== undefined) throw new ConnectionLostError(`the iteration ran without a connection for a while: ${lost}`);
      this.iterations.completed++;
      safeRecord(recorder, 'journey.duration_ms', performance.now() - startedMs, this.tags);
      safeRecord(recorder, 'journey.completed', 1, this.tags);
      safeRecord(recorder, 'journey.errors', 0, this.tags);
      return undefined;
    } catch (error) {
      return this.#iterationFailed(error);
    }
  }

  async #iterationFailed(error: unknown): Promise<VuOutcome | undefined> {
    const { slot, abortSignal, recorder } = this.o;
    const reason = classifyError(error, abortSignal.aborted);
    const step = error instanceof StepFailedError ? error.step : undefined;
    const message = `${this.label} ${slot.journey}: ${messageOf(error)}`;
    this.emit({ type: 'journey_error', reason, message, tags: step ? { ...this.tags, step } : this.tags, data: { vu: slot.index, iteration: this.iterations.started } });
    // a failed step kept its evidence when it failed; a failure outside any step keeps it now
    if (!(error instanceof StepFailedError)) await this.captureFailure(reason, message);
    if (reason === 'aborted') {
      this.iterations.interrupted++;
      return { ...this.outcome, outcome: 'interrupted', reason, message: messageOf(error) };
    }
    this.iterations.failed++;
    safeRecord(recorder, 'journey.errors', 1, this.tags);
    if (fatalReasons.has(reason)) return { ...this.outcome, outcome: 'failed', reason, message: messageOf(error) };
    // The session's state is unknown after a failure (half-joined call…): start the next iteration clean.
    if (this.#anyStop.aborted) return undefined;
    await this.closeSession();
    return this.#openSession();
  }

  #journeyContext(session: ClientSession): JourneyContext {
    const { slot } = this.o;
    return {
      ...this.#context,
      client: session.client,
      user: { index: slot.index, indexInJourney: slot.indexInJourney, ...(slot.callRoom !== undefined ? { callRoom: slot.callRoom } : {}), label: this.label, username: session.client.username },
      ...(session.page ? { page: session.page } : {}),
    };
  }

  /** Open the session; an outcome (failed or interrupted) when it could not be opened. */
  async #openSession(): Promise<VuOutcome | undefined> {
    const { slot, abortSignal } = this.o;
    try {
      this.#session = await race(Promise.resolve().then(this.o.createClient), undefined, abortSignal, `${this.label} create client`);
      return undefined;
    } catch (error) {
      const reason = classifyError(error, abortSignal.aborted);
      this.emit({ type: 'journey_error', reason, message: `${this.label} ${slot.journey}: could not open a session: ${messageOf(error)}`, tags: this.tags, data: { vu: slot.index } });
      return { index: slot.index, journey: slot.journey, outcome: reason === 'aborted' ? 'interrupted' : 'failed', reason, message: messageOf(error), iterations: this.iterations };
    }
  }

  /** Close the session within its bound (a hung close must not hold the run). */
  async closeSession(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    if (!session) return;
    try {
      await race(Promise.resolve().then(() => session.close()), this.o.closeTimeoutMs ?? 15_000, new AbortController().signal, `${this.label} close`);
    } catch (error) {
      this.emit({ type: 'warning', reason: classifyError(error), message: `${this.label}: closing its session failed: ${messageOf(error)}`, tags: this.tags });
    }
  }
}
