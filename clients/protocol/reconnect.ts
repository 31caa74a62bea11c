// Reconnecting as the reference web client does (reference-waddle/web/connection.ts): after the
// target or the network closed an open socket, try again after min(10 s, 0.5 s × 2^min(n, 5)) for
// the n-th try in a row (1 s, 2 s, 4 s, 8 s, 10 s, 10 s…), until one succeeds or the client closes.
// A protocol user that stayed silent after a drop sent no load while its iterations still counted
// as completed (issue 19); a real client comes back, and so must its stand-in.
import type { ConnectionEvent } from '../waddle-client.ts';

/** The web client's backoff: the wait before the `tries`-th attempt in a row (1-based). */
export function reconnectDelayMs(tries: number): number {
  return Math.min(10_000, 500 * 2 ** Math.min(tries, 5));
}

/** Connection events to whoever subscribed (handlers' own errors never reach the socket). */
export class ConnectionEvents {
  #handlers: Set<(event: ConnectionEvent) => void> | undefined;

  on(handler: (event: ConnectionEvent) => void): () => void {
    (this.#handlers ??= new Set()).add(handler);
    return () => void this.#handlers?.delete(handler);
  }

  emit(kind: ConnectionEvent['kind'], message: string): void {
    for (const h of this.#handlers ?? []) safely(() => h({ kind, message }));
  }

  clear(): void {
    this.#handlers = undefined;
  }
}

/**
 * One pending reconnection at a time. `attempt` opens and restores; when it throws, the next try
 * is scheduled with a longer wait. `cancel` (connect() or close() took over) makes a running
 * attempt's result void: it must check `isCurrent(ticket)` before installing what it opened.
 */
export class Reconnector {
  #tries = 0;
  #timer: NodeJS.Timeout | undefined;
  #ticket = 0;

  constructor(private readonly attempt: (ticket: number) => Promise<void>) {}

  /** Schedule the next try unless one is already waiting. */
  schedule(): void {
    if (this.#timer) return;
    this.#tries += 1;
    const ticket = this.#ticket;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (ticket !== this.#ticket) return;
      this.attempt(ticket).then(
        () => {
          if (ticket === this.#ticket) this.#tries = 0;
        },
        () => {
          if (ticket === this.#ticket) this.schedule();
        },
      );
    }, reconnectDelayMs(this.#tries));
  }

  isCurrent(ticket: number): boolean {
    return ticket === this.#ticket;
  }

  /** Stop trying; an attempt under way finds it is no longer current. */
  cancel(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#ticket += 1;
    this.#tries = 0;
  }
}

/** Call a subscriber: its bug must not break the client's frame stream. */
export function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // swallowed on purpose: see above
  }
}

/** Call each handler with the value, as safely() does, without a closure per call (one per chat delivery). */
export function emitEach<T>(handlers: ReadonlySet<(value: T) => void> | undefined, value: T): void {
  if (!handlers) return;
  for (const h of handlers) {
    try {
      h(value);
    } catch {
      // swallowed on purpose: a subscriber's bug must not break the frame stream
    }
  }
}
