// The kept history of one text channel: the latest `limit` messages, oldest evicted first, read
// in pages — the latest page when a channel is opened, then the page before a given message as a
// client scrolls up. A volume test keeps 100,000 messages in a channel, so every operation is
// O(page) or O(1), never O(history): an array used as a queue (evicting advances a head index and
// compacts now and then) plus an id index; a message's position follows from its sequence number.
import type { ChatMessage, ReactionsByName } from './protocol.ts';
import type { MessageReactions } from './reactions.ts';

/** A message as kept: its wire form (rebuilt when its reactions change) and, once someone
 * reacted, its reactions (most messages never get one, so none is allocated for them). */
export interface StoredMessage {
  wire: ChatMessage;
  reactions?: MessageReactions;
  /** position in its channel: consecutive from 0 in the order added */
  readonly seq: number;
}

export interface HistoryPage {
  /** oldest first */
  readonly messages: ChatMessage[];
  /** older messages are kept before the first one */
  readonly hasMore: boolean;
  /** messages kept in the channel */
  readonly total: number;
}

/** The wire form of "no reactions": one shared, frozen, prototype-less object. */
export const NO_REACTIONS: ReactionsByName = Object.freeze(Object.create(null) as Record<string, readonly string[]>);

/** Compact the queue once this many evicted slots lead it (and they are at least half of it). */
const COMPACT_AFTER = 4096;

export class ChannelHistory {
  private queue: (StoredMessage | undefined)[] = [];
  private head = 0;
  private nextSeq = 0;
  private readonly byId = new Map<string, StoredMessage>();

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.queue.length - this.head;
  }

  add(message: ChatMessage): StoredMessage {
    const stored: StoredMessage = { wire: { ...message, reactions: NO_REACTIONS }, seq: this.nextSeq++ };
    this.queue.push(stored);
    this.byId.set(message.id, stored);
    if (this.size > this.limit) this.evictOldest();
    return stored;
  }

  get(messageId: string): StoredMessage | undefined {
    return this.byId.get(messageId);
  }

  /** The latest `limit` messages. */
  latest(limit: number): HistoryPage {
    return this.page(this.queue.length, limit);
  }

  /** The `limit` messages just before `messageId`, or undefined when it is not kept (evicted or unknown). */
  before(messageId: string, limit: number): HistoryPage | undefined {
    const stored = this.byId.get(messageId);
    if (!stored) return undefined;
    return this.page(this.indexOf(stored), limit);
  }

  private page(endIndex: number, limit: number): HistoryPage {
    const start = Math.max(this.head, endIndex - limit);
    const messages: ChatMessage[] = [];
    for (let i = start; i < endIndex; i++) messages.push(this.queue[i]!.wire);
    return { messages, hasMore: start > this.head, total: this.size };
  }

  private indexOf(stored: StoredMessage): number {
    const oldest = this.queue[this.head]!;
    return this.head + (stored.seq - oldest.seq);
  }

  private evictOldest(): void {
    const oldest = this.queue[this.head];
    this.queue[this.head] = undefined;
    this.head += 1;
    if (oldest) this.byId.delete(oldest.wire.id);
    if (this.head >= COMPACT_AFTER && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
