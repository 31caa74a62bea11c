// Waiting, bounded: one abortable sleep and one timeout for the whole fleet.

/** A wait or an operation that ran out of time; `instanceof` tells it apart from the operation's own errors. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/** Resolve after ms, or at once when any of the signals aborts (never rejects). */
export function sleep(ms: number, ...signals: readonly (AbortSignal | undefined)[]): Promise<void> {
  const live = signals.filter((s): s is AbortSignal => s !== undefined);
  if (ms <= 0 || live.some((s) => s.aborted)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      for (const s of live) s.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    for (const s of live) s.addEventListener('abort', done, { once: true });
  });
}

/**
 * Resolve once performance.now() reaches atMs, or at once when any of the signals aborts. Never
 * early: Node's timers round to whole milliseconds of the loop's cached time, so a plain sleep can
 * end up to ~2 ms before its deadline, which a fixed-rate schedule must not do.
 */
export async function sleepUntil(atMs: number, ...signals: readonly (AbortSignal | undefined)[]): Promise<void> {
  while (performance.now() < atMs && !signals.some((s) => s?.aborted)) await sleep(atMs - performance.now(), ...signals);
}

/**
 * The promise's outcome, or a TimeoutError saying what did not finish after ms. The promise keeps
 * running (JavaScript cannot cancel it) but its late rejection is swallowed, never unhandled.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string | (() => string)): Promise<T> {
  promise.catch(() => {});
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new TimeoutError(typeof what === 'function' ? what() : `${what} did not finish within ${Math.round(ms)} ms`)), Math.max(0, ms));
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
