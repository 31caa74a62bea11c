// The online members of the open waddle. A big waddle has thousands online: the list shows the
// latest MEMBERS_SHOWN arrivals (a bounded DOM) and the count says how many there are.
import type { PresenceChange } from '../protocol.ts';
import { h } from './dom.ts';

/** members listed at most: the latest arrivals (a 10,000-member list would be a DOM per user) */
const MEMBERS_SHOWN = 200;

export class MemberList {
  readonly count = h('p', { 'data-testid': 'member-count', 'aria-live': 'polite' });
  readonly list = h('ul', { 'data-testid': 'member-list', 'aria-label': 'Online members' });
  /** in arrival order, the latest last; at most MEMBERS_SHOWN */
  private readonly online = new Set<string>();
  private onlineCount = 0;

  /** The snapshot of waddle.joined, which lists the latest arrivals first. */
  reset(latestFirst: readonly string[], onlineCount: number): void {
    this.online.clear();
    for (const name of [...latestFirst].reverse()) this.online.add(name);
    this.onlineCount = onlineCount;
    this.render();
  }

  /** A presence frame: changes in the order they happened. */
  apply(changes: readonly PresenceChange[], onlineCount: number): void {
    for (const change of changes) {
      this.online.delete(change.username); // re-add at the end: the list shows the latest first
      if (change.online) this.online.add(change.username);
    }
    this.onlineCount = onlineCount;
    this.render();
  }

  /** The waddle was left: no names (the count stays as last known). */
  clear(): void {
    this.online.clear();
    this.render();
  }

  private render(): void {
    const names = [...this.online];
    while (names.length > MEMBERS_SHOWN) this.online.delete(names.shift()!);
    this.count.textContent = `${this.onlineCount} online`;
    this.list.replaceChildren(...names.reverse().map((name) => h('li', { 'data-testid': 'member', 'data-username': name, 'data-online': 'true', text: name })));
  }
}
