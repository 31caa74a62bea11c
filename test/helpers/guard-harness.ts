// Real servers for the host-guard e2e test, all on loopback: the allowed target (127.0.0.1),
// a forbidden host (127.0.0.2: HTTP, WebSocket and a UDP port for STUN/ICE) and another port
// of the target's host standing for a local InfluxDB. Forbidden servers count every TCP
// connection and UDP datagram they get: "refused" means that count stays 0.
//
// Two ways to guard a context: the HostGuard (proxy + in-page half, as the pool should install
// it) or, with HOST_GUARD_E2E_LEGACY=1, the guard as fleet/browser-pool.ts installed it before
// issue 9 (context.route + the probe's in-page checks, allow list of any loopback port).
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { WebSocketServer } from 'ws';
import { chromiumArgs } from '../../fake-media/chromium-flags.ts';
import { BlockedTally, hostOfBlockedUrl, type BlockedAttempt, type BlockedSummary } from '../../fleet/guard/blocked-tally.ts';
import { HostGuard, isUrlAllowed, runAllowList } from '../../fleet/guard/host-guard.ts';
import { probeInitScript } from '../../in-page/bundle.ts';
import { PROBE_BINDING, type ProbeBatch } from '../../in-page/probe-protocol.ts';

export const legacy = process.env['HOST_GUARD_E2E_LEGACY'] === '1';

export interface Forbidden {
  readonly connections: number;
  readonly datagrams: number;
}

interface Counted {
  server: http.Server;
  port: number;
  connections: number;
}

async function listen(host: string, handler: http.RequestListener): Promise<Counted> {
  const c: Counted = { server: http.createServer(handler), port: 0, connections: 0 };
  c.server.on('connection', () => c.connections++);
  await new Promise<void>((resolve) => c.server.listen(0, host, resolve));
  c.port = (c.server.address() as AddressInfo).port;
  return c;
}

/** The target's pages: each scenario is a small same-origin page or script. */
function targetPages(other: string, udpPort: number): Record<string, { type: string; body: string } | { redirect: string }> {
  const html = (body: string) => ({ type: 'text/html', body: `<!doctype html><html><body>${body}</body></html>` });
  const js = (body: string) => ({ type: 'text/javascript', body });
  return {
    '/': html('target'),
    '/ok': { type: 'application/json', body: '{"ok":true}' },
    '/redirect-out': { redirect: `${other}/redirected` },
    '/nav-out': { redirect: `${other}/navigated` },
    '/iframe': html(`<iframe id="f" src="${other}/framed"></iframe>`),
    '/worker.js': js(`
      const out = {};
      fetch('${other}/from-worker').then(() => (out.fetch = 'reached'), () => (out.fetch = 'failed'))
        .then(() => new Promise((resolve) => {
          const ws = new WebSocket('${other.replace('http', 'ws')}/ws-from-worker');
          ws.onopen = () => { out.ws = 'open'; resolve(); };
          ws.onerror = () => { out.ws = 'failed'; resolve(); };
        }))
        .then(() => postMessage(out));`),
    '/shared-worker.js': js(`onconnect = (e) => { const port = e.ports[0];
      fetch('${other}/from-shared-worker').then(() => port.postMessage('reached'), () => port.postMessage('failed')); };`),
    '/sw.js': js(`self.addEventListener('message', (e) => {
      e.waitUntil(fetch('${other}/from-service-worker').then(() => e.source.postMessage('reached'), () => e.source.postMessage('failed')));
    });`),
    '/udp-port': { type: 'text/plain', body: String(udpPort) },
  };
}

/** The loopback servers: the target, the forbidden host (HTTP, WebSocket, UDP) and the "InfluxDB". */
interface Servers {
  readonly target: string;
  readonly other: string;
  readonly influx: string;
  readonly udpPort: number;
  /** what reached the forbidden servers since the last resetForbidden() */
  forbidden(): Forbidden;
  resetForbidden(): void;
  close(): Promise<void>;
}

export interface Harness extends Servers {
  /** every page attempt refused, in order (onBlocked) */
  readonly attempts: BlockedAttempt[];
  newContext(): Promise<BrowserContext>;
  /** a context of the same browser that skips the guard's context proxy (a wiring mistake) */
  unproxiedContext(): Promise<BrowserContext>;
  readonly guard: HostGuard | undefined;
  blocked(): BlockedSummary;
}

