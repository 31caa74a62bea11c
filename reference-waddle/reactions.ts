// The reactions of one message: reaction name → users who reacted, in arrival order. Names come
// from clients, so they are data: a Map holds them (a plain object would turn `__proto__`,
// `constructor` or `toString` into prototype lookups), and the wire form is a fresh object
// with no prototype whose own keys are exactly the names.
import type { ReactionsByName } from './protocol.ts';

/** Different reaction names a message may carry. */
export const MAX_REACTION_NAMES = 20;

export class MessageReactions {
  private readonly byName = new Map<string, string[]>();

  /** Adds `username` under `name`; false when the message already has MAX_REACTION_NAMES other names. */
  add(name: string, username: string): boolean {
    const users = this.byName.get(name);
    if (!users) {
      if (this.byName.size >= MAX_REACTION_NAMES) return false;
      this.byName.set(name, [username]);
    } else if (!users.includes(username)) {
      users.push(username);
    }
    return true;
  }

  remove(name: string, username: string): void {
    const users = this.byName.get(name);
    if (!users) return;
    const remaining = users.filter((u) => u !== username);
    if (remaining.length > 0) this.byName.set(name, remaining);
    else this.byName.delete(name);
  }

  /** A JSON-ready snapshot: own keys only, no prototype (JSON.stringify writes every name). */
  toWire(): ReactionsByName {
    const wire = Object.create(null) as Record<string, readonly string[]>;
    for (const [name, users] of this.byName) wire[name] = [...users];
    return wire;
  }
}
