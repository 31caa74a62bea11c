// A small client for the Janus API over its WebSocket transport (subprotocol janus-protocol, or
// janus-admin-protocol for the admin API): transactions matched to answers, one session kept
// alive, and events routed to the handle they are for. The Waddle server is Janus's only
// client; pages never reach Janus's port (they speak Waddle frames, see sfu-calls.ts).
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';

export type JanusMessage = Record<string, unknown> & { janus: string; transaction?: string; sender?: number };
export type HandleEvent = (message: JanusMessage) => void;

interface Waiter {
  resolve: (m: JanusMessage) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  /** plugin messages are acked first; the answer is the event with the same transaction */
  waitEvent: boolean;
}

export class JanusConnection {
  private readonly waiters = new Map<string, Waiter>();
  private readonly handles = new Map<number, HandleEvent>();
  private closed = false;

  private constructor(
    private readonly socket: WebSocket,
    private readonly what: string,
  ) {
    socket.on('message', (data) => this.receive(String(data)));
    socket.on('close', () => this.failAll(`${this.what}: the WebSocket to Janus closed`));
    socket.on('error', () => {});
  }

  static open(url: string, protocol: 'janus-protocol' | 'janus-admin-protocol', timeoutMs = 2000): Promise<JanusConnection> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, protocol, { perMessageDeflate: false });
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Error(`no WebSocket to Janus at ${url} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('open', () => {
        clearTimeout(timer);
        resolve(new JanusConnection(socket, `Janus ${protocol === 'janus-protocol' ? 'API' : 'admin API'} at ${url}`));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`WebSocket to Janus at ${url}: ${error.message}`));
      });
    });
  }

  /** Sends a request and resolves with its answer (an error answer rejects, naming Janus's reason). */
  request(body: Record<string, unknown>, options: { waitEvent?: boolean; timeoutMs?: number } = {}): Promise<JanusMessage> {
    if (this.closed) return Promise.reject(new Error(`${this.what} is closed`));
    const transaction = randomUUID();
    const timeoutMs = options.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(transaction);
        reject(new Error(`${this.what}: no answer to ${String(body['janus'])} within ${timeoutMs} ms (Janus overloaded or stopped?)`));
      }, timeoutMs);
      this.waiters.set(transaction, { resolve, reject, timer, waitEvent: options.waitEvent ?? false });
      this.socket.send(JSON.stringify({ ...body, transaction }));
    });
  }

  /** Fire and forget (keepalive, trickle, detach of a handle whose answer nobody waits for). */
  send(body: Record<string, unknown>): void {
    if (!this.closed && this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ ...body, transaction: randomUUID() }));
  }

  onHandle(handleId: number, listener: HandleEvent | undefined): void {
    if (listener) this.handles.set(handleId, listener);
    else this.handles.delete(handleId);
  }

  close(): void {
    this.closed = true;
    this.socket.close();
    this.failAll(`${this.what} closed`);
  }

  private receive(text: string): void {
    let message: JanusMessage;
    try {
      message = JSON.parse(text) as JanusMessage;
    } catch {
      return;
    }
    const waiter = message.transaction !== undefined ? this.waiters.get(message.transaction) : undefined;
    if (waiter && message.transaction !== undefined && !(message.janus === 'ack' && waiter.waitEvent)) {
      this.waiters.delete(message.transaction);
      clearTimeout(waiter.timer);
      const error = janusError(message);
      if (error) waiter.reject(new Error(`${this.what}: ${error}`));
      else waiter.resolve(message);
      return;
    }
    if (typeof message.sender === 'number' && message.transaction === undefined) this.handles.get(message.sender)?.(message);
    else if (typeof message.sender === 'number' && message.janus !== 'ack') this.handles.get(message.sender)?.(message);
  }

  private failAll(reason: string): void {
    this.closed = true;
    for (const [transaction, waiter] of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(reason));
      this.waiters.delete(transaction);
    }
  }
}

/** The reason in a Janus error or a VideoRoom error event, if the message is one. */
function janusError(message: JanusMessage): string | undefined {
  const error = message['error'] as { code?: number; reason?: string } | undefined;
  if (message.janus === 'error' && error) return `error ${error.code ?? '?'}: ${error.reason ?? 'no reason'}`;
  const data = (message['plugindata'] as { data?: Record<string, unknown> } | undefined)?.data;
  if (data && typeof data['error'] === 'string') return `videoroom error ${String(data['error_code'] ?? '?')}: ${data['error']}`;
  return undefined;
}

/** The VideoRoom's answer data in a plugin success or event message. */
export function pluginData(message: JanusMessage): Record<string, unknown> {
  return ((message['plugindata'] as { data?: Record<string, unknown> } | undefined)?.data ?? {});
}

export function jsepOf(message: JanusMessage): { type: string; sdp: string } | undefined {
  return message['jsep'] as { type: string; sdp: string } | undefined;
}
