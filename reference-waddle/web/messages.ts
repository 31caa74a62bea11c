// The message list of the open channel. The DOM is bounded (the last MAX_RENDERED messages while
// the user reads the latest ones): rendering, not sockets, is what saturates a load-test machine
// full of browsers. Older history is prepended page by page as the user scrolls up
// (history-pager.ts); those pages stay while the user reads them, up to MAX_RENDERED_BROWSING.
import type { Attachment, ChatMessage, ReactionsByName } from '../protocol.ts';
import { h, pageNowMs } from './dom.ts';

const MAX_RENDERED = 300;
/** Scrolled up into older pages the list keeps what the user loaded, up to this many messages. */
const MAX_RENDERED_BROWSING = 5_000;
/** Within this many px of the bottom the view follows new messages (and old ones are trimmed). */
const STICK_PX = 40;
export const REACTION_CHOICES = ['👍', '🎉', '❤️', '😂', '👀'] as const;

export interface MessageActions {
  toggleReaction(messageId: string, emoji: string): void;
}

export class MessageList {
  readonly el = h('ol', { 'data-testid': 'message-list', 'aria-label': 'Messages', 'aria-live': 'polite' });
  private readonly byId = new Map<string, HTMLLIElement>();
  private readonly byNonce = new Map<string, HTMLLIElement>();

  constructor(
    private readonly me: string,
    private readonly actions: MessageActions,
  ) {
    // one delegated handler instead of one per button
    this.el.addEventListener('click', (event) => {
      const button = (event.target as Element).closest<HTMLButtonElement>('button[data-emoji]');
      const item = button?.closest<HTMLLIElement>('li[data-testid="message"]');
      const id = item?.dataset.id;
      if (button && id) this.actions.toggleReaction(id, button.dataset.emoji ?? '');
    });
  }

  /** Called when live messages trimmed the oldest rendered ones (they are on the server again). */
  onTrimmedOldest: () => void = () => {};

  clear(): void {
    this.el.replaceChildren();
    this.byId.clear();
    this.byNonce.clear();
  }

  /** A message from the server: others' messages, or attachments. */
  render(message: ChatMessage, options: { history: boolean }): void {
    const li = this.item(message, options.history);
    if (li) this.append(li);
  }

  /** A channel's latest page of history replaces what is shown, scrolled to the bottom. */
  showLatest(messages: readonly ChatMessage[]): void {
    this.clear();
    const items = messages.map((m) => this.item(m, true)).filter((li): li is HTMLLIElement => li !== undefined);
    const renderedAt = String(pageNowMs());
    for (const li of items) li.dataset.renderedAt = renderedAt;
    this.el.append(...items);
    this.el.scrollTop = this.el.scrollHeight;
  }

  /** An older page, above what is shown, keeping the messages the user looks at where they are. */
  prependOlder(messages: readonly ChatMessage[]): number {
    const items = messages.map((m) => this.item(m, true)).filter((li): li is HTMLLIElement => li !== undefined);
    const renderedAt = String(pageNowMs());
    for (const li of items) li.dataset.renderedAt = renderedAt;
    const fromBottom = this.el.scrollHeight - this.el.scrollTop;
    this.el.prepend(...items);
    this.el.scrollTop = this.el.scrollHeight - fromBottom;
    return items.length;
  }

  /** The id of the oldest message shown: where the next older page ends. */
  oldestId(): string | undefined {
    for (let li = this.el.firstElementChild as HTMLLIElement | null; li; li = li.nextElementSibling as HTMLLIElement | null) {
      if (li.dataset.id) return li.dataset.id;
    }
    return undefined;
  }

  /** A server message as a list item, or undefined when it is shown already. */
  private item(message: ChatMessage, history: boolean): HTMLLIElement | undefined {
    if (this.byId.has(message.id)) return undefined;
    const existing = message.nonce !== undefined ? this.byNonce.get(message.nonce) : undefined;
    if (existing && existing.dataset.own === 'true') {
      // our own message seen from another path (e.g. history after reconnect): just ack it
      this.ack(message.nonce ?? '', message.id, message.serverTs);
      return undefined;
    }
    const li = this.build(message.author, message.text, message.nonce, message.sentAtMs, message.channelId);
    li.dataset.id = message.id;
    li.dataset.state = 'acked';
    li.dataset.serverTs = String(message.serverTs);
    if (history) li.dataset.history = 'true';
    if (message.attachment) li.append(attachmentLink(message.attachment));
    this.renderReactions(li, message.reactions);
    this.byId.set(message.id, li);
    return li;
  }

