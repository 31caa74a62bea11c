// A journey step: named, timed and bounded (DESIGN.md style 1, like Playwright's test.step).
// A step that succeeds records its duration in step.duration_ms; one that fails records its time
// to failure apart (step.failed_duration_ms, with the reason) and never improves latency. Every
// failure is classified into a low-cardinality reason. A failed critical step ends the iteration;
// a non-critical one is recorded and the journey goes on.
import { TimeoutError, withTimeout } from '../../common/async.ts';
import type { StepFn, StepOptions } from '../../journeys/types.ts';
import type { MetricsRecorder, RecordableMetric, RunEvent, Tags } from '../../metrics/types.ts';

/** Why a step or journey failed; low-cardinality (goes into events and reports). */
export type FailureReason = 'timeout' | 'page_crash' | 'browser_closed' | 'aborted' | 'target_error' | 'network' | 'assertion';

/** A step that ran past its timeout (the one TimeoutError of common/async.ts). */
export { TimeoutError as StepTimeoutError };

export class VuAbortedError extends Error {
  override readonly name = 'AbortError';
}

/** An iteration that lost its connection to the target (fleet/users/connection-watch.ts): a network failure. */
export class ConnectionLostError extends Error {
  override readonly name = 'ConnectionLostError';
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

export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Classify an error by what it says (Playwright's messages, HTTP statuses, our own errors). */
export function classifyError(error: unknown, aborted = false): FailureReason {
  if (error instanceof StepFailedError) return error.reason;
  // an AbortError (a DOMException from a journey, a VuAbortedError) is a stop, not a failure
  if (aborted || error instanceof VuAbortedError || (error as { name?: unknown } | null)?.name === 'AbortError') return 'aborted';
  if (error instanceof TimeoutError) return 'timeout';
  if (error instanceof ConnectionLostError) return 'network';
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
export const fatalReasons: ReadonlySet<FailureReason> = new Set(['page_crash', 'browser_closed']);

/** Race a promise against a timeout and an abort signal; the loser keeps running but can't reject unhandled. */
export function race<T>(work: Promise<T>, timeoutMs: number | undefined, signal: AbortSignal, what: string): Promise<T> {
  const bounded = timeoutMs !== undefined && Number.isFinite(timeoutMs) ? withTimeout(work, timeoutMs, `${what}: timed out after ${timeoutMs} ms`) : work;
  bounded.catch(() => {});
  if (signal.aborted) return Promise.reject(new VuAbortedError(`${what}: aborted`));
  return new Promise<T>((resolve, reject) => {
    // a listener object, not a named arrow: this runs at every step, and under tsx (esbuild
    // keepNames) a named arrow also gets its own property storage (~250 bytes of garbage each)
    const onAbort = {
      handleEvent() {
        reject(new VuAbortedError(`${what}: aborted`));
      },
    };
    signal.addEventListener('abort', onAbort, { once: true });
    bounded.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}


export interface StepRunner {
  readonly tags: Tags;
  /** "vu-0042 chatMessaging", for messages */
  readonly who: string;
  readonly vu: number;
  readonly recorder: MetricsRecorder;
  readonly abortSignal: AbortSignal;
  readonly defaultTimeoutMs: number;
  readonly emit: (event: Omit<RunEvent, 'timeMs'>) => void;
  /**
   * Called when a step failed (not when aborted), before the journey goes on or the iteration
   * ends, while the page still shows the failure: failure evidence. Must be bounded; may not throw.
   */
  readonly onFailure?: (step: string, reason: FailureReason, message: string) => Promise<void>;
}

function recordSafely(recorder: MetricsRecorder, metric: RecordableMetric, value: number, tags: Tags): void {
  try {
    recorder.record(metric, value, tags);
  } catch {
    // the recorder contract says it never throws; a buggy one must not end a user
  }
}

/** The `step` a journey calls. */
export function makeStep(runner: StepRunner): StepFn {
  // one frozen tag set per step name: the hub resolves it by the object (metrics/hub.ts)
  const tagsByStep = new Map<string, Tags>();
  return async <T>(name: string, fn: () => Promise<T>, options?: StepOptions): Promise<T | undefined> => {
    const critical = options?.critical ?? true;
    let tags = tagsByStep.get(name);
    if (tags === undefined) tagsByStep.set(name, (tags = Object.freeze({ ...runner.tags, step: name })));
    if (runner.abortSignal.aborted) throw new VuAbortedError(`step '${name}': aborted before it started`);
    const startedMs = performance.now();
    try {
      const value = await race(Promise.resolve().then(fn), options?.timeoutMs ?? runner.defaultTimeoutMs, runner.abortSignal, `step '${name}'`);
      recordSafely(runner.recorder, 'step.duration_ms', performance.now() - startedMs, tags);
      recordSafely(runner.recorder, 'step.errors', 0, tags);
      return value;
    } catch (error) {
      const failedAfterMs = performance.now() - startedMs;
      const reason = classifyError(error, runner.abortSignal.aborted);
      const message = `${runner.who}/${name}: ${messageOf(error)}`;
      runner.emit({ type: 'step_error', reason, message, tags, data: { vu: runner.vu, critical, durationMs: failedAfterMs } });
      // An aborted step is an interruption, not a failure of the target: no error sample.
      if (reason === 'aborted') throw error instanceof VuAbortedError ? error : new VuAbortedError(messageOf(error));
      // A failure's time never enters step.duration_ms: a step that fails fast would make latency look better.
      recordSafely(runner.recorder, 'step.failed_duration_ms', failedAfterMs, { ...tags, reason });
      recordSafely(runner.recorder, 'step.errors', 1, tags);
      await Promise.resolve().then(() => runner.onFailure?.(name, reason, message)).catch(() => {});
      if (critical || fatalReasons.has(reason)) throw new StepFailedError(name, reason, error);
      return undefined;
    }
  };
}
