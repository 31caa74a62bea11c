// A minimal protocol client (ws + fetch) for the protocol tests: log in, open the
// WebSocket, send frames and wait for the frames that answer them.
import WebSocket from 'ws';
import type { ClientFrame, ServerFrame } from './protocol.ts';

export async function login(baseUrl: string, username: string, password?: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  const body = (await res.json()) as { token?: string; message?: string };
  if (!res.ok || !body.token) throw new Error(`login of ${username} failed: ${res.status} ${body.message}`);
  return body.token;
}

export class TestSocket {
  readonly frames: ServerFrame[] = [];
  private waiters: { match: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] = [];
  private refCounter = 0;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as ServerFrame;
      this.frames.push(frame);
      for (const w of [...this.waiters]) {
        if (w.match(frame)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(frame);
        }
      }
    });
  }

  static async open(baseUrl: string, token: string): Promise<TestSocket> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}`);
    const socket = new TestSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    await socket.next((f) => f.type === 'hello');
    return socket;
  }

  /** The first frame (already received or future) that matches. */
  next<T extends ServerFrame>(match: (f: ServerFrame) => boolean, timeoutMs = 3000): Promise<T> {
    const seen = this.frames.find(match);
    if (seen) {
      this.frames.splice(this.frames.indexOf(seen), 1);
      return Promise.resolve(seen as T);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame within ${timeoutMs} ms; got: ${JSON.stringify(this.frames).slice(0, 500)}`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (f) => {
          clearTimeout(timer);
          this.frames.splice(this.frames.indexOf(f), 1);
          resolve(f as T);
        },
      });
    });
  }

  sendRaw(data: string): void {
    this.ws.send(data);
  }

  /** Send with a fresh ref and resolve with the frame that answers it (an error frame too). */
  request<T extends ServerFrame = ServerFrame>(frame: ClientFrame): Promise<T> {
    this.refCounter += 1;
    const ref = `t${this.refCounter}`;
    this.ws.send(JSON.stringify({ ...frame, ref }));
    return this.next<T>((f) => 'ref' in f && f.ref === ref);
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}
