// One client tab's WebSocket on the server: what it joined and opened, sending with a bound on
// what a slow client may buffer, and its chat rate limit.
import type { WebSocket } from 'ws';
import type { ResolvedOptions } from './options.ts';
import type { ServerFrame } from './protocol.ts';
import type { ServerMetrics } from './server-metrics.ts';
import type { Subscriber, TextChannel, Waddle } from './state.ts';

/** A client that buffers more than this is too slow to keep up: it is dropped, not the server. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export class Connection implements Subscriber {
  readonly waddles = new Set<Waddle>();
  readonly channels = new Set<TextChannel>();
  private tokens: number;
  private refillAtMs = performance.now();

  constructor(
    readonly peerId: string,
    readonly username: string,
    readonly socket: WebSocket,
    private readonly options: Pick<ResolvedOptions, 'chatRatePerSec' | 'chatBurst'>,
    private readonly metrics: ServerMetrics,
  ) {
    this.tokens = options.chatBurst;
  }

  sendRaw(data: string): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.socket.terminate();
      return;
    }
    this.socket.send(data);
    this.metrics.wsMessagesSent += 1;
  }

  send(frame: ServerFrame): void {
    this.sendRaw(JSON.stringify(frame));
  }

  /** Token bucket: chatRatePerSec refill, chatBurst capacity. */
  takeChatToken(): boolean {
    const nowMs = performance.now();
    const { chatRatePerSec, chatBurst } = this.options;
    this.tokens = Math.min(chatBurst, this.tokens + ((nowMs - this.refillAtMs) / 1000) * chatRatePerSec);
    this.refillAtMs = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
