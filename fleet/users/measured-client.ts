// What the fleet wraps around any driver's client, through the WaddleClient interface only:
// presence.propagation_ms (from a user starting to join a waddle to another user, already in it,
// seeing it online). Both ends are users of this fleet process, so one clock serves both (page
// clocks are performance.timeOrigin + now: the same machine time). Users of other shards are not
// paired. Only the first `viewers` users of the run watch presence: every watcher handles every
// presence frame, so at 10,000 users watching from all of them would cost the generator N².
import type { PresenceChange, WaddleClient, WaddleInfo } from '../../clients/waddle-client.ts';
import type { MetricsRecorder, Tags } from '../../metrics/types.ts';

interface Join {
  waddleId: string;
  readonly startedAtMs: number;
  /** when the joiner's own app showed the waddle; undefined while joining */
  doneAtMs?: number;
}

/** Who joined which waddle when, shared by every virtual user of the run. */
export class PresenceBoard {
  readonly #joins = new Map<string, Join>();
  #viewers = 0;

  constructor(readonly maxViewers = 50) {}

  started(username: string, startedAtMs: number): Join {
    const join: Join = { waddleId: '', startedAtMs };
    this.#joins.set(username, join);
    return join;
  }

  get(username: string): Join | undefined {
    return this.#joins.get(username);
  }

  forget(username: string): void {
    this.#joins.delete(username);
  }

  /** May one more user watch presence? (bounded, see the top of the file) */
  takeViewerSeat(): boolean {
    if (this.#viewers >= this.maxViewers) return false;
    this.#viewers++;
    return true;
  }

  releaseViewerSeat(): void {
    this.#viewers = Math.max(0, this.#viewers - 1);
  }
}

/** Time this client's joins on the board and, if it holds a viewer seat, record others' joins it sees. */
export function measurePresence(client: WaddleClient, board: PresenceBoard, recorder: MetricsRecorder, tags: Tags, now = Date.now): { client: WaddleClient; stop: () => void } {
  // the joins this viewer measured, by the board's own entry (a rejoin is a new entry): no key
  // string built per presence frame (a viewer sees every join of its process: 50 × 2,000 keys of
  // "vu-0130@1765152852123" were 10 MB of a 2,000-user fleet's 74 MB heap)
  const counted = new Set<Join>();
  const watching = board.takeViewerSeat();
  // methods of a literal, not named arrows or functions: this runs once per user, and under tsx
  // (esbuild keepNames) each named function also gets its own property storage (~250 bytes)
  const own = {
    sawPresence(change: PresenceChange): void {
      if (!change.online) return;
      const me = board.get(client.username);
      const them = board.get(change.username);
      if (me?.doneAtMs === undefined || them === undefined) return;
      if (them.startedAtMs < me.doneAtMs) return; // in the list I got on joining: not propagation
      const stillJoining = them.waddleId === '';
      if (!stillJoining && them.waddleId !== me.waddleId) return;
      if (counted.has(them)) return;
      counted.add(them);
      recorder.record('presence.propagation_ms', Math.max(0, change.seenAtMs - them.startedAtMs), tags);
    },
    async joinWaddle(waddleId?: string): Promise<WaddleInfo> {
      const entry = board.started(client.username, now());
      const info = await client.joinWaddle(waddleId);
      entry.waddleId = info.id;
      entry.doneAtMs = now();
      return info;
    },
  };
  const unsubscribe = watching ? client.onPresence((change) => own.sawPresence(change)) : () => {};
  // everything else goes to the driver's own client, bound to it (its private fields stay reachable);
  // each method bound once, not at every call (a journey calls sendMessage thousands of times)
  const bound = new Map<PropertyKey, { readonly of: unknown; readonly fn: unknown }>();
  const measured = new Proxy(client, {
    get(target, property) {
      if (property === 'joinWaddle') return own.joinWaddle;
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const known = bound.get(property);
      if (known?.of === value) return known.fn;
      const fn = (value as (...args: unknown[]) => unknown).bind(target);
      bound.set(property, { of: value, fn });
      return fn;
    },
  });
  return {
    client: measured,
    stop() {
      unsubscribe();
      if (watching) board.releaseViewerSeat();
      board.forget(client.username);
    },
  };
}
