// What one direction of a user's link does to each packet, as a pure function of the packet's
// size, the time it arrives (ms on a monotonic clock since the load started) and a seeded RNG, so
// tests replay it exactly. The relay (network/relay/) calls admit() per packet and sends it at the
// time returned. Order of effects, as on a real path: loss (radio, before the bottleneck) →
// bottleneck (serialisation at rateKbps, a queue of queuePackets, tail drop) → propagation delay
// with jitter. Packets leave in the order they came (jitter never reorders: a later packet waits
// for an earlier one, as netem does with rate set).
import type { Rng } from '../common/random.ts';
import { linkAt, sortedSteps, type LinkSpec, type NetworkProfile } from './profile.ts';

export const defaultQueuePackets = 100;
/** how long the delay's deviation takes to decorrelate (a queue's time constant) */
export const jitterTimeMs = 50;

export type Admission = { readonly deliverAtMs: number } | { readonly dropped: 'loss' | 'queue' };

export interface LinkCounts {
  packets: number;
  bytes: number;
  lost: number;
  queueDropped: number;
}

export class LinkModel {
  readonly counts: LinkCounts = { packets: 0, bytes: 0, lost: 0, queueDropped: 0 };
  /** when the bottleneck finishes sending what it holds */
  #busyUntilMs = 0;
  /** finish times of the packets in the bottleneck queue, oldest first */
  readonly #inQueue: number[] = [];
  #lastDeliverMs = 0;
  /** Gilbert–Elliott state: true while in a loss burst */
  #inBurst = false;
  #link: LinkSpec;
  #jitterMs = 0;
  #jitterAtMs = -Infinity;
  #linkUntilMs: number;

  constructor(
    private readonly profile: NetworkProfile,
    private readonly direction: 'up' | 'down',
    private readonly rng: Rng,
  ) {
    this.#link = linkAt(profile, direction, 0);
    this.#linkUntilMs = nextStepMs(profile, 0);
  }

  /** The settings now (a schedule step reached changes them). */
  link(nowMs: number): LinkSpec {
    if (nowMs >= this.#linkUntilMs) {
      this.#link = linkAt(this.profile, this.direction, nowMs);
      this.#linkUntilMs = nextStepMs(this.profile, nowMs);
    }
    return this.#link;
  }

  admit(sizeBytes: number, nowMs: number): Admission {
    const link = this.link(nowMs);
    this.counts.packets++;
    this.counts.bytes += sizeBytes;
    if (this.#lose(link)) {
      this.counts.lost++;
      return { dropped: 'loss' };
    }
    let sentMs = nowMs;
    if (link.rateKbps && link.rateKbps > 0) {
      while (this.#inQueue.length && this.#inQueue[0]! <= nowMs) this.#inQueue.shift();
      if (this.#inQueue.length >= (link.queuePackets ?? defaultQueuePackets)) {
        this.counts.queueDropped++;
        return { dropped: 'queue' };
      }
      // bits / (kbit/s) = ms
      sentMs = Math.max(nowMs, this.#busyUntilMs) + (sizeBytes * 8) / link.rateKbps;
      this.#busyUntilMs = sentMs;
      this.#inQueue.push(sentMs);
    }
    const jitter = link.jitterMs ? this.#jitter(link.jitterMs, nowMs) : 0;
    const deliverAtMs = Math.max(sentMs + Math.max(0, (link.delayMs ?? 0) + jitter), this.#lastDeliverMs);
    this.#lastDeliverMs = deliverAtMs;
    return { deliverAtMs };
  }

  /**
   * The delay's deviation: an Ornstein–Uhlenbeck process (normal, σ = jitterMs, correlated over
   * jitterTimeMs), sampled exactly at each packet. Independent draws per packet would, with order
   * kept, make every packet wait for the slowest before it and add several σ to the mean delay;
   * a delay that wanders, as a queue's does, keeps the mean at delayMs.
   */
  #jitter(sigmaMs: number, nowMs: number): number {
    const keep = Math.exp(-Math.max(0, nowMs - this.#jitterAtMs) / jitterTimeMs);
    this.#jitterAtMs = nowMs;
    this.#jitterMs = this.#jitterMs * keep + Math.sqrt(1 - keep * keep) * this.rng.gaussian(0, sigmaMs);
    return this.#jitterMs;
  }

  /**
   * Bernoulli at lossPercent, or Gilbert–Elliott when burstLoss > 1: a bad state that loses every
   * packet, left with p = 1/burstLoss (mean burst = burstLoss packets), entered with
   * p = loss/(1−loss)/burstLoss, so the long-run loss is lossPercent.
   */
  #lose(link: LinkSpec): boolean {
    const loss = Math.min(1, Math.max(0, (link.lossPercent ?? 0) / 100));
    if (loss === 0) return (this.#inBurst = false);
    const burst = link.burstLoss ?? 1;
    if (burst <= 1 || loss >= 1) return this.rng.next() < loss;
    if (this.#inBurst) this.#inBurst = this.rng.next() >= 1 / burst;
    else this.#inBurst = this.rng.next() < loss / (1 - loss) / burst;
    return this.#inBurst;
  }
}

function nextStepMs(profile: NetworkProfile, nowMs: number): number {
  return sortedSteps(profile).find((s) => s.atMs > nowMs)?.atMs ?? Infinity;
}
