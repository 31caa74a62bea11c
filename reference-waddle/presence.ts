// Presence: a user comes online in a waddle when their first tab joins it and goes offline when
// their last tab leaves. Changes are coalesced per waddle and pushed at most every
// PRESENCE_FLUSH_MS, so a join storm of N users costs each member a few frames, not N.
import { PRESENCE_FLUSH_MS, type ServerFrame } from './protocol.ts';
import type { Waddle } from './state.ts';

export class PresenceBroadcaster {
  private readonly pending = new Map<Waddle, Map<string, boolean>>();
  private timer: NodeJS.Timeout | undefined;

  /** Queue a presence change; flush sends each waddle's changes as one frame. */
  push(waddle: Waddle, username: string, online: boolean): void {
    let changes = this.pending.get(waddle);
    if (!changes) this.pending.set(waddle, (changes = new Map()));
    changes.delete(username); // the latest change wins, in the order of the latest
    changes.set(username, online);
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), PRESENCE_FLUSH_MS);
      this.timer.unref();
    }
  }

  private flush(): void {
    this.timer = undefined;
    const pending = [...this.pending];
    this.pending.clear();
    for (const [waddle, changes] of pending) {
      const data = JSON.stringify({ type: 'presence', waddleId: waddle.id, changes: [...changes].map(([username, online]) => ({ username, online })), onlineCount: waddle.online.size } satisfies ServerFrame);
      for (const conns of waddle.online.values()) for (const c of conns) c.sendRaw(data);
    }
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }
}
