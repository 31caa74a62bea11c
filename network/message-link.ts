// A network profile applied to whole messages, for users without a browser (protocol users:
// WebSocket frames and HTTP requests), cheaply enough for thousands: one LinkModel per direction
// and a timer only while a message waits. TCP never loses a message, so a loss (or a queue drop)
// is modelled as what TCP makes of it: the message arrives one retransmission timeout later (Linux's
// minimum RTO 200 ms, plus a round trip of the profile's delay), and messages behind it wait
// (head-of-line blocking: order is kept).
import { performance } from 'node:perf_hooks';
import { createRng } from '../common/random.ts';
import { LinkModel } from './impairment.ts';
import type { NetworkProfile } from './profile.ts';
import { DelayLine } from './relay/delay-line.ts';

/** Linux's minimum TCP retransmission timeout (TCP_RTO_MIN). */
export const minRtoMs = 200;

/** What a client calls around each message it sends or receives. */
export interface MessageLink {
  /** `send` runs once a message of `bytes` from the user has crossed its up link (in order) */
  up(bytes: number, send: () => void): void;
  /** `deliver` runs once a message of `bytes` towards the user has crossed its down link (in order) */
  down(bytes: number, deliver: () => void): void;
}

class Direction {
  readonly #line = new DelayLine();
  #lastMs = 0;

  constructor(
    readonly model: LinkModel,
    private readonly rttMs: () => number,
  ) {}

  pass(bytes: number, nowMs: number, then: () => void): void {
    const admitted = this.model.admit(bytes, nowMs);
    const atMs = 'deliverAtMs' in admitted ? admitted.deliverAtMs : nowMs + minRtoMs + this.rttMs();
    this.#lastMs = Math.max(this.#lastMs, atMs);
    this.#line.at(this.#lastMs - nowMs, then);
  }
}

/** A user's link for messages; `loadStartedAtEpochMs`: schedule steps count from it. */
export function messageLink(profile: NetworkProfile, seed: number, loadStartedAtEpochMs = Date.now()): MessageLink {
  const rng = createRng(seed);
  const origin = performance.now() - (Date.now() - loadStartedAtEpochMs);
  const now = () => Math.max(0, performance.now() - origin);
  const up = new LinkModel(profile, 'up', rng);
  const down = new LinkModel(profile, 'down', rng);
  const rtt = () => (up.link(now()).delayMs ?? 0) + (down.link(now()).delayMs ?? 0);
  const upDir = new Direction(up, rtt);
  const downDir = new Direction(down, rtt);
  return {
    up: (bytes, send) => upDir.pass(bytes, now(), send),
    down: (bytes, deliver) => downDir.pass(bytes, now(), deliver),
  };
}

/** The awaitable form, for a request/response client (HTTP). */
export const crossed = (pass: (bytes: number, then: () => void) => void, bytes: number) => new Promise<void>((resolve) => pass(bytes, resolve));
