// Finds every query a dashboard will run: panel targets (rows included), variable queries and
// annotation targets. Used by the tests that execute them against a real InfluxDB, and handy for
// linting generated boards.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';

export interface FoundQuery {
  readonly where: string; // "panel 'Bitrate (mean)' A", "variable run", "annotation Phases"
  readonly query: string;
  readonly datasourceUid?: string;
}

interface Loose { [key: string]: unknown }

function targetsOf(panel: Loose): Loose[] {
  return Array.isArray(panel.targets) ? (panel.targets as Loose[]) : [];
}

export function dashboardQueries(dashboard: Dashboard): FoundQuery[] {
  const out: FoundQuery[] = [];
  const panels: Loose[] = [];
  for (const p of (dashboard.panels ?? []) as unknown as Loose[]) {
    panels.push(p);
    if (Array.isArray(p.panels)) panels.push(...(p.panels as Loose[]));
  }
  for (const panel of panels) {
    for (const t of targetsOf(panel)) {
      if (typeof t.query === 'string') out.push({ where: `panel '${String(panel.title)}' ${String(t.refId)}`, query: t.query, datasourceUid: (t.datasource as Loose | undefined)?.uid as string | undefined });
    }
  }
  for (const v of (dashboard.templating?.list ?? []) as unknown as Loose[]) {
    if (v.type === 'query' && typeof v.query === 'string') out.push({ where: `variable ${String(v.name)}`, query: v.query, datasourceUid: (v.datasource as Loose | undefined)?.uid as string | undefined });
  }
  for (const a of (dashboard.annotations?.list ?? []) as unknown as Loose[]) {
    const target = a.target as Loose | undefined;
    if (target && typeof target.query === 'string') out.push({ where: `annotation ${String(a.name)}`, query: target.query, datasourceUid: (a.datasource as Loose | undefined)?.uid as string | undefined });
  }
  return out;
}

export interface DatasourceRef {
  readonly path: string; // JSON path, e.g. "panels[3].targets[0].datasource"
  readonly type?: string;
  readonly uid?: string;
}

/**
 * Every datasource reference anywhere in a dashboard (panels, rows, targets, variables, annotations,
 * and anything a later SDK adds): each `datasource` key holding an object or a string.
 */
export function datasourceRefs(value: unknown, path = ''): DatasourceRef[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => datasourceRefs(v, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  const out: DatasourceRef[] = [];
  for (const [key, v] of Object.entries(value)) {
    const here = path ? `${path}.${key}` : key;
    if (key === 'datasource' && typeof v === 'string') out.push({ path: here, uid: v });
    else if (key === 'datasource' && v !== null && typeof v === 'object' && !Array.isArray(v)) out.push({ path: here, type: (v as Loose).type as string | undefined, uid: (v as Loose).uid as string | undefined });
    out.push(...datasourceRefs(v, here));
  }
  return out;
}

export interface Substitutions {
  readonly run: string;
  readonly fromMs: number;
  readonly toMs: number;
  /** Grafana's $__interval, e.g. '10s' */
  readonly interval: string;
  /** values for other variables; multi-value "All" is the variable's allValue ('.*') */
  readonly variables?: Readonly<Record<string, string>>;
}

const regexEscape = (s: string): string => s.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');

/** Substitutes variables the way Grafana's InfluxDB datasource does for raw InfluxQL. */
export function substitute(query: string, s: Substitutions): string {
  const intervalMs = parseDurationMs(s.interval);
  let q = query
    .replaceAll('$timeFilter', `time >= ${s.fromMs}ms and time <= ${s.toMs}ms`)
    .replaceAll('$__interval_ms', String(intervalMs))
    .replaceAll('$__interval', s.interval)
    .replaceAll('$run', regexEscape(s.run));
  for (const [name, value] of Object.entries(s.variables ?? {})) q = q.replaceAll(`$${name}`, value);
  return q;
}

function parseDurationMs(d: string): number {
  const m = /^(\d+)(ms|s|m|h)$/.exec(d);
  if (!m) throw new Error(`substitute: interval must look like '10s', got '${d}'`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
}
