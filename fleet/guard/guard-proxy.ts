// The network half of the host guard: a small HTTP proxy in the fleet process that every byte
// Chromium sends over HTTP(S) or WebSocket goes through (launch and context `proxy` options;
// Playwright adds "<-loopback>" so loopback is proxied too). A proxy sees what context.route
// does not: each hop of a redirect (a new request to the proxy), workers of every kind, service
// workers and WebSockets (Chromium opens them as CONNECT tunnels). Each request on a kept-alive
// connection is judged on its own. It decides by host:port only; counting is the caller's.
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';

/** Which Chromium traffic a listener gets: the pages' (context proxy) or the browser's own. */
export type ProxySource = 'page' | 'browser';
/** What a refused attempt was, as far as the proxy can tell. */
export type ProxyRefusalKind = 'request' | 'redirect' | 'navigation' | 'iframe' | 'worker' | 'websocket' | 'tunnel';

export interface ProxyRefusal {
  readonly source: ProxySource;
  readonly kind: ProxyRefusalKind;
  /** the full URL for plain HTTP; "host:port" for a CONNECT tunnel (https, wss, ws) */
  readonly url: string;
  /** "host:port", IPv6 hosts in brackets */
  readonly host: string;
}

export interface GuardProxyOptions {
  isAllowed(host: string, port: string): boolean;
  onRefused(refusal: ProxyRefusal): void;
}

/** A page fetching http://<the page listener>/CANARY_PATH gets 204 only when its traffic really goes through the proxy. */
export const CANARY_PATH = '/__waddle-fleet-guard-canary';

const HOP_BY_HOP = new Set(['connection', 'proxy-connection', 'keep-alive', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
/** Redirect targets remembered to classify the next refused hop (bounded). */
const MAX_REMEMBERED_REDIRECTS = 256;

const defaultPort = (protocol: string) => (protocol === 'https:' || protocol === 'wss:' ? '443' : '80');
const hostKey = (host: string, port: string) => `${host.includes(':') ? `[${host}]` : host}:${port}`;
const bare = (host: string) => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);

/** Flat raw headers without hop-by-hop ones (and without those the Connection header names). */
function endToEndHeaders(raw: readonly string[]): string[] {
  const named = new Set<string>();
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === 'connection') for (const n of raw[i + 1]!.split(',')) named.add(n.trim().toLowerCase());
  }
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (!HOP_BY_HOP.has(name) && !named.has(name)) out.push(raw[i]!, raw[i + 1]!);
  }
  return out;
}

/** The kind of a refused plain request, from the Fetch Metadata Chromium sends to trustworthy hosts. */
function requestKind(headers: http.IncomingHttpHeaders): ProxyRefusalKind {
  const dest = String(headers['sec-fetch-dest'] ?? '');
  if (headers['sec-fetch-mode'] === 'websocket' || dest === 'websocket' || headers.upgrade) return 'websocket';
  if (dest === 'document') return 'navigation';
  if (dest === 'iframe' || dest === 'frame' || dest === 'fencedframe') return 'iframe';
  if (dest === 'worker' || dest === 'sharedworker' || dest === 'serviceworker') return 'worker';
  return 'request';
}

