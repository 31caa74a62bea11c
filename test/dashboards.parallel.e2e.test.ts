// Every query in the generated Grafana dashboards runs against a real InfluxDB 1.6.7 holding a run
// written by the real InfluxDB sink (metrics/sinks/influx.ts), and returns data. This proves the
// boards read exactly the measurements, tags and fields the sink writes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboards } from '../dashboards/index.ts';
import { dashboardQueries, substitute } from '../dashboards/walk.ts';
import { createInfluxSink } from '../metrics/sinks/influx.ts';
import { makeFixtureRun } from '../reports/testing/fixture-run.ts';
import { influxQuery, startInfluxdb1, type Influxdb1Store } from './helpers/metric-stores.ts';

// every per-user series of a real run carries its driver: browser users and, for two journeys, protocol users too
const run = makeFixtureRun({ runId: '20250115-100000-stress-c0de-shard1of1', intervalCount: 24, seed: 9, drivers: { videoCall: ['browser', 'protocol'], chatMessaging: ['browser', 'protocol'], fileUpload: ['browser'] } });
let influx: Influxdb1Store | undefined;

beforeAll(async () => {
  influx = await startInfluxdb1();
  const sink = createInfluxSink({ api: 'v1', url: influx.url, db: influx.db });
  for (const interval of run.intervals) sink.writeInterval(interval);
  for (const event of run.events) sink.writeEvent(event);
  const stats = await sink.close(Date.now() + 20_000);
  expect(stats.dropped + stats.spilled, 'the sink delivered everything').toBe(0);
});

afterAll(async () => {
  await influx?.stop();
});

const fromMs = run.intervals[0]!.startMs - 60_000;
const toMs = run.intervals[run.intervals.length - 1]!.endMs + 60_000;
const dashboards = buildDashboards();

const hasValue = (series: Awaited<ReturnType<typeof influxQuery>>): boolean =>
  series.some((s) => s.values.some((row) => row.slice(1).some((v) => v !== null && v !== undefined && v !== '')));

describe('Grafana dashboards against a real InfluxDB', () => {
  it('the run and journey variables list what the sink wrote', async () => {
    const overview = dashboards['waddle-overview.json']!;
    const queries = Object.fromEntries(dashboardQueries(overview).filter((q) => q.where.startsWith('variable')).map((q) => [q.where, q.query]));
    const runs = await influxQuery(influx!, queries['variable run']!);
    expect(runs.flatMap((s) => s.values.map((v) => v[1]))).toContain(run.summary.runId);
    const journeys = await influxQuery(influx!, substitute(queries['variable journey']!, { run: run.summary.runId, fromMs, toMs, interval: '10s' }));
    expect(journeys.flatMap((s) => s.values.map((v) => v[1])).sort()).toEqual(['chatMessaging', 'fileUpload', 'videoCall']);
  });

  for (const [file, dashboard] of Object.entries(dashboards)) {
    it(`${file}: every panel, variable and annotation query returns data`, async () => {
      const queries = dashboardQueries(dashboard);
      expect(queries.length).toBeGreaterThan(5);
      const empty: string[] = [];
      for (const q of queries) {
        expect(q.datasourceUid, q.where).toBe('${datasource}');
        for (const journey of ['.*', '(videoCall|chatMessaging|fileUpload)']) {
          const text = substitute(q.query, { run: run.summary.runId, fromMs, toMs, interval: '10s', variables: { journey, kind: '.*', driver: '.*' } });
          expect(text, `${q.where}: unsubstituted variable`).not.toMatch(/\$(?!tag_)\w/);
          const series = await influxQuery(influx!, text);
          if (!hasValue(series)) empty.push(`${q.where} (journey=${journey}): ${text}`);
        }
      }
      expect(empty).toEqual([]);
    });
  }

  it('a query for another run returns nothing (the run filter is real)', async () => {
    const q = dashboardQueries(dashboards['waddle-overview.json']!).find((x) => x.where.startsWith("panel 'Active users by journey and driver'"))!;
    const series = await influxQuery(influx!, substitute(q.query, { run: 'some-other-run', fromMs, toMs, interval: '10s', variables: { journey: '.*', driver: '.*' } }));
    expect(hasValue(series)).toBe(false);
    // and a misspelled field finds nothing, so the per-panel check above can fail
    const wrong = await influxQuery(influx!, substitute(q.query.replace('"last"', '"lastt"'), { run: run.summary.runId, fromMs, toMs, interval: '10s', variables: { journey: '.*', driver: '.*' } }));
    expect(hasValue(wrong)).toBe(false);
  });
});