  /** Our own message, shown at once and marked pending until the server acks it. */
  addPending(text: string, nonce: string, sentAtMs: number, channelId: string): void {
    const li = this.build(this.me, text, nonce, sentAtMs, channelId);
    li.dataset.state = 'pending';
    li.dataset.own = 'true';
    this.append(li);
  }

  ack(nonce: string, id: string, serverTs: number): void {
    const li = this.byNonce.get(nonce);
    if (!li || li.dataset.state === 'acked') return;
    li.dataset.ackedAt = String(pageNowMs());
    li.dataset.serverTs = String(serverTs);
    li.dataset.id = id;
    this.byId.set(id, li);
    li.dataset.state = 'acked'; // set last: observers treat this as "acked with an id"
    this.renderReactions(li, {});
  }

  fail(nonce: string, reason: string): void {
    const li = this.byNonce.get(nonce);
    if (!li) return;
    li.dataset.state = 'failed';
    li.dataset.error = reason;
  }

  updateReactions(messageId: string, reactions: ReactionsByName): void {
    const li = this.byId.get(messageId);
    if (li) this.renderReactions(li, reactions);
  }

  private build(author: string, text: string, nonce: string | undefined, sentAtMs: number | undefined, channelId: string): HTMLLIElement {
    const li = h('li', { 'data-testid': 'message', 'data-author': author, 'data-channel-id': channelId }, h('span', { class: 'author', text: author }), h('span', { 'data-testid': 'message-text', text }));
    if (nonce !== undefined) {
      li.dataset.nonce = nonce;
      this.byNonce.set(nonce, li);
    }
    if (sentAtMs !== undefined) li.dataset.sentAt = String(sentAtMs);
    return li;
  }

  private append(li: HTMLLIElement): void {
    li.dataset.renderedAt = String(pageNowMs());
    const stick = this.el.scrollTop + this.el.clientHeight >= this.el.scrollHeight - STICK_PX;
    this.el.append(li);
    // trim the oldest only while the user reads the latest: not the older pages they scrolled to
    const keep = stick ? MAX_RENDERED : MAX_RENDERED_BROWSING;
    let trimmed = false;
    while (this.el.childElementCount > keep) {
      const oldest = this.el.firstElementChild as HTMLLIElement | null;
      if (!oldest) break;
      oldest.remove();
      trimmed = true;
      if (oldest.dataset.id) this.byId.delete(oldest.dataset.id);
      if (oldest.dataset.nonce) this.byNonce.delete(oldest.dataset.nonce);
    }
    if (li.dataset.id) this.byId.set(li.dataset.id, li);
    if (stick) this.el.scrollTop = this.el.scrollHeight;
    if (trimmed) this.onTrimmedOldest();
  }

  private renderReactions(li: HTMLLIElement, reactions: ReactionsByName): void {
    li.querySelector('.reactions')?.remove();
    if (!li.dataset.id) return;
    const box = h('span', { class: 'reactions', 'data-testid': 'reactions' });
    // names are data (`__proto__` is a fine name): own entries into a Map, no property lookups
    const byName = new Map(Object.entries(reactions));
    for (const [emoji, users] of byName) {
      box.append(h('button', { type: 'button', 'data-testid': 'reaction', 'data-emoji': emoji, 'data-count': users.length, 'aria-pressed': String(users.includes(this.me)), 'aria-label': `${emoji} ${users.length}`, text: `${emoji} ${users.length}` }));
    }
    for (const emoji of REACTION_CHOICES) {
      if (byName.has(emoji)) continue;
      box.append(h('button', { type: 'button', 'data-emoji': emoji, 'aria-label': `React ${emoji}`, text: emoji }));
    }
    li.append(box);
  }
}

function attachmentLink(attachment: Attachment): HTMLAnchorElement {
  return h('a', {
    'data-testid': 'attachment',
    'data-attachment-id': attachment.id,
    'data-sha256': attachment.sha256,
    'data-bytes': attachment.bytes,
    href: `/api/attachments/${encodeURIComponent(attachment.id)}`,
    download: attachment.name,
    text: ` 📎 ${attachment.name} (${Math.round(attachment.bytes / 1024)} KiB)`,
  });
}
