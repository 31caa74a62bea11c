// The one WebSocket of a protocol user, with request/answer matching by `ref` (the reference
// Waddle echoes a frame's ref in its answer or error frame). Built to be held by the thousand:
// the pending-request map and the watcher list exist only while something is awaited, there is
// no keep-alive or polling timer, and each awaited request owns exactly one timeout.
import WebSocket from 'ws';
import type { MessageLink } from '../../network/message-link.ts';
import { parseFrame } from './frame-memo.ts';
import type { ClientFrame, ServerFrame } from '../../reference-waddle/protocol.ts';

/** A client frame without its ref: the socket adds one. */
export type FrameBody = ClientFrame extends infer F ? (F extends ClientFrame ? Omit<F, 'ref'> : never) : never;

/** Called for every server frame, with Date.now() at its arrival (before parsing). */
export type FrameListener = (frame: ServerFrame, receivedAtMs: number) => void;

interface Waiter {
  resolve(frame: ServerFrame, receivedAtMs: number): void;
  reject(error: Error): void;
  readonly timer: NodeJS.Timeout;
  /** what the caller waits for, for error messages */
  readonly what: string;
  /** the ref of the request this answers, when it sent one */
  readonly ref?: string;
  /** resolve on the first frame that satisfies this instead of on the ref's answer */
  readonly until?: (frame: ServerFrame) => boolean;
}

export interface OpenOptions {
  /** ws://host:port/ws */
  readonly url: string;
  readonly token: string;
  /** prefix of every error message, e.g. "ProtocolWaddleClient(alice)" */
  readonly label: string;
  readonly timeoutMs: number;
  readonly onFrame: FrameListener;
  /**
   * Whether anyone wants frames of this type that never answer a request (presence, chat.message).
   * When not, and nothing waits on the socket, such frames are dropped unparsed: at 10,000 users
   * the coalesced presence frames of a ramp are most of what arrives.
   */
  readonly wants?: (type: 'presence' | 'chat.message') => boolean;
  /** the connection ended without close() being called: error says how */
  readonly onLost: (error: Error) => void;
  /** the user's network (network/message-link.ts): every frame each way crosses it */
  readonly network?: MessageLink;
  /** a frame that is not a JSON object with a string `type` (the target broke the protocol): dropped, said here */
  readonly onProtocolError?: (message: string) => void;
}

