// Users waiting for a browser slot: each waits until something changes in the pool (a slot is
// freed, a browser comes up or dies) or its own deadline passes. Whoever wakes looks again.
import { TimeoutError } from '../../common/async.ts';

export class WaitingLine {
  #waiters = new Set<() => void>();

  /** Resolves on the next change; rejects with TimeoutError(message()) at the deadline (epoch ms). */
  wait(deadlineMs: number, message: () => string): Promise<void> {
    const remainingMs = deadlineMs - Date.now();
    if (remainingMs <= 0) return Promise.reject(new TimeoutError(message()));
    return new Promise<void>((resolve, reject) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(wake);
        reject(new TimeoutError(message()));
      }, remainingMs);
      this.#waiters.add(wake);
    });
  }

  /** Something changed: every waiter looks again. */
  wakeAll(): void {
    for (const wake of [...this.#waiters]) wake();
  }

  get size(): number {
    return this.#waiters.size;
  }
}
