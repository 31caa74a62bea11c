import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogue } from '../metrics/catalogue.ts';
import { buildDashboards, writeDashboards } from './index.ts';
import { datasourceInput, grafanaSchemaVersion } from './importable.ts';
import { dashboardQueries, datasourceRefs, substitute } from './walk.ts';

const boards = buildDashboards();

describe('dashboards as code', () => {
  it('every panel query reads a catalogue metric (or events) through the datasource variable', () => {
    for (const [file, dashboard] of Object.entries(boards)) {
      const queries = dashboardQueries(dashboard);
      expect(queries.length, file).toBeGreaterThan(5);
      for (const q of queries.filter((x) => x.where.startsWith('panel'))) {
        expect(q.datasourceUid, `${file} ${q.where}`).toBe('${datasource}');
        const measurements = [...q.query.matchAll(/FROM "([^"]+)"/g)].map((m) => m[1]!);
        expect(measurements.length, `${file} ${q.where}`).toBeGreaterThan(0);
        for (const m of measurements) expect(m === 'events' || m in catalogue, `${file} ${q.where}: unknown measurement ${m}`).toBe(true);
        expect(q.query, `${file} ${q.where}`).toContain('"run" =~ /^$run$/');
        expect(q.query, `${file} ${q.where}`).toContain('$timeFilter');
      }
    }
  });

  it('imports into any Grafana: no fixed datasource uid anywhere, every panel and target on the datasource variable', () => {
    for (const [file, dashboard] of Object.entries(boards)) {
      const refs = datasourceRefs(dashboard);
      expect(refs.length, file).toBeGreaterThan(10);
      const fixed = refs.filter((r) => r.uid !== '${datasource}' || r.type !== 'influxdb');
      expect(fixed, `${file}: datasource references not through \${datasource}`).toEqual([]);
      // every panel and every one of its targets names the datasource (none relies on a default)
      for (const panel of (dashboard.panels ?? []) as { type: string; title: string; datasource?: unknown; targets?: { datasource?: unknown }[] }[]) {
        if (panel.type === 'row') continue;
        expect(panel.datasource, `${file} '${panel.title}'`).toEqual({ type: 'influxdb', uid: '${datasource}' });
        expect(panel.targets?.length, `${file} '${panel.title}'`).toBeGreaterThan(0);
        for (const t of panel.targets ?? []) expect(t.datasource, `${file} '${panel.title}'`).toEqual({ type: 'influxdb', uid: '${datasource}' });
      }
      const variables = dashboard.templating?.list ?? [];
      // first, so the run/journey variables that query through it resolve after it
      expect(variables[0]).toMatchObject({ type: 'datasource', name: 'datasource', query: 'influxdb', multi: false, includeAll: false });
      expect(variables[0]?.current?.value).toBe(`\${${datasourceInput.name}}`);
      expect(dashboard.__inputs).toEqual([datasourceInput]);
      expect(dashboard.__requires.map((r) => r.id)).toEqual(expect.arrayContaining(['grafana', 'influxdb', 'timeseries']));
      expect(dashboard.schemaVersion).toBe(grafanaSchemaVersion);
      // the import input is used somewhere, or Grafana's import dialog would ask for nothing
      expect(JSON.stringify(dashboard)).toContain(`\${${datasourceInput.name}}`);
      expect(JSON.stringify(dashboard)).not.toContain('waddle-influx');
    }
  });

  it('datasourceRefs finds a fixed uid wherever it hides (so the check above can fail)', () => {
    const refs = datasourceRefs({ panels: [{ datasource: { type: 'influxdb', uid: 'abc' }, targets: [{ datasource: 'legacy-name' }] }], annotations: { list: [{ datasource: { uid: '${datasource}' } }] } });
    expect(refs).toEqual([
      { path: 'panels[0].datasource', type: 'influxdb', uid: 'abc' },
      { path: 'panels[0].targets[0].datasource', uid: 'legacy-name' },
      { path: 'annotations.list[0].datasource', type: undefined, uid: '${datasource}' },
    ]);
  });
});

describe('dashboards as code: boards, coverage and files', () => {
  it('has unique uids, a run variable and phase annotations on every board', () => {
    const uids = Object.values(boards).map((d) => d.uid);
    expect(new Set(uids).size).toBe(4);
    for (const d of Object.values(boards)) {
      expect(d.templating?.list?.map((v) => v.name)).toContain('run');
      expect(d.annotations?.list?.map((a) => a.name)).toContain('Phases');
    }
  });

  it('covers the overview, WebRTC, chat/uploads and generator-health metrics', () => {
    const all = Object.values(boards).flatMap(dashboardQueries).map((q) => q.query).join('\n');
    for (const metric of ['users.active', 'step.errors', 'step.duration_ms', 'chat.delivery_ms', 'chat.messages_sent', 'webrtc.bitrate_kbps', 'webrtc.packets_lost_pct',
      'webrtc.jitter_ms', 'webrtc.rtt_ms', 'webrtc.fps', 'webrtc.video.freeze_count', 'webrtc.audio.mos', 'upload.duration_ms', 'generator.cpu_pct',
      'generator.memory_mb', 'generator.event_loop_delay_ms', 'generator.browsers', 'generator.contexts', 'target.cpu_pct',
      'chat.history_load_ms', 'chat.history_page_ms', 'chat.history_pages', 'chat.history_messages', 'chat.scroll_long_frames', 'generator.cpu_wait_pct', 'generator.cpu_starved_pct',
      'connection.drops', 'connection.reconnects', 'connection.protocol_errors', 'generator.worker_heap_mb', 'generator.gc_pause_ms']) {
      expect(all, metric).toContain(`"${metric}"`);
    }
  });

  it('substitutes Grafana variables the way the InfluxDB datasource does', () => {
    expect(substitute('SELECT x FROM "m" WHERE "run" =~ /^$run$/ AND $timeFilter GROUP BY time($__interval)', { run: 'a.b', fromMs: 1, toMs: 2, interval: '10s' }))
      .toBe('SELECT x FROM "m" WHERE "run" =~ /^a\\.b$/ AND time >= 1ms and time <= 2ms GROUP BY time(10s)');
  });

  it('writes one JSON file per board', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'waddle-dash-'));
    try {
      const files = await writeDashboards(join(dir, 'out'));
      expect(files.map((f) => f.slice(dir.length + 5)).sort()).toEqual(['waddle-chat-uploads.json', 'waddle-generator.json', 'waddle-overview.json', 'waddle-webrtc.json']);
      for (const f of files) expect(JSON.parse(await readFile(f, 'utf8')).title).toMatch(/^Waddle fleet/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
