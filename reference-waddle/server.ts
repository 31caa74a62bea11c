// startReferenceWaddle: HTTP (API, uploads, the web client, /healthz, /metrics) and the
// WebSocket hub on one Node http server, bound to loopback by default.
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { Hub, MAX_FRAME_BYTES } from './hub.ts';
import { HttpError, readJson, sendJson, SESSION_COOKIE, tokenOf } from './http-util.ts';
import { resolveOptions, type ReferenceWaddleOptions } from './options.ts';
import type { LoginResponse } from './protocol.ts';
import { ServerMetrics } from './server-metrics.ts';
import { Accounts, Directory } from './state.ts';
import { Uploads } from './uploads.ts';
import { indexHtml, webBundle } from './web-assets.ts';

export interface ReferenceWaddle {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** closes every socket, stops the server, removes a temp data dir */
  stop(): Promise<void>;
}

const USERNAME = /^[\w.-]{1,32}$/;

export async function startReferenceWaddle(options: ReferenceWaddleOptions = {}): Promise<ReferenceWaddle> {
  const opts = resolveOptions(options);
  const ownsDataDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'reference-waddle-')));
  if (!ownsDataDir) await mkdir(dataDir, { recursive: true });
  // Build the client before listening so the first page load is not slowed by esbuild.
  await webBundle();

  const accounts = new Accounts();
  const directory = new Directory(opts.historyLimit, opts.voiceChannels, opts.textChannels);
  // the metrics read live gauges from the hub, which needs the metrics: tie the knot lazily
  const ref: { hub?: Hub } = {};
  const metrics = new ServerMetrics({
    wsConnections: () => ref.hub?.connections.size ?? 0,
    voiceRooms: () => ref.hub?.voice.roomCount ?? 0,
    voiceParticipants: () => ref.hub?.voice.participants ?? 0,
  });
  const liveHub = new Hub(opts, directory, metrics);
  ref.hub = liveHub;
  const uploads = new Uploads(opts, dataDir, directory, liveHub, metrics);

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (req.method === 'GET' && path === '/healthz') return sendJson(res, 200, { ok: true, connections: liveHub.connections.size });
    if (req.method === 'GET' && path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(metrics.render());
      return;
    }
    if (req.method === 'GET' && path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (req.method === 'GET' && (path === '/' || path === '/index.html')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(await indexHtml());
      return;
    }
    if (req.method === 'GET' && path === '/app.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
      res.end(await webBundle());
      return;
    }
    if (req.method === 'POST' && path === '/api/login') {
      const body = await readJson(req);
      const { username, password } = body;
      if (typeof username !== 'string' || !USERNAME.test(username)) throw new HttpError(400, 'bad_request', '"username" must be 1 to 32 letters, digits, "_", "." or "-"');
      if (password !== undefined && typeof password !== 'string') throw new HttpError(400, 'bad_request', '"password" must be a string when given');
      const session = accounts.login(username, password);
      if ('error' in session) throw new HttpError(401, 'unauthorized', session.error);
      res.setHeader('set-cookie', `${SESSION_COOKIE}=${encodeURIComponent(session.token)}; Path=/; HttpOnly; SameSite=Strict`);
      return sendJson(res, 200, { token: session.token, username: session.username } satisfies LoginResponse);
    }
    if (path.startsWith('/api/')) {
      const session = accounts.byToken(tokenOf(req, url, false));
      if (!session) throw new HttpError(401, 'unauthorized', 'log in first (POST /api/login) and send the token as "Authorization: Bearer <token>"');
      if (req.method === 'GET' && path === '/api/waddles') return sendJson(res, 200, { waddles: [...directory.waddles.values()].map((w) => w.summary()) });
      if (await uploads.route(req, res, url, session.username)) return;
    }
    throw new HttpError(404, 'not_found', `no route ${req.method} ${path}`);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      const code = error instanceof HttpError ? error.code : 'internal';
      if (status === 500) opts.log(`reference-waddle: ${req.method} ${req.url} failed: ${String(error)}`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // drain what the client is still sending so the keep-alive connection stays usable
      req.resume();
      sendJson(res, status, { error: code, message: error instanceof Error ? error.message : String(error) });
    });
  });
  // Many clients on few cores: no per-request timeouts that would cut slow uploads.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 30_000;

  // maxPayload above MAX_FRAME_BYTES so an oversized frame gets an error frame, not a closed socket.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * MAX_FRAME_BYTES, perMessageDeflate: false });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const session = url.pathname === '/ws' ? accounts.byToken(tokenOf(req, url, true)) : undefined;
    if (!session) {
      socket.end(`HTTP/1.1 ${url.pathname === '/ws' ? '401 Unauthorized' : '404 Not Found'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => liveHub.accept(ws, session.username));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;

  let stopped: Promise<void> | undefined;
  return {
    url: `http://${hostForUrl}:${port}`,
    port,
    dataDir,
    stop() {
      stopped ??= (async () => {
        liveHub.closeAll();
        wss.close();
        metrics.stop();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await uploads.closeAll();
        if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}
