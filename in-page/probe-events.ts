// The probe's own events (first frames, connection states, blocked hosts, its errors), gathered
// until the next batch. Bounded, and never thrown into the app: `safe` turns a probe bug into an
// event.
import type { ProbeEvent } from './probe-protocol.ts';

/** Events kept between two batches; more are dropped (a broken app must not grow the page). */
const MAX_EVENTS = 500;

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class ProbeEvents {
  #events: ProbeEvent[] = [];

  push(e: ProbeEvent): void {
    if (this.#events.length < MAX_EVENTS) this.#events.push(e);
  }

  /** A probe error, said where. */
  error(where: string, err: unknown): void {
    this.push({ type: 'probe_error', message: `${where}: ${messageOf(err)}` });
  }

  /** Runs a probe step; an error it throws becomes a probe_error event, never the app's. */
  safe(where: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.error(where, err);
    }
  }

  /** Hands over (and clears) the events gathered since the last batch. */
  take(): ProbeEvent[] {
    const taken = this.#events;
    this.#events = [];
    return taken;
  }
}
