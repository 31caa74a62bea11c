// Fault injection for the InfluxDB sink (FAKE endpoints, named as such, on loopback):
// an endpoint that hangs forever, one that answers 503, one that refuses (404, as InfluxDB 1.x does
// for a missing database), one that fails each batch once, one that answers 401 echoing the
// credentials it got. The run must not notice: record() stays fast, the interval timer keeps
// time, writes are retried with backoff, every line is accounted for
// (generated = delivered + spilled + dropped), and the warnings agree with the retried figure.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsHub } from '../metrics/hub.ts';
import { InfluxSink, preflightInflux, type InfluxOptions } from '../metrics/sinks/influx.ts';
import { MemorySink } from '../metrics/sinks/memory.ts';
import { fakeEndpoint } from './helpers/metric-stores.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'waddle-influx-faults-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** drive a hub for durationMs recording steadily; measure record() cost and timer accuracy */
async function driveHub(influx: InfluxOptions, durationMs: number) {
  const sink = new InfluxSink({ flushIntervalMs: 50, writeTimeoutMs: 300, maxAttempts: 3, retryBaseMs: 40, retryMaxMs: 200, ...influx });
  const mem = new MemorySink();
  const hub = new MetricsHub({ runId: 'faults', shard: '1/1', intervalMs: 100, sinks: [sink, mem] });
  hub.start();
  const costs: number[] = [];
  const t0 = Date.now();
  let i = 0;
  while (Date.now() - t0 < durationMs) {
    for (let k = 0; k < 50; k++, i++) {
      const a = performance.now();
      hub.record('step.duration_ms', i % 500, { journey: 'chatMessaging', step: `s${i % 3}` });
      costs.push(performance.now() - a);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const closeStart = Date.now();
  const stats = await hub.close(Date.now() + 800);
  const closeMs = Date.now() - closeStart;
  costs.sort((a, b) => a - b);
  return { sink, hub, mem, stats: stats.influxdb!, closeMs, recordP99Ms: costs[Math.floor(costs.length * 0.99)] as number, records: costs.length };
}

describe('InfluxDB sink under faults (fake endpoints)', () => {
  it('an endpoint that hangs forever: record() stays fast, ticks keep time, writes time out, are retried, and all is counted', async () => {
    const hang = await fakeEndpoint(() => {}); // never answers
    try {
      const r = await driveHub({ api: 'v1', url: hang.url, db: 'x' }, 1500);
      expect(r.recordP99Ms).toBeLessThan(0.5);
      expect(r.hub.maxTickLateMs).toBeLessThan(60);
      expect(r.mem.intervals.length).toBeGreaterThanOrEqual(10); // ~15 expected in 1.5 s at 100 ms; slack for a loaded 2-core machine
      expect(r.closeMs).toBeLessThan(1500); // close honours its deadline even with a write in flight
      expect(hang.requests).toBeGreaterThanOrEqual(3); // attempts, then retries after each timeout
      expect(r.sink.stats().retried).toBeGreaterThan(0);
      expect(r.stats.delivered).toBe(0);
      expect(r.stats.generated).toBe(r.stats.delivered + r.stats.spilled + r.stats.dropped);
      expect(r.stats.dropped).toBe(r.stats.generated);
      // generated is exactly what the hub produced: one line per series per interval, plus no events
      const expectedLines = r.mem.intervals.reduce((n, s) => n + s.series.length, 0);
      expect(r.stats.generated).toBe(expectedLines);
      expect(r.sink.errors.join('\n')).toMatch(/timed out/);
    } finally {
      await hang.close();
    }
  });

  it('an endpoint that answers 503: each batch is tried maxAttempts times with backoff, then dropped, counted exactly', async () => {
    const unavailable = await fakeEndpoint((_req, res) => res.writeHead(503).end('{"error":"overloaded"}'));
    try {
      const r = await driveHub({ api: 'v2', url: unavailable.url, token: 't', org: 'o', bucket: 'b', batchSize: 1_000_000 }, 800);
      expect(r.recordP99Ms).toBeLessThan(0.5);
      expect(r.stats.delivered).toBe(0);
      expect(r.stats.dropped).toBe(r.stats.generated);
      // every request is one attempt; every failed batch made maxAttempts of them unless cut by the close deadline
      expect(unavailable.requests).toBe(r.sink.attempts);
      expect(r.sink.attempts).toBeGreaterThanOrEqual(3);
      expect(r.stats.retried).toBeGreaterThan(0);
      expect(r.sink.errors.join('\n')).toMatch(/HTTP 503/);
    } finally {
      await unavailable.close();
    }
  });

  it('with spillPath, undeliverable lines go to a replayable file: spilled equals the lines in it', async () => {
    const unavailable = await fakeEndpoint((_req, res) => res.writeHead(503).end());
    const spillPath = join(dir, 'spill.lp');
    try {
      const r = await driveHub({ api: 'v1', url: unavailable.url, db: 'x', spillPath }, 600);
      const spilledLines = (await readFile(spillPath, 'utf8')).split('\n').filter(Boolean);
      expect(r.stats.spilled).toBe(spilledLines.length);
      expect(r.stats.generated).toBe(r.stats.delivered + r.stats.spilled + r.stats.dropped);
      expect(r.stats.spilled).toBeGreaterThan(0);
      expect(spilledLines[0]).toMatch(/^step\.duration_ms,journey=chatMessaging,phase=setup,run=faults,shard=1\/1,step=s\d count=/);
    } finally {
      await unavailable.close();
    }
  });
});

describe('InfluxDB sink under faults (fake endpoints): a bounded buffer, refused writes, retries', () => {
  it('a bounded buffer drops the oldest lines when the store is down, and counts them', async () => {
    const hang = await fakeEndpoint(() => {});
    try {
      const r = await driveHub({ api: 'v1', url: hang.url, db: 'x', maxBufferLines: 10, batchSize: 5, writeTimeoutMs: 2000 }, 1000);
      expect(r.sink.overflowDropped).toBeGreaterThan(0);
      expect(r.stats.generated).toBe(r.stats.delivered + r.stats.spilled + r.stats.dropped);
      expect(r.stats.dropped).toBe(r.stats.generated);
    } finally {
      await hang.close();
    }
  });

  it('a refused write (404 database not found) is not retried, and no message says it will be: retried 0 agrees', async () => {
    const notFound = await fakeEndpoint((_req, res) => res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"database not found: \\"nodb\\""}'));
    try {
      const warnings: string[] = [];
      const sink = new InfluxSink({ api: 'v1', url: notFound.url, db: 'nodb', flushIntervalMs: 20, onWarning: (m) => warnings.push(m) });
      for (let i = 0; i < 3; i++) sink.writeEvent({ timeMs: Date.now(), type: 'user_start', message: `u${i}` });
      await new Promise((r) => setTimeout(r, 300));
      sink.writeEvent({ timeMs: Date.now(), type: 'user_start', message: 'u3' });
      const stats = await sink.close(Date.now() + 2000);
      expect(stats).toEqual({ generated: 4, delivered: 0, retried: 0, spilled: 0, dropped: 4 });
      expect(sink.attempts).toBe(notFound.requests);
      expect(notFound.requests).toBe(2); // one per batch, none repeated
      // every failure message says what became of the lines, and none announces a retry
      for (const m of sink.errors) expect(m).toMatch(/lines (dropped|spilled)|retry \d+ of \d+/);
      expect(sink.errors.join('\n')).not.toMatch(/retry \d+ of/);
      expect(warnings[0]).toMatch(/database not found.*not retried.*3 lines dropped \(3 of 3 so far\)/);
    } finally {
      await notFound.close();
    }
  });

  it('a store that fails each batch once: every announced retry is sent, and retried counts exactly those lines', async () => {
    const seenBodies = new Set<string>();
    const flaky = await fakeEndpoint((_req, res, body) => {
      const first = !seenBodies.has(body);
      seenBodies.add(body);
      res.writeHead(first ? 503 : 204).end();
    });
    try {
      const sink = new InfluxSink({ api: 'v2', url: flaky.url, token: 't', org: 'o', bucket: 'b', flushIntervalMs: 30, retryBaseMs: 10 });
      let n = 0;
      for (let batch = 0; batch < 5; batch++) {
        for (let k = 0; k <= batch; k++) sink.writeEvent({ timeMs: Date.now() + n, type: 'user_start', message: `u${n++}` });
        await new Promise((r) => setTimeout(r, 150));
      }
      const stats = await sink.close(Date.now() + 3000);
      const batches = seenBodies.size;
      expect(batches).toBeGreaterThanOrEqual(3);
      expect(stats).toEqual({ generated: n, delivered: n, retried: n, spilled: 0, dropped: 0 });
      expect(sink.attempts).toBe(2 * batches);
      const announced = sink.errors.filter((m) => /retry 1 of 3/.test(m));
      expect(announced).toHaveLength(batches);
      // the lines announced for retry add up to the retried figure
      expect(announced.reduce((sum, m) => sum + Number(/write of (\d+) lines/.exec(m)?.[1]), 0)).toBe(stats.retried);
    } finally {
      await flaky.close();
    }
  });
});

describe('InfluxDB sink under faults (fake endpoints): secrets stay out of messages', () => {
  it('never lets a token or password reach its messages, even when the server echoes them', async () => {
    const echo = await fakeEndpoint((req, res) => res.writeHead(401).end(`unauthorized: ${req.headers.authorization} for ${req.url}`));
    try {
      const token = 'sup3r-s3cret-t0ken';
      const password = 'hunter2-p4ss';
      const warnings: string[] = [];
      for (const opts of [
        { api: 'v2', url: echo.url, token, org: 'o', bucket: 'b' },
        { api: 'v1', url: echo.url, db: 'x', user: 'fleet', password },
        { api: 'v1', url: echo.url.replace('http://', `http://fleet:${password}@`), db: 'x' },
      ] as InfluxOptions[]) {
        const sink = new InfluxSink({ ...opts, name: `influx ${opts.url}`, onWarning: (m) => warnings.push(m) });
        sink.writeEvent({ timeMs: Date.now(), type: 'run_start', message: 'hi' });
        const stats = await sink.close(Date.now() + 2000);
        expect(stats.dropped).toBe(1); // 401 is not retryable: dropped at once
        expect(sink.attempts).toBe(1);
        const problems = await preflightInflux(opts);
        expect(problems).toHaveLength(1);
        warnings.push(sink.name, ...sink.errors, ...problems, sink.redact(`url ${opts.url}`));
      }
      // a URL the sink cannot parse is refused with an error that does not repeat the password
      expect(() => new InfluxSink({ api: 'v1', url: `http://fleet:${password}@[::1`, db: 'x' })).toThrow(/not a valid URL/);
      try {
        new InfluxSink({ api: 'v1', url: `http://fleet:${password}@[::1`, db: 'x' });
      } catch (err) {
        warnings.push(String(err));
      }
      const all = warnings.join('\n');
      expect(all).toMatch(/HTTP 401/);
      expect(all).toMatch(/refused the (token|credentials)/);
      expect(all).toMatch(/\*\*\*/);
      expect(all).not.toContain(token);
      expect(all).not.toContain(password);
      expect(all).not.toContain(Buffer.from(`fleet:${password}`).toString('base64'));
    } finally {
      await echo.close();
    }
  });
});
