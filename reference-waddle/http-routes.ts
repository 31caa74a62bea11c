// The HTTP side of the server: /healthz, /metrics, the web client, login, and the token-guarded
// /api/* (waddles, uploads). Every failure answers JSON {error, message}; only a bug is a 500.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Hub } from './hub.ts';
import { HttpError, readJson, sendJson, SESSION_COOKIE, tokenOf } from './http-util.ts';
import type { ResolvedOptions } from './options.ts';
import type { LoginResponse } from './protocol.ts';
import type { ServerMetrics } from './server-metrics.ts';
import type { Accounts, Directory } from './state.ts';
import type { Uploads } from './uploads.ts';
import { indexHtml, webBundle } from './web-assets.ts';

const USERNAME = /^[\w.-]{1,32}$/;

export interface HttpDeps {
  readonly options: ResolvedOptions;
  readonly accounts: Accounts;
  readonly directory: Directory;
  readonly hub: Hub;
  readonly uploads: Uploads;
  readonly metrics: ServerMetrics;
}

/** The http server's request listener. */
export function httpHandler(deps: HttpDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    route(deps, req, res).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      const code = error instanceof HttpError ? error.code : 'internal';
      if (status === 500) deps.options.log(`reference-waddle: ${req.method} ${req.url} failed: ${String(error)}`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // drain what the client is still sending so the keep-alive connection stays usable
      req.resume();
      sendJson(res, status, { error: code, message: error instanceof Error ? error.message : String(error) });
    });
  };
}

async function route(deps: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname;
  if (req.method === 'GET' && (await servePublic(deps, path, res))) return;
  if (req.method === 'POST' && path === '/api/login') return login(deps, req, res);
  if (path.startsWith('/api/')) {
    const session = deps.accounts.byToken(tokenOf(req, url, false));
    if (!session) throw new HttpError(401, 'unauthorized', 'log in first (POST /api/login) and send the token as "Authorization: Bearer <token>"');
    if (req.method === 'GET' && path === '/api/waddles') return sendJson(res, 200, { waddles: [...deps.directory.waddles.values()].map((w) => w.summary()) });
    if (await deps.uploads.route(req, res, url, session.username)) return;
  }
  throw new HttpError(404, 'not_found', `no route ${req.method} ${path}`);
}

/** GETs that need no login: health, metrics, the web client. Returns false when `path` is none of them. */
async function servePublic(deps: HttpDeps, path: string, res: ServerResponse): Promise<boolean> {
  if (path === '/healthz') {
    sendJson(res, 200, { ok: true, connections: deps.hub.connections.size });
  } else if (path === '/metrics') {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(deps.metrics.render());
  } else if (path === '/favicon.ico') {
    res.writeHead(204).end();
  } else if (path === '/' || path === '/index.html') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(await indexHtml());
  } else if (path === '/app.js') {
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
    res.end(await webBundle());
  } else {
    return false;
  }
  return true;
}

async function login(deps: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJson(req);
  const { username, password } = body;
  if (typeof username !== 'string' || !USERNAME.test(username)) throw new HttpError(400, 'bad_request', '"username" must be 1 to 32 letters, digits, "_", "." or "-"');
  if (password !== undefined && typeof password !== 'string') throw new HttpError(400, 'bad_request', '"password" must be a string when given');
  const session = deps.accounts.login(username, password);
  if ('error' in session) throw new HttpError(401, 'unauthorized', session.error);
  res.setHeader('set-cookie', `${SESSION_COOKIE}=${encodeURIComponent(session.token)}; Path=/; HttpOnly; SameSite=Strict`);
  sendJson(res, 200, { token: session.token, username: session.username } satisfies LoginResponse);
}
