// presence.propagation_ms: from user A starting to join a waddle to user B (already in it) seeing
// A online. Both are virtual users of this fleet process, so one clock serves both ends (the page
// clock is performance.timeOrigin + now, the same machine time). Users of other shards are not
// known here and are not measured.
import type { PresenceChange, WaddleClient } from '../clients/waddle-client.ts';
import type { MetricsRecorder, Tags } from '../metrics/types.ts';

interface Join {
  readonly waddleId: string;
  readonly startedAtMs: number;
  /** when the joiner's own app showed the waddle; undefined while joining */
  doneAtMs?: number;
}

/** Who joined which waddle when, shared by every virtual user of the run. */
export class PresenceBoard {
  private readonly joins = new Map<string, Join>();

  started(username: string, startedAtMs: number): Join {
    const join: Join = { waddleId: '', startedAtMs };
    this.joins.set(username, join);
    return join;
  }

  get(username: string): Join | undefined {
    return this.joins.get(username);
  }

  forget(username: string): void {
    this.joins.delete(username);
  }
}

/**
 * Time this client's joins on the board, and record how long others' joins took to show in its
 * member list. Counts a sighting only when the viewer was in the waddle before the other user
 * started to join (otherwise the initial member list would count as "propagation").
 */
export function measurePresence(client: WaddleClient, board: PresenceBoard, recorder: MetricsRecorder, tags: Tags, now = Date.now): () => void {
  const join = client.joinWaddle.bind(client);
  client.joinWaddle = async (waddleId?: string) => {
    const entry = board.started(client.username, now());
    const info = await join(waddleId);
    Object.assign(entry, { waddleId: info.id, doneAtMs: now() });
    return info;
  };
  const counted = new Set<string>();
  const unsubscribe = client.onPresence((change: PresenceChange) => {
    if (!change.online) return;
    const me = board.get(client.username);
    const them = board.get(change.username);
    if (me?.doneAtMs === undefined || them === undefined) return;
    if (them.startedAtMs < me.doneAtMs) return; // in the list I got on joining: not propagation
    const stillJoining = them.waddleId === '';
    if (!stillJoining && them.waddleId !== me.waddleId) return;
    const key = `${change.username}@${them.startedAtMs}`;
    if (counted.has(key)) return;
    counted.add(key);
    recorder.record('presence.propagation_ms', Math.max(0, change.seenAtMs - them.startedAtMs), tags);
  });
  return () => {
    unsubscribe();
    board.forget(client.username);
  };
}
