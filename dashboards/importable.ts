// What makes an emitted board importable into any Grafana, not only the provisioned one:
// `__inputs` (Grafana's import dialog asks for an InfluxDB datasource and writes its uid wherever
// `${DS_WADDLE_INFLUXDB}` appears: the datasource variable's default), `__requires`, and a
// schemaVersion the oldest Grafana we support understands.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';

/**
 * Grafana migrates a dashboard of an older schemaVersion up when it loads it, but cannot know a newer
 * one: the foundation SDK (v0.0.21) writes 42 (Grafana 12). 39 is the schema of Grafana 10.4–11.3
 * (11.5 exports 40, 11.6 exports 41), so docker/compose.yaml's pinned grafana/grafana:11.3.0 and every
 * later Grafana load these boards as written; nothing in them depends on migrations 40–42
 * (refresh is a string, no time-picker options, no hideFrom).
 */
export const grafanaSchemaVersion = 39;

/** The Grafana image docker/compose.yaml pins; test/docker.test.ts checks they agree. */
export const grafanaVersionPinned = '11.3.0';

export const datasourceInput = {
  name: 'DS_WADDLE_INFLUXDB',
  label: 'InfluxDB',
  description: 'The InfluxDB (InfluxQL) datasource the waddle-fleet sink writes to (InfluxDB 1.x, or 2.x through a DBRP mapping)',
  type: 'datasource',
  pluginId: 'influxdb',
  pluginName: 'InfluxDB',
} as const;

export interface ImportableDashboard extends Dashboard {
  readonly __inputs: readonly (typeof datasourceInput)[];
  readonly __requires: readonly { type: string; id: string; name: string; version: string }[];
}

function panelTypes(dashboard: Dashboard): string[] {
  const types = new Set<string>();
  for (const p of (dashboard.panels ?? []) as { type?: string }[]) if (p.type && p.type !== 'row') types.add(p.type);
  return [...types].sort();
}

export function importable(dashboard: Dashboard): ImportableDashboard {
  const requires = [
    { type: 'grafana', id: 'grafana', name: 'Grafana', version: grafanaVersionPinned },
    { type: 'datasource', id: 'influxdb', name: 'InfluxDB', version: '1.0.0' },
    ...panelTypes(dashboard).map((id) => ({ type: 'panel', id, name: id === 'timeseries' ? 'Time series' : id === 'stat' ? 'Stat' : id, version: '' })),
  ];
  return { __inputs: [datasourceInput], __requires: requires, ...dashboard, schemaVersion: grafanaSchemaVersion };
}
