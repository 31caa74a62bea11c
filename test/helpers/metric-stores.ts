// Real metric stores for tests, started on loopback on free ports in temp dirs and stopped after:
//   const influx = await startInfluxdb1();   // { url, db, stop() }   InfluxDB 1.6.7 (v1 /write, InfluxQL /query)
//   startInfluxdb1({ db: null })                                    // no database created (the sink's preflight creates it)
//   startInfluxdb1({ admin: { user, password } })                   // auth-enabled, with that admin user
//   const vm = await startVictoriaMetrics(); // { url, stop() }       accepts /api/v2/write and /write line protocol
// stop() sends SIGTERM, then SIGKILL after 5 s, and removes the temp dir. Always call it (afterAll).
// For fault injection only, a FAKE endpoint whose answers the test decides:
//   const ep = await fakeEndpoint((req, res, body) => res.writeHead(503).end());  // { url, requests, bodies, close() }
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface MetricStore {
  readonly url: string;
  stop(): Promise<void>;
}
export interface Influxdb1Store extends MetricStore {
  readonly db: string;
  /** set when started with auth enabled: influxQuery uses it */
  readonly admin?: { readonly user: string; readonly password: string };
}

/** a free loopback port (bind to port 0, read it, release it) */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

async function waitFor(what: string, url: string, ok: (r: Response) => boolean, child: ChildProcess, output: () => string, timeoutMs = 30_000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode} before it was ready:\n${output().slice(-2000)}`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (ok(r)) return;
    } catch {}
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what} did not answer ${url} within ${timeoutMs} ms:\n${output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stopper(child: ChildProcess, dir: string): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      await rm(dir, { recursive: true, force: true });
    })();
    return stopping;
  };
}

function capture(child: ChildProcess): () => string {
  let out = '';
  const add = (b: Buffer) => {
    out = (out + b.toString()).slice(-20_000);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => out;
}

/** Basic auth header for an admin, or none */
function adminHeaders(admin?: { user: string; password: string }): Record<string, string> {
  return admin ? { authorization: `Basic ${Buffer.from(`${admin.user}:${admin.password}`).toString('base64')}` } : {};
}

/** an InfluxQL statement through POST /query (CREATE/DROP/GRANT ...), as the admin when auth is on; throws on error */
export async function influxAdmin(store: { url: string; admin?: { user: string; password: string } }, q: string): Promise<void> {
  const r = await fetch(`${store.url}/query`, { method: 'POST', body: new URLSearchParams({ q }), headers: adminHeaders(store.admin) });
  const text = await r.text();
  if (!r.ok || text.includes('"error"')) throw new Error(`${q} failed: ${r.status} ${text}`);
}

/**
 * InfluxDB 1.x from /usr/bin/influxd, with a generated config; creates database `db` (default
 * "waddle"; null: none). With `admin`, authentication is on and that user is its admin.
 */
export async function startInfluxdb1(opts: { db?: string | null; admin?: { user: string; password: string } } = {}): Promise<Influxdb1Store> {
  const db = opts.db === undefined ? 'waddle' : opts.db;
  const dir = await mkdtemp(join(tmpdir(), 'waddle-influxdb1-'));
  const [httpPort, rpcPort] = [await freePort(), await freePort()];
  const config = `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${dir}/meta"
[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:${httpPort}"
  auth-enabled = ${opts.admin ? 'true' : 'false'}
  log-enabled = false
  pprof-enabled = false
[continuous_queries]
  enabled = false
`;
  await writeFile(join(dir, 'influxdb.conf'), config);
  const child = spawn('/usr/bin/influxd', ['-config', join(dir, 'influxdb.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = capture(child);
  const stop = stopper(child, dir);
  const url = `http://127.0.0.1:${httpPort}`;
  try {
    await waitFor('influxd', `${url}/ping`, (r) => r.status === 204, child, output);
    // with auth on, InfluxDB 1.x lets the first admin user be created without credentials
    if (opts.admin) await influxAdmin({ url }, `CREATE USER "${opts.admin.user}" WITH PASSWORD '${opts.admin.password}' WITH ALL PRIVILEGES`);
    if (db !== null) await influxAdmin({ url, admin: opts.admin }, `CREATE DATABASE "${db}"`);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, db: db ?? '', admin: opts.admin, stop };
}

/** VictoriaMetrics single node from /usr/bin/victoria-metrics. Call forceFlush(url) before reading fresh data. */
export async function startVictoriaMetrics(): Promise<MetricStore> {
  const dir = await mkdtemp(join(tmpdir(), 'waddle-vm-'));
  const port = await freePort();
  const child = spawn('/usr/bin/victoria-metrics', [`-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${dir}`, '-loggerLevel=ERROR'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = capture(child);
  const stop = stopper(child, dir);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor('victoria-metrics', `${url}/health`, (r) => r.ok, child, output);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, stop };
}

/** InfluxQL query against InfluxDB 1.x; returns the `series` of the first statement */
export async function influxQuery(store: Influxdb1Store, q: string): Promise<Array<{ name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }>> {
  const r = await fetch(`${store.url}/query?${new URLSearchParams({ db: store.db, q, epoch: 'ms' })}`, { headers: adminHeaders(store.admin) });
  const body = (await r.json()) as { results?: Array<{ series?: never[]; error?: string }>; error?: string };
  const first = body.results?.[0];
  if (!r.ok || body.error || first?.error) throw new Error(`InfluxQL ${q} failed: ${r.status} ${body.error ?? first?.error}`);
  return first?.series ?? [];
}

/** make what VictoriaMetrics ingested searchable now (it buffers for ~1 s otherwise) */
export async function vmForceFlush(url: string): Promise<void> {
  await fetch(`${url}/internal/force_flush`);
}

/** raw series from VictoriaMetrics /api/v1/export (JSON lines) for a series selector */
export async function vmExport(url: string, match: string): Promise<Array<{ metric: Record<string, string>; values: number[]; timestamps: number[] }>> {
  await vmForceFlush(url);
  const r = await fetch(`${url}/api/v1/export?${new URLSearchParams({ 'match[]': match })}`);
  if (!r.ok) throw new Error(`VictoriaMetrics export ${match} failed: ${r.status} ${await r.text()}`);
  return (await r.text())
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}

/** A FAKE HTTP endpoint on loopback, for fault injection: the handler decides every answer (or none, to hang). */
export interface FakeEndpoint {
  readonly url: string;
  requests: number;
  bodiesLines: number;
  /** every request, in order: method, path with query, body */
  readonly seen: { method: string; url: string; body: string }[];
  close(): Promise<void>;
}

export async function fakeEndpoint(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<FakeEndpoint> {
  const ep: FakeEndpoint = { url: '', requests: 0, bodiesLines: 0, seen: [], close: async () => {} };
  const server = createHttpServer((req, res) => {
    ep.requests++;
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      ep.bodiesLines += body.split('\n').filter(Boolean).length;
      ep.seen.push({ method: req.method ?? '', url: req.url ?? '', body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  (ep as { url: string }).url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  ep.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return ep;
}
