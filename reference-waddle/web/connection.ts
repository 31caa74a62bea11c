// The one WebSocket of this tab, with request/answer matching by `ref` and reconnection.
import type { ClientFrame, ServerFrame } from '../protocol.ts';

type Listener = (frame: ServerFrame) => void;
type StatusListener = (state: 'connecting' | 'connected' | 'disconnected') => void;
type ClientFrameBody = ClientFrame extends infer F ? (F extends ClientFrame ? Omit<F, 'ref'> : never) : never;

export class Connection {
  private socket: WebSocket | undefined;
  private readonly listeners = new Set<Listener>();
  private readonly pending = new Map<string, { resolve: (f: ServerFrame) => void; reject: (e: Error) => void; timer: number }>();
  private refCounter = 0;
  private closedByUs = false;
  private retries = 0;
  onStatus: StatusListener = () => {};
  /** called after every (re)connect so the app can re-join what it had joined */
  onReconnect: () => void = () => {};

  constructor(private readonly token: string) {}

  connect(): Promise<void> {
    this.onStatus('connecting');
    const url = new URL('/ws', location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('token', this.token);
    const socket = new WebSocket(url);
    this.socket = socket;
    return new Promise((resolve, reject) => {
      let opened = false;
      socket.onopen = () => {
        opened = true;
        this.retries = 0;
        this.onStatus('connected');
        resolve();
      };
      socket.onmessage = (event) => {
        let frame: ServerFrame;
        try {
          frame = JSON.parse(String(event.data)) as ServerFrame;
        } catch {
          return;
        }
        const ref = 'ref' in frame ? frame.ref : undefined;
        const waiter = ref !== undefined ? this.pending.get(ref) : undefined;
        if (waiter && ref !== undefined) {
          this.pending.delete(ref);
          clearTimeout(waiter.timer);
          if (frame.type === 'error') waiter.reject(new Error(`${frame.code}: ${frame.message}`));
          else waiter.resolve(frame);
        }
        for (const listener of this.listeners) listener(frame);
      };
      socket.onclose = () => {
        for (const [ref, waiter] of this.pending) {
          clearTimeout(waiter.timer);
          waiter.reject(new Error('connection closed before the server answered'));
          this.pending.delete(ref);
        }
        this.onStatus('disconnected');
        if (!opened) reject(new Error('WebSocket to the Waddle server could not open'));
        if (!this.closedByUs && opened) this.scheduleReconnect();
      };
    });
  }

  private scheduleReconnect(): void {
    this.retries += 1;
    const delayMs = Math.min(10_000, 500 * 2 ** Math.min(this.retries, 5));
    setTimeout(() => {
      if (this.closedByUs) return;
      this.connect().then(
        () => this.onReconnect(),
        () => this.scheduleReconnect(),
      );
    }, delayMs);
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Fire and forget. */
  send(frame: ClientFrameBody): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(frame));
  }

  /** Send with a ref and resolve with the server's answer (or reject with its error frame). */
  request(frame: ClientFrameBody, timeoutMs = 10_000): Promise<ServerFrame> {
    this.refCounter += 1;
    const ref = `r${this.refCounter}`;
    return new Promise((resolve, reject) => {
      if (this.socket?.readyState !== WebSocket.OPEN) {
        reject(new Error('not connected to the Waddle server'));
        return;
      }
      const timer = window.setTimeout(() => {
        this.pending.delete(ref);
        reject(new Error(`no answer to ${frame.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(ref, { resolve, reject, timer });
      this.socket.send(JSON.stringify({ ...frame, ref }));
    });
  }

  close(): void {
    this.closedByUs = true;
    this.socket?.close();
  }
}
