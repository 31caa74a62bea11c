// Packets waiting for their send time. A link keeps packets in order, so send times only grow:
// a FIFO with one timer for its head is enough (no heap, one timer per direction per user).
export class DelayLine {
  /** how late the queued sends ran against their time (the generator's own delay, not the profile's) */
  readonly lateness = { sends: 0, sumMs: 0, maxMs: 0 };
  readonly #queue: { atMs: number; send: () => void }[] = [];
  #head = 0;
  #timer: NodeJS.Timeout | undefined;

  /** Run `send` in `inMs` (now when ≤ 0.5 ms: Node timers have 1 ms granularity), after those queued before it. */
  at(inMs: number, send: () => void): void {
    const atMs = performance.now() + inMs;
    if (this.#head === this.#queue.length && inMs <= 0.5) return send();
    this.#queue.push({ atMs, send });
    if (!this.#timer) this.#arm();
  }

  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queue.length = 0;
    this.#head = 0;
  }

  #arm(): void {
    const next = this.#queue[this.#head];
    if (!next) {
      this.#queue.length = 0;
      this.#head = 0;
      this.#timer = undefined;
      return;
    }
    this.#timer = setTimeout(() => this.#flush(), Math.max(0, next.atMs - performance.now()));
  }

  #flush(): void {
    // send what is due, and what is due within half a millisecond (a timer fires up to ~1 ms late or early)
    const now = performance.now() + 0.5;
    while (this.#head < this.#queue.length && this.#queue[this.#head]!.atMs <= now) {
      const item = this.#queue[this.#head++]!;
      const lateMs = Math.max(0, now - 0.5 - item.atMs);
      this.lateness.sends++;
      this.lateness.sumMs += lateMs;
      this.lateness.maxMs = Math.max(this.lateness.maxMs, lateMs);
      try {
        item.send();
      } catch {}
    }
    if (this.#head > 1024) {
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
    this.#arm();
  }
}