export class ProtocolSocket {
  /** the server's id for this connection (voice peers are named by it) */
  peerId = '';
  private pending: Map<string, Waiter> | undefined;
  private watchers: Waiter[] | undefined;
  private refCounter = 0;
  private lostError: Error | undefined;
  private lastSocketError = '';
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly ws: WebSocket,
    private readonly options: OpenOptions,
  ) {
    const link = options.network;
    ws.on('message', link ? (data: Buffer) => link.down(data.length, () => this.receive(data)) : (data: Buffer) => this.receive(data));
    // ws throws an 'error' without a listener; the code (ECONNRESET…) goes into the close error
    ws.on('error', (error: NodeJS.ErrnoException) => (this.lastSocketError = error.code ?? error.message));
    ws.on('close', (code: number, reason: Buffer) => this.onClose(code, String(reason)));
  }

  /** Open the socket and wait for the server's hello (which names our peerId). */
  static open(options: OpenOptions): Promise<ProtocolSocket> {
    const ws = new WebSocket(options.url, {
      headers: { authorization: `Bearer ${options.token}` },
      perMessageDeflate: false, // the server disables it; a zlib context per client would cost memory
      skipUTF8Validation: true, // JSON.parse rejects what is not valid text anyway
      handshakeTimeout: options.timeoutMs,
    });
    const socket = new ProtocolSocket(ws, options);
    return new Promise<ProtocolSocket>((resolve, reject) => {
      const fail = (error: Error): void => {
        clearTimeout(timer);
        ws.terminate();
        reject(error);
      };
      const timer = setTimeout(() => fail(new Error(`${options.label}: timed out after ${options.timeoutMs} ms waiting for the WebSocket hello from ${options.url}`)), options.timeoutMs);
      ws.once('unexpected-response', (_req, res) => fail(new Error(`${options.label}: the WebSocket upgrade at ${options.url} was refused: HTTP ${res.statusCode} (is the token valid?)`)));
      ws.once('error', (error: NodeJS.ErrnoException) => fail(new Error(`${options.label}: WebSocket closed before it opened (${error.code ?? error.message}) at ${options.url}`)));
      socket.waitFor((f) => f.type === 'hello', 'the WebSocket hello', options.timeoutMs).then((hello) => {
        clearTimeout(timer);
        if (hello.type === 'hello') socket.peerId = hello.peerId;
        resolve(socket);
      }, fail);
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN && this.closing === undefined;
  }

  /** Fire and forget (signalling relays have no answer). Throws when the socket is closed. */
  send(frame: FrameBody): void {
    this.assertOpen(frame.type);
    this.write(JSON.stringify(frame));
  }

  /**
   * Send with a fresh ref; resolve with the server's answer to it (or, with `until`, the first frame
   * that satisfies it), reject with its error frame, at the timeout, or when the socket closes.
   */
  request(frame: FrameBody, what: string, timeoutMs: number, until?: (frame: ServerFrame) => boolean): Promise<{ frame: ServerFrame; receivedAtMs: number }> {
    try {
      this.assertOpen(what);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    this.refCounter += 1;
    const ref = `r${this.refCounter.toString(36)}`;
    return new Promise((resolve, reject) => {
      const pending = (this.pending ??= new Map());
      const timer = setTimeout(() => {
        this.forget(waiter);
        reject(new Error(`${this.options.label}: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const waiter: Waiter = {
        resolve: (f, atMs) => {
          clearTimeout(timer);
          resolve({ frame: f, receivedAtMs: atMs });
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
        timer,
        what,
        ref,
        ...(until ? { until } : {}),
      };
      pending.set(ref, waiter);
      if (until) (this.watchers ??= []).push(waiter);
      this.write(JSON.stringify({ ...frame, ref }));
    });
  }

  /** Sends now, or once the frame crossed the user's network (ws drops a send after close). */
  private write(text: string): void {
    if (this.options.network) this.options.network.up(text.length, () => this.ws.send(text));
    else this.ws.send(text);
  }

  /** Wait for a frame without sending anything. */
  waitFor(until: (frame: ServerFrame) => boolean, what: string, timeoutMs: number): Promise<ServerFrame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.forget(waiter);
        reject(new Error(`${this.options.label}: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const waiter: Waiter = {
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
        timer,
        what,
        until,
      };
      (this.watchers ??= []).push(waiter);
    });
  }

  /** Close the socket (closing handshake, bounded) and reject whatever still waits. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.failAll(new Error(`${this.options.label}: the client was closed while waiting`));
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      const timer = setTimeout(() => this.ws.terminate(), Math.min(this.options.timeoutMs, 2_000));
      this.ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
      else this.ws.close(1000, 'client closed');
    });
    return this.closing;
  }

  private receive(data: Buffer): void {
    const receivedAtMs = Date.now();
    if (!this.watchers && this.options.wants) {
      // the reference Waddle writes "type" first; anything else is parsed in full below. Bytes are
      // compared in place: a ramp of 12,000 users brings ~48,000 presence frames a second (every
      // member gets each 250 ms flush), and a string per frame was garbage for nothing.
      if (startsWith(data, PRESENCE_HEAD) && !this.options.wants('presence')) return;
      if (startsWith(data, CHAT_MESSAGE_HEAD) && !this.options.wants('chat.message')) return;
    }
    let parsed: unknown;
    try {
      parsed = parseFrame(data);
    } catch {
      return this.protocolError(`a frame that is not JSON (${preview(data)})`);
    }
    // null, a number, a string or an array parse as JSON too; none of them is a frame (a crash here ended the whole fleet)
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || typeof (parsed as { type?: unknown }).type !== 'string') {
      return this.protocolError(`a frame that is not an object with a string "type" (${preview(data)})`);
    }
    const frame = parsed as ServerFrame;
    try {
      this.dispatch(frame, receivedAtMs);
    } catch (error) {
      // an object frame whose fields are not what its type promises (a handler read a missing one)
      this.protocolError(`a malformed "${frame.type}" frame (${preview(data)}: ${(error as Error).message})`);
    }
  }

  private dispatch(frame: ServerFrame, receivedAtMs: number): void {
    const ref = 'ref' in frame ? frame.ref : undefined;
    const waiter = ref !== undefined ? this.pending?.get(ref) : undefined;
    if (waiter && ref !== undefined && (frame.type === 'error' || !waiter.until)) {
      this.forget(waiter);
      if (frame.type === 'error') waiter.reject(new Error(`${this.options.label}: ${waiter.what} was refused: ${frame.code}: ${frame.message}`));
      else waiter.resolve(frame, receivedAtMs);
    }
    if (this.watchers) {
      for (const w of [...this.watchers]) {
        if (w.until?.(frame)) {
          this.forget(w);
          w.resolve(frame, receivedAtMs);
        }
      }
    }
    this.options.onFrame(frame, receivedAtMs);
  }

  private protocolError(what: string): void {
    this.options.onProtocolError?.(`${this.options.label}: the target sent ${what} on ${this.options.url}; dropped`);
  }

  private forget(waiter: Waiter): void {
    if (waiter.ref !== undefined) this.pending?.delete(waiter.ref);
    if (this.pending?.size === 0) this.pending = undefined;
    if (this.watchers) {
      const i = this.watchers.indexOf(waiter);
      if (i >= 0) this.watchers.splice(i, 1);
      if (this.watchers.length === 0) this.watchers = undefined;
    }
  }

  private onClose(code: number, reason: string): void {
    if (this.closing) return;
    const how = [`code ${code}`, reason, this.lastSocketError].filter(Boolean).join(', ');
    this.lostError = new Error(`${this.options.label}: WebSocket closed by the server or the network (${how})`);
    this.failAll(this.lostError);
    this.options.onLost(this.lostError);
  }

  private failAll(error: Error): void {
    const waiters = new Set([...(this.pending?.values() ?? []), ...(this.watchers ?? [])]);
    this.pending = undefined;
    this.watchers = undefined;
    for (const w of waiters) w.reject(error);
  }

  private assertOpen(what: string): void {
    if (this.lostError) throw new Error(`${this.lostError.message}; cannot send ${what}`);
    if (this.closing) throw new Error(`${this.options.label}: WebSocket is closed (close() was called); cannot send ${what}`);
    if (this.ws.readyState !== WebSocket.OPEN) throw new Error(`${this.options.label}: WebSocket is closed (state ${this.ws.readyState}); cannot send ${what}`);
  }
}

const PRESENCE_HEAD = Buffer.from('{"type":"presence"', 'latin1');
const CHAT_MESSAGE_HEAD = Buffer.from('{"type":"chat.message"', 'latin1');

function startsWith(data: Buffer, head: Buffer): boolean {
  return data.length >= head.length && data.compare(head, 0, head.length, 0, head.length) === 0;
}

/** The start of a frame for an error message: short, one line. */
function preview(data: Buffer): string {
  const text = data.toString('utf8', 0, 60).replace(/\s+/g, ' ');
  return data.length > 60 ? `${text}…` : text;
}
