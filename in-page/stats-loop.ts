// Takes getStats() snapshots of the tracked connections and reports them to Node in batches.
//
// Snapshots of one connection are folded in the order they were asked for (a chain per
// connection), so a final snapshot asked for just before close() can never be folded before an
// older periodic one. The request itself is made at once: close() must ask before the real close.
// A final snapshot (connection closing, page leaving, a flush from Node) also counts the streams
// that never carried media; a flush waits for a periodic round in flight instead of skipping.
import type { ProbeBatch, ProbeEvent, StreamSample } from './probe-protocol.ts';
import { endedIdleStreams, sampleStreams, type IdleStream, type SampleContext, type Stat, type StatsMap } from './stats-sampler.ts';

export interface Tracked {
  readonly id: string;
  readonly ref: WeakRef<RTCPeerConnection>;
  prev?: StatsMap;
  lastRemoteDescriptionAtMs?: number;
  /** mids marked a=content:slides in the SDP the app last gave setRemoteDescription (Chromium drops the mark from pc.remoteDescription) */
  remoteSlidesMids: Set<string>;
  closed: boolean;
  /** snapshots asked for and not yet folded, in order */
  chain: Promise<void>;
  /** stats ids of idle streams already counted (a flush, then close, must not count them twice) */
  readonly idleCounted: Set<string>;
}

export interface StatsLoopDeps {
  readonly tracked: Set<Tracked>;
  /** the native getStats, so an app that wraps pc.getStats is not called by the probe */
  readonly getStats: (pc: RTCPeerConnection) => Promise<RTCStatsReport>;
  /** read at request time (before a close): screen tracks and SDP marks */
  readonly contextOf: (t: Tracked, pc: RTCPeerConnection) => SampleContext;
  readonly pushEvent: (e: ProbeEvent) => void;
  /** hands over (and clears) the events gathered since the last batch */
  readonly takeEvents: () => ProbeEvent[];
  readonly send: (batch: ProbeBatch) => Promise<unknown>;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class StatsLoop {
  readonly #deps: StatsLoopDeps;
  #pending: StreamSample[] = [];
  #rounds: Promise<void> = Promise.resolve();
  #roundsInFlight = 0;
  /** batches handed to Node and not yet acknowledged: a round (a flush) waits for them too */
  readonly #sending = new Set<Promise<unknown>>();

  constructor(deps: StatsLoopDeps) {
    this.#deps = deps;
  }

  /** Asks for a snapshot of t now; resolves once it (and every older one of t) is folded. */
  snapshot(t: Tracked, final: boolean): Promise<void> {
    const pc = t.ref.deref();
    if (!pc || t.closed) return t.chain; // a closed connection had its final snapshot asked by close()
    let ctx: SampleContext;
    let request: Promise<RTCStatsReport>;
    try {
      ctx = this.#deps.contextOf(t, pc);
      request = this.#deps.getStats(pc);
      request.catch(() => {}); // folded (or reported) in order below, not unhandled meanwhile
    } catch (err) {
      this.#deps.pushEvent({ type: 'probe_error', message: `getStats ${t.id}: ${message(err)}` });
      return t.chain;
    }
    t.chain = t.chain.then(
      () => request.then((report) => this.#fold(t, report, ctx, final)),
      () => {},
    ).catch((err: unknown) => {
      // a periodic request overtaken by close() may be refused: the final snapshot has its counters
      if (!t.closed) this.#deps.pushEvent({ type: 'probe_error', message: `getStats ${t.id}: ${message(err)}` });
    });
    return t.chain;
  }

  /** The last snapshot of a connection about to close: call before the real close(). */
  closing(t: Tracked): void {
    const folded = this.snapshot(t, true);
    t.closed = true;
    void folded.then(() => this.#send()).catch(() => {});
  }

  /**
   * The page is going (pagehide): getStats cannot answer before the document is gone, but the
   * binding call is made synchronously here, so what is already folded gets out, with the idle
   * streams of each connection's last snapshot. A final round is still tried (a page kept in
   * the back/forward cache lives on).
   */
  pageHiding(): void {
    for (const t of this.#deps.tracked) {
      const pc = t.ref.deref();
      if (!pc || !t.prev) continue;
      this.#countIdle(t, endedIdleStreams(undefined, t.prev, this.#deps.contextOf(t, pc), true));
    }
    void this.#send();
    void this.round(true);
  }

  /**
   * One round over every connection, then one batch. Periodic rounds (final false) are skipped
   * while one is in flight (a slow getStats must not pile up); final rounds queue behind it.
   */
  round(final: boolean): Promise<void> {
    if (!final && this.#roundsInFlight > 0) return this.#rounds;
    this.#roundsInFlight++;
    this.#rounds = this.#rounds
      .then(() => this.#roundOnce(final))
      .catch(() => {})
      .finally(() => void this.#roundsInFlight--);
    return this.#rounds;
  }

  /** open connections: tracked and not closed */
  get openConnections(): number {
    let n = 0;
    for (const t of this.#deps.tracked) if (!t.closed && t.ref.deref()) n++;
    return n;
  }

  async #roundOnce(final: boolean): Promise<void> {
    for (const t of [...this.#deps.tracked]) {
      await this.snapshot(t, final);
      if (t.closed || !t.ref.deref()) this.#deps.tracked.delete(t);
    }
    await this.#send();
    await Promise.all([...this.#sending]);
  }

  #fold(t: Tracked, report: RTCStatsReport, ctx: SampleContext, final: boolean): void {
    const cur = new Map<string, Stat>();
    report.forEach((s: Stat) => cur.set(s.id, s));
    this.#pending.push(...sampleStreams(t.prev, cur, ctx));
    this.#countIdle(t, endedIdleStreams(t.prev, cur, ctx, final));
    t.prev = cur;
  }

  #countIdle(t: Tracked, ended: readonly IdleStream[]): void {
    for (const idle of ended) {
      if (t.idleCounted.has(idle.id)) continue;
      t.idleCounted.add(idle.id);
      this.#deps.pushEvent({ type: 'idle_stream', connectionId: t.id, kind: idle.kind, direction: idle.direction });
    }
  }

  async #send(): Promise<void> {
    const streams = this.#pending;
    this.#pending = [];
    const events = this.#deps.takeEvents();
    if (!streams.length && !events.length) return;
    const batch: ProbeBatch = { v: 1, atMs: Date.now(), openConnections: this.openConnections, streams, events };
    const sent = this.#deps.send(batch).catch(() => {});
    this.#sending.add(sent);
    await sent.finally(() => this.#sending.delete(sent));
  }
}
