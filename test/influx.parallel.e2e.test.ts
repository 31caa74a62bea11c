// The InfluxDB sink against REAL servers started here on loopback: InfluxDB 1.6.7 through the v1
// /write API, VictoriaMetrics through the v2 client (/api/v2/write). A hub run of a few real
// (timer-driven) intervals with synthetic samples is written to both the run folder and the store,
// then read back from both and compared, series by series.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsHub } from '../metrics/hub.ts';
import { InfluxSink, type InfluxOptions } from '../metrics/sinks/influx.ts';
import { RunFolderSink, createRunFolder, readRunFolder, type RunFolderContents } from '../metrics/sinks/run-folder.ts';
import type { SinkStats } from '../metrics/types.ts';
import { influxQuery, startInfluxdb1, startVictoriaMetrics, vmExport, type Influxdb1Store, type MetricStore } from './helpers/metric-stores.ts';

// tag values that need every kind of escaping (spaces, commas, '=', quotes, a backslash, unicode)
// (a backslash before , = space or at the end is not portable and becomes '/': see line-protocol.ts)
const JOURNEYS = ['chatMessaging', 'voice call, "eu"=1 C:\\dir ü🐧'];
const STEPS = ['send_message', 'join voice'];

let results = '';
beforeAll(async () => {
  results = await mkdtemp(join(tmpdir(), 'waddle-influx-e2e-'));
});
afterAll(async () => {
  await rm(results, { recursive: true, force: true });
});

