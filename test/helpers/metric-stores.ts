// Real metric stores for tests, started on loopback on free ports in temp dirs and stopped after:
//   const influx = await startInfluxdb1();   // { url, db, stop() }   InfluxDB 1.6.7 (v1 /write, InfluxQL /query)
//   const vm = await startVictoriaMetrics(); // { url, stop() }       accepts /api/v2/write and /write line protocol
// stop() sends SIGTERM, then SIGKILL after 5 s, and removes the temp dir. Always call it (afterAll).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface MetricStore {
  readonly url: string;
  stop(): Promise<void>;
}
export interface Influxdb1Store extends MetricStore {
  readonly db: string;
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

/** InfluxDB 1.x from /usr/bin/influxd, with a generated config; creates database `db` (default "waddle"). */
export async function startInfluxdb1(opts: { db?: string } = {}): Promise<Influxdb1Store> {
  const db = opts.db ?? 'waddle';
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
    const r = await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ q: `CREATE DATABASE "${db}"` }) });
    if (!r.ok) throw new Error(`CREATE DATABASE ${db} failed: ${r.status} ${await r.text()}`);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, db, stop };
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
  const r = await fetch(`${store.url}/query?${new URLSearchParams({ db: store.db, q, epoch: 'ms' })}`);
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
