// When a browser dies, relaunch it after a backoff that doubles with each death in the last minute;
// more deaths than maxPerMinute is a relaunch storm: the generator is failing (the verdict says
// so, as a generator fault, not a target fault) and nothing is relaunched any more.

export type RelaunchDecision = { readonly relaunch: true; readonly backoffMs: number } | { readonly relaunch: false };

export class RelaunchPolicy {
  #deaths: number[] = [];
  #failing = false;

  constructor(
    readonly maxPerMinute: number,
    readonly backoffMs: number,
  ) {}

  get isFailing(): boolean {
    return this.#failing;
  }

  onDeath(nowMs = Date.now()): RelaunchDecision {
    this.#deaths = this.#deaths.filter((t) => nowMs - t < 60_000);
    if (this.#deaths.length >= this.maxPerMinute) {
      this.#failing = true;
      return { relaunch: false };
    }
    this.#deaths.push(nowMs);
    return { relaunch: true, backoffMs: this.backoffMs * 2 ** (this.#deaths.length - 1) };
  }
}
