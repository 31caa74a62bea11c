// What the page's observer (page-scripts.ts) tells the driver: messages rendered or acked, sends the
// server refused, presence changes. Handed to journeys' handlers (onMessage, onPresence), and own
// acks kept briefly by nonce so sendMessage can pick up the ack of its own message.
import type { PresenceChange, ReceivedMessage } from '../waddle-client.ts';
import type { ObserverEvent } from './page-scripts.ts';
import { safely } from './util.ts';

export type OwnEvent = Extract<ObserverEvent, { kind: 'message' | 'failed' }>;

/** Own acks kept for sends still waiting: only recent sends are waited for. */
const KEPT_OWN_EVENTS = 256;

/** The key waitForOwn finds an own message by when its send set this token (DRIVER_SEND_TOKEN_GLOBAL). */
export const tokenKey = (token: string): string => `token:${token}`;

export class ObservedEvents {
  readonly #messageHandlers = new Set<(message: ReceivedMessage) => void>();
  readonly #presenceHandlers = new Set<(change: PresenceChange) => void>();
  /** own acked/failed messages by nonce */
  readonly #ownByNonce = new Map<string, OwnEvent>();
  readonly #nonceWaiters = new Map<string, () => void>();
  #closed = false;

  onMessage(handler: (message: ReceivedMessage) => void): () => void {
    this.#messageHandlers.add(handler);
    return () => this.#messageHandlers.delete(handler);
  }

  onPresence(handler: (change: PresenceChange) => void): () => void {
    this.#presenceHandlers.add(handler);
    return () => this.#presenceHandlers.delete(handler);
  }

  /** One event from the page's binding. */
  handle(event: ObserverEvent): void {
    if (this.#closed) return;
    if (event.kind === 'presence') {
      for (const h of this.#presenceHandlers) safely(() => h({ username: event.username, online: event.online, seenAtMs: event.atMs }));
      return;
    }
    if (event.kind === 'failed' || event.own) {
      this.#ownByNonce.set(event.nonce ?? '', event);
      if (this.#ownByNonce.size > KEPT_OWN_EVENTS) this.#ownByNonce.delete(this.#ownByNonce.keys().next().value ?? '');
      this.#nonceWaiters.get(event.nonce ?? '')?.();
      if (event.token) {
        this.#ownByNonce.set(tokenKey(event.token), event);
        this.#nonceWaiters.get(tokenKey(event.token))?.();
      }
    }
    if (event.kind === 'message') {
      const message: ReceivedMessage = {
        id: event.id,
        channelId: event.channelId,
        author: event.author,
        text: event.text,
        receivedAtMs: event.atMs,
        ...(event.nonce !== undefined ? { nonce: event.nonce } : {}),
        ...(event.sentAtMs !== undefined ? { sentAtMs: event.sentAtMs } : {}),
      };
      for (const h of this.#messageHandlers) safely(() => h(message));
    }
  }

  /** The ack (or refusal) of our own message with this nonce (or tokenKey(token)), within timeoutMs; fail makes the errors. */
  async waitForOwn(nonce: string, timeoutMs: number, fail: (why: string) => Error): Promise<OwnEvent> {
    const found = this.#ownByNonce.get(nonce);
    if (found) return found;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#nonceWaiters.delete(nonce);
        reject(fail(`timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.#nonceWaiters.set(nonce, () => {
        clearTimeout(timer);
        this.#nonceWaiters.delete(nonce);
        resolve();
      });
    });
    const event = this.#ownByNonce.get(nonce);
    if (!event) throw fail('client closed');
    return event;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** No more handlers; sends still waiting wake and fail. */
  close(): void {
    this.#closed = true;
    this.#messageHandlers.clear();
    this.#presenceHandlers.clear();
    for (const wake of this.#nonceWaiters.values()) wake();
    this.#nonceWaiters.clear();
  }
}