async function runHub(runId: string, influx: InfluxOptions): Promise<{ folder: RunFolderContents; stats: Record<string, SinkStats>; hub: MetricsHub }> {
  const dir = await createRunFolder(results, runId);
  const hub = new MetricsHub({ runId, shard: '1/1', intervalMs: 250, sinks: [new RunFolderSink(dir), new InfluxSink({ ...influx, runId, shard: '1/1', flushIntervalMs: 100 })] });
  hub.start();
  hub.event({ timeMs: Date.now(), type: 'run_start', message: 'start "quoted" \\ ünï' });
  let i = 0;
  const t0 = Date.now();
  while (Date.now() - t0 < 1200) {
    if (Date.now() - t0 > 600) hub.setPhase('steady');
    for (let k = 0; k < 20; k++, i++) {
      const journey = JOURNEYS[i % 2] as string;
      const step = STEPS[(i >> 1) % 2] as string;
      hub.record('step.duration_ms', 10 + ((i * 37) % 900), { journey, step });
      hub.record('step.errors', i % 10 === 0 ? 1 : 0, { journey, step });
      hub.record('chat.messages_sent', 1, { journey });
      hub.record('users.active', i % 7);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  hub.event({ timeMs: Date.now(), type: 'step_error', reason: 'timeout', message: 'line1\nline2' });
  const stats = await hub.close(Date.now() + 10_000);
  return { folder: await readRunFolder(dir), stats, hub };
}

function expectIdentity(s: SinkStats | undefined): void {
  expect(s).toBeDefined();
  expect(s!.generated).toBe(s!.delivered + s!.spilled + s!.dropped);
  expect(s!.dropped).toBe(0);
  expect(s!.delivered).toBeGreaterThan(0);
}

describe('InfluxDB 1.6.7 through the v1 /write API', () => {
  let store: Influxdb1Store;
  beforeAll(async () => {
    store = await startInfluxdb1();
  });
  afterAll(async () => {
    await store?.stop();
  });

  it('holds exactly the interval aggregates the run folder holds, tags escaped and unescaped intact', async () => {
    const { folder, stats, hub } = await runHub('influx-v1', { api: 'v1', url: store.url, db: store.db });
    expectIdentity(stats.influxdb);
    expect(folder.intervals.length).toBeGreaterThanOrEqual(2);
    expect(new Set(folder.intervals.map((s) => s.phase))).toEqual(new Set(['setup', 'steady']));

    // every trend series of every interval: count and p95 at the interval end, per tag set
    const rows = await influxQuery(store, `SELECT "count", "p95", "max" FROM "step.duration_ms" WHERE "run" = 'influx-v1' GROUP BY *`);
    const fromInflux = new Map<string, number[]>();
    for (const series of rows) {
      for (const v of series.values) fromInflux.set(`${series.tags?.journey}|${series.tags?.step}|${series.tags?.phase}|${v[0]}`, [v[1] as number, v[2] as number, v[3] as number]);
    }
    let compared = 0;
    for (const snap of folder.intervals) {
      for (const s of snap.series.filter((x) => x.metric === 'step.duration_ms')) {
        const got = fromInflux.get(`${s.tags.journey}|${s.tags.step}|${snap.phase}|${snap.endMs}`);
        expect(got, `${s.tags.journey}/${s.tags.step} at ${snap.endMs}`).toEqual([s.count, s.p95, s.max]);
        compared++;
      }
    }
    expect(compared).toBe(fromInflux.size);
    expect(new Set(rows.map((r) => r.tags?.journey))).toEqual(new Set(JOURNEYS));
    expect(new Set(rows.map((r) => r.tags?.step))).toEqual(new Set(STEPS));

    // run totals: the sum of interval counts in InfluxDB equals the hub's count
    const sum = await influxQuery(store, `SELECT SUM("count") FROM "step.duration_ms" WHERE "run" = 'influx-v1'`);
    const total = hub.totals().filter((t) => t.metric === 'step.duration_ms').reduce((n, t) => n + t.count, 0);
    expect(sum[0]?.values[0]?.[1]).toBe(total);
    const rate = await influxQuery(store, `SELECT SUM("nonZero"), SUM("count") FROM "step.errors" WHERE "run" = 'influx-v1'`);
    const errTotals = hub.totals().filter((t) => t.metric === 'step.errors');
    expect(rate[0]?.values[0]?.slice(1)).toEqual([errTotals.reduce((n, t) => n + (t.nonZero ?? 0), 0), errTotals.reduce((n, t) => n + t.count, 0)]);
    const gauge = await influxQuery(store, `SELECT "last", "max" FROM "users.active" WHERE "run" = 'influx-v1'`);
    expect(gauge[0]?.values).toHaveLength(folder.intervals.filter((s) => s.series.some((x) => x.metric === 'users.active')).length);

    // events: type/reason tags, message string with quotes, backslash, unicode; newline as \n
    const ev = await influxQuery(store, `SELECT "message", "type", "reason" FROM "events" WHERE "run" = 'influx-v1'`);
    const messages = (ev[0]?.values ?? []).map((v) => v[1]);
    expect(messages).toContain('start "quoted" \\ ünï');
    expect(messages).toContain('line1\\nline2');
    expect((ev[0]?.values ?? []).length).toBe(folder.events.length);
  });

  it('no lost points: events of one type in the same millisecond (two users starting at once) are all kept', async () => {
    const runId = 'same-ms';
    const sink = new InfluxSink({ api: 'v1', url: store.url, db: store.db, runId, shard: '1/1' });
    const t = Date.now();
    // three users start in the same millisecond, one a millisecond later, and a different type in between
    for (const [dt, type, message] of [[0, 'user_start', 'u1'], [0, 'user_start', 'u2'], [0, 'step_error', 'e1'], [0, 'user_start', 'u3'], [1, 'user_start', 'u4']] as const) {
      sink.writeEvent({ timeMs: t + dt, type, message });
    }
    const stats = await sink.close(Date.now() + 5000);
    expect(stats).toMatchObject({ generated: 5, delivered: 5, dropped: 0 });
    const rows = await influxQuery(store, `SELECT "message" FROM "events" WHERE "run" = '${runId}' AND "type" = 'user_start'`);
    const messages = (rows[0]?.values ?? []).map((v) => v[1]);
    expect(messages.sort()).toEqual(['u1', 'u2', 'u3', 'u4']);
    // and every one still reads back in its own millisecond (the sequence only uses sub-millisecond digits)
    expect((rows[0]?.values ?? []).map((v) => v[0])).toEqual([t, t, t, t + 1]);
  });
});

describe('VictoriaMetrics through the v2 client (/api/v2/write)', () => {
  let store: MetricStore;
  beforeAll(async () => {
    store = await startVictoriaMetrics();
  });
  afterAll(async () => {
    await store?.stop();
  });

  it('holds the same counts and values as the run folder', async () => {
    const { folder, stats } = await runHub('influx-v2', { api: 'v2', url: store.url, token: 'vm-token', org: 'waddle', bucket: 'fleet' });
    expectIdentity(stats.influxdb);
    // VictoriaMetrics names a field <measurement>_<field>. New series become searchable a little
    // after ingestion (its index is eventually consistent), so read until the expected points show.
    const expectedPoints = folder.intervals.reduce((n, snap) => n + 2 * snap.series.filter((x) => x.metric === 'step.duration_ms').length, 0);
    let counts: Awaited<ReturnType<typeof vmExport>> = [];
    const vmPoints = new Map<string, number>();
    for (const t0 = Date.now(); Date.now() - t0 < 15_000; await new Promise((r) => setTimeout(r, 250))) {
      counts = await vmExport(store.url, '{__name__="step.duration_ms_count",run="influx-v2"}');
      const p99 = await vmExport(store.url, '{__name__="step.duration_ms_p99",run="influx-v2"}');
      vmPoints.clear();
      for (const c of counts) c.timestamps.forEach((t, i) => vmPoints.set(`${c.metric.journey}|${c.metric.step}|${c.metric.phase}|${t}|count`, c.values[i] as number));
      for (const c of p99) c.timestamps.forEach((t, i) => vmPoints.set(`${c.metric.journey}|${c.metric.step}|${c.metric.phase}|${t}|p99`, c.values[i] as number));
      if (vmPoints.size >= expectedPoints) break;
    }
    expect(new Set(counts.map((c) => c.metric.journey))).toEqual(new Set(JOURNEYS));
    let compared = 0;
    for (const snap of folder.intervals) {
      for (const s of snap.series.filter((x) => x.metric === 'step.duration_ms')) {
        const k = `${s.tags.journey}|${s.tags.step}|${snap.phase}|${snap.endMs}`;
        expect(vmPoints.get(`${k}|count`), k).toBe(s.count);
        expect(vmPoints.get(`${k}|p99`), k).toBe(s.p99);
        compared += 2;
      }
    }
    expect(compared).toBe(vmPoints.size);
    const sent = await vmExport(store.url, '{__name__="chat.messages_sent_value",run="influx-v2"}');
    const folderSum = folder.intervals.flatMap((s) => s.series).filter((s) => s.metric === 'chat.messages_sent').reduce((n, s) => n + s.sum, 0);
    expect(sent.flatMap((s) => s.values).reduce((a, b) => a + b, 0)).toBe(folderSum);
  });
});