/** "host:port" of a CONNECT authority ("127.0.0.2:80", "[::1]:443"), or undefined when malformed. */
function parseAuthority(authority: string): { host: string; port: string } | undefined {
  const m = /^(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/.exec(authority);
  return m ? { host: bare(m[1]!).toLowerCase(), port: m[2]! } : undefined;
}

export class GuardProxy {
  readonly #opts: GuardProxyOptions;
  readonly #servers = new Map<ProxySource, http.Server>();
  readonly #sockets = new Set<Duplex>();
  /** Location targets of 3xx responses relayed lately (full http URLs, host:port of tunnels) → how many */
  readonly #redirects = new Map<string, number>();
  // no Nagle delay on the hop we add: chat frames and API calls are small and interactive
  readonly #agent = new http.Agent({ keepAlive: true, noDelay: true });

  private constructor(opts: GuardProxyOptions) {
    this.#opts = opts;
  }

  /** Starts the two listeners (pages, browser) on 127.0.0.1, on free ports. */
  static async start(opts: GuardProxyOptions): Promise<GuardProxy> {
    const proxy = new GuardProxy(opts);
    for (const source of ['page', 'browser'] as const) {
      // no request timeout of our own: a slow upload is the browser's and the target's business
      const server = http.createServer({ keepAlive: true, noDelay: true, requestTimeout: 0 }, (req, res) => proxy.#onRequest(source, req, res));
      server.on('connect', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => proxy.#onConnect(source, req, socket, head));
      server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => proxy.#onUpgrade(source, req, socket, head));
      server.on('connection', (socket: net.Socket) => proxy.#track(socket));
      server.on('clientError', (_err, socket) => socket.destroy());
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
      proxy.#servers.set(source, server);
    }
    return proxy;
  }

  /** "http://127.0.0.1:PORT" of a listener. */
  url(source: ProxySource): string {
    const address = this.#servers.get(source)?.address();
    if (!address || typeof address === 'string') throw new Error(`GuardProxy: the ${source} listener is not running`);
    return `http://127.0.0.1:${address.port}`;
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    this.#agent.destroy();
    await Promise.all([...this.#servers.values()].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    this.#servers.clear();
  }

  #track(socket: Duplex): void {
    this.#sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.once('close', () => this.#sockets.delete(socket));
  }

  /** Counts a 3xx Location: its full URL when plain http (the proxy will see it), else its host:port (a tunnel). */
  #rememberRedirect(location: string | undefined, base: string): void {
    if (!location) return;
    try {
      const to = new URL(location, base);
      to.hash = '';
      const toPort = to.port || defaultPort(to.protocol);
      if (this.#opts.isAllowed(bare(to.hostname).toLowerCase(), toPort)) return; // only refused hops need a name
      const key = to.protocol === 'http:' ? to.href : hostKey(bare(to.hostname).toLowerCase(), toPort);
      this.#redirects.set(key, (this.#redirects.get(key) ?? 0) + 1);
      while (this.#redirects.size > MAX_REMEMBERED_REDIRECTS) this.#redirects.delete(this.#redirects.keys().next().value!);
    } catch {}
  }

  /** Reports a refusal; a hop some relayed redirect pointed at is a redirect (each redirect counts once). */
  #refuse(source: ProxySource, kind: ProxyRefusalKind, url: string, host: string, redirectKey: string): void {
    const pending = source === 'page' ? (this.#redirects.get(redirectKey) ?? 0) : 0;
    if (pending > 1) this.#redirects.set(redirectKey, pending - 1);
    else if (pending === 1) this.#redirects.delete(redirectKey);
    this.#opts.onRefused({ source, kind: pending > 0 ? 'redirect' : kind, url, host });
  }

  #onRequest(source: ProxySource, req: http.IncomingMessage, res: http.ServerResponse): void {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
      if (url.protocol !== 'http:' && url.protocol !== 'ws:') throw new Error('not http');
    } catch {
      // also what a page that bypasses the proxy gets for the canary (CORS open so it can read the status)
      res.writeHead(400, { 'content-type': 'text/plain', 'access-control-allow-origin': '*' }).end(`waddle-fleet host guard: a proxy request needs an absolute http:// URL, got ${req.url}\n`);
      return;
    }
    const host = bare(url.hostname).toLowerCase();
    const port = url.port || defaultPort(url.protocol);
    if (url.pathname === CANARY_PATH && `http://${hostKey(host, port)}` === this.url(source)) {
      req.resume();
      res.writeHead(204, { 'access-control-allow-origin': '*', 'cache-control': 'no-store', 'x-waddle-fleet-guard': 'canary' }).end();
      return;
    }
    if (!this.#opts.isAllowed(host, port)) {
      const full = new URL(url.href);
      full.hash = '';
      this.#refuse(source, requestKind(req.headers), full.href, hostKey(host, port), full.href);
      req.resume();
      // a plain 403 without CORS headers: fetch/XHR fail, a navigation shows why
      res.writeHead(403, { 'content-type': 'text/plain', 'x-waddle-fleet-guard': 'refused' }).end(`waddle-fleet host guard: ${hostKey(host, port)} is not an allowed host (refused ${full.href})\n`);
      return;
    }
    const upstream = http.request({ host, port, method: req.method, path: `${url.pathname}${url.search}`, headers: endToEndHeaders(req.rawHeaders), agent: this.#agent, setHost: false }, (up) => {
      if (up.statusCode && up.statusCode >= 300 && up.statusCode < 400) this.#rememberRedirect(up.headers.location, url.href);
      res.writeHead(up.statusCode ?? 502, up.statusMessage, endToEndHeaders(up.rawHeaders));
      up.pipe(res);
      up.on('error', () => res.destroy());
    });
    upstream.on('error', (err) => {
      if (res.headersSent) res.destroy();
      else res.writeHead(502, { 'content-type': 'text/plain' }).end(`waddle-fleet host guard: ${hostKey(host, port)} did not answer (${err.message})\n`);
    });
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  #onConnect(source: ProxySource, req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#track(socket);
    const target = parseAuthority(req.url ?? '');
    if (!target) {
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
      return;
    }
    const key = hostKey(target.host, target.port);
    if (!this.#opts.isAllowed(target.host, target.port)) {
      this.#refuse(source, 'tunnel', key, key, key);
      socket.end('HTTP/1.1 403 Forbidden\r\nx-waddle-fleet-guard: refused\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    this.#pipeTo(target.host, target.port, socket, 'HTTP/1.1 200 Connection Established\r\n\r\n', head);
  }

  /** A WebSocket sent as a plain proxied GET (Chromium uses CONNECT; other clients may not). */
  #onUpgrade(source: ProxySource, req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#track(socket);
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
      return;
    }
    const host = bare(url.hostname).toLowerCase();
    const port = url.port || defaultPort(url.protocol);
    if (!this.#opts.isAllowed(host, port)) {
      this.#refuse(source, 'websocket', url.href, hostKey(host, port), url.href);
      socket.end('HTTP/1.1 403 Forbidden\r\nx-waddle-fleet-guard: refused\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const lines = [`${req.method} ${url.pathname}${url.search} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      if (req.rawHeaders[i]!.toLowerCase() !== 'proxy-connection') lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    }
    this.#pipeTo(host, port, socket, undefined, Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), head]));
  }

  /** Connects to host:port and pipes both ways; `reply` goes to the client once connected. */
  #pipeTo(host: string, port: string, client: Duplex, reply: string | undefined, first: Buffer): void {
    const upstream = net.connect({ host, port: Number(port), noDelay: true });
    this.#track(upstream);
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      if (reply) client.write(reply);
      if (first.length) upstream.write(first);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.once('error', () => {
      if (connected) client.destroy();
      else client.end('HTTP/1.1 502 Bad Gateway\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    });
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  }
}