async function startServers(): Promise<Servers> {
  const udp: UdpSocket = createSocket('udp4');
  let datagrams = 0;
  udp.on('message', () => datagrams++);
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.2', resolve));
  const udpPort = udp.address().port;

  const forbidden = await listen('127.0.0.2', (_req, res) => res.writeHead(200, { 'access-control-allow-origin': '*' }).end('forbidden host reached'));
  const forbiddenWs = new WebSocketServer({ server: forbidden.server });
  const other = `http://127.0.0.2:${forbidden.port}`;
  const influx = await listen('127.0.0.1', (_req, res) => res.writeHead(204, { 'access-control-allow-origin': '*' }).end());
  const pages = targetPages(other, udpPort);
  const target = await listen('127.0.0.1', (req, res) => {
    const page = pages[new URL(req.url ?? '/', 'http://x').pathname];
    if (!page) return void res.writeHead(404).end();
    if ('redirect' in page) return void res.writeHead(302, { location: page.redirect }).end();
    res.writeHead(200, { 'content-type': page.type }).end(page.body);
  });
  const targetWs = new WebSocketServer({ server: target.server });
  targetWs.on('connection', (ws) => ws.on('message', (m) => ws.send(`echo ${String(m)}`)));

  return {
    target: `http://127.0.0.1:${target.port}`,
    other,
    influx: `http://127.0.0.1:${influx.port}`,
    udpPort,
    forbidden: () => ({ connections: forbidden.connections + influx.connections, datagrams }),
    resetForbidden: () => {
      forbidden.connections = influx.connections = datagrams = 0;
    },
    async close() {
      for (const wss of [forbiddenWs, targetWs]) for (const c of wss.clients) c.terminate();
      for (const s of [forbidden, influx, target]) {
        s.server.closeAllConnections();
        await new Promise((r) => s.server.close(r));
      }
      udp.close();
    },
  };
}

/** A context guarded as the pool should: the guard first (innermost, so nothing wraps what
 * reaches Chromium after it), then the probe with its own old checks off. */
async function guardedContext(browser: Browser, guard: HostGuard): Promise<BrowserContext> {
  const context = await browser.newContext({ proxy: guard.contextProxy() });
  await guard.attach(context, 'vu-test');
  await context.addInitScript({ content: await probeInitScript({ intervalMs: 2000, allowedHosts: [] }) });
  return context;
}

/** A context guarded as fleet/browser-pool.ts did before issue 9, with fleet/run.ts's allow list. */
async function legacyContext(browser: Browser, tally: BlockedTally, attempts: BlockedAttempt[]): Promise<BrowserContext> {
  const allowed = ['127.0.0.1', 'localhost', '[::1]', '::1', '127.0.0.1'];
  const context = await browser.newContext();
  const add = (kind: 'request' | 'websocket' | 'ice_server', url: string) => {
    const attempt = { kind, url, host: hostOfBlockedUrl(url), source: 'page' } as const;
    tally.add(attempt);
    attempts.push(attempt);
  };
  // fleet/host-guard.ts installHostGuard, as it was
  await context.route(
    (url) => !isUrlAllowed(url.href, allowed),
    async (route) => {
      add('request', route.request().url());
      await route.abort('blockedbyclient').catch(() => {});
    },
  );
  await context.exposeBinding(PROBE_BINDING, (_s, batch: ProbeBatch) => {
    for (const e of batch.events ?? []) if (e.type === 'blocked') add(e.what, e.url);
  });
  await context.addInitScript({ content: await probeInitScript({ intervalMs: 500, allowedHosts: allowed }) });
  return context;
}

export async function startHarness(): Promise<Harness> {
  const servers = await startServers();
  const tally = new BlockedTally();
  const attempts: BlockedAttempt[] = [];
  let guard: HostGuard | undefined;
  let browser: Browser;
  if (legacy) {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs() });
  } else {
    guard = await HostGuard.start({ allowedHosts: runAllowList(servers.target), onBlocked: (a) => a.source === 'page' && attempts.push(a) });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs(), proxy: guard.launchProxy() });
  }

  return {
    target: servers.target,
    other: servers.other,
    influx: servers.influx,
    udpPort: servers.udpPort,
    attempts,
    guard,
    unproxiedContext: () => browser.newContext(),
    forbidden: () => servers.forbidden(),
    resetForbidden: () => servers.resetForbidden(),
    blocked: () => guard?.blocked() ?? tally.summary(),
    newContext: () => (guard ? guardedContext(browser, guard) : legacyContext(browser, tally, attempts)),
    async close() {
      await browser.close();
      await guard?.close();
      await servers.close();
    },
  };
}
