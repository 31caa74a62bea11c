// Time series for the report's charts, built from interval snapshots (never raw samples).
// Long runs are bounded: adjacent intervals merge until a chart has at most maxPoints points.
// Merging rules keep the truth visible: percentiles and gauges take the worst (max) of the merged
// intervals, so a spike is never averaged away; means and per-minute rates are recomputed from
// sums, counts and durations. Percentiles are never averaged (DESIGN.md).
import type { IntervalSnapshot, SeriesAggregate } from '../metrics/types.ts';

export type SeriesField = 'p50' | 'p95' | 'p99' | 'max' | 'mean' | 'last' | 'sum' | 'perMinute' | 'ratePct';

export interface ChartQuery {
  readonly metric: string;
  readonly field: SeriesField;
  /** tag keys that name a line, e.g. ['journey', 'step']; series sharing a name merge */
  readonly by?: readonly string[];
  /** keep only series whose tags match */
  readonly where?: Readonly<Record<string, string>>;
  /** prefix for the line name, e.g. 'p95' */
  readonly label?: string;
}

export interface ChartDef {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly group: string;
  readonly queries: readonly ChartQuery[];
  /** many lines (one per step): show only this many, the highest peaks, and let the reader pick the rest */
  readonly top?: number;
}

export interface ChartData {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly group: string;
  /** seconds since epoch, the start of each (merged) interval */
  readonly x: number[];
  /** in drawing order; with `top`, the highest peak first */
  readonly series: ChartSeries[];
  /** how many series are shown before the reader picks more (all when absent) */
  readonly shownByDefault?: number;
}

export interface ChartSeries {
  readonly label: string;
  readonly values: (number | null)[];
  /** false: drawn only when the reader selects it */
  readonly shown?: boolean;
  /** the highest value over the run */
  readonly peak?: number;
}

/** the step latency charts show this many lines by default: the slowest by peak */
export const STEP_CHART_TOP = 6;

// levels: series present in the cell, including gauges the hub carried into an interval with count 0
interface Cell { count: number; levels: number; sum: number; max: number; p50: number; p95: number; p99: number; last: number; nonZero: number; durationMs: number }

const emptyCell = (durationMs: number): Cell => ({ count: 0, levels: 0, sum: 0, max: -Infinity, p50: -Infinity, p95: -Infinity, p99: -Infinity, last: 0, nonZero: 0, durationMs });

/** Adds one series into a cell of the same interval: levels of different series add up (users of all journeys). */
function addSeries(cell: Cell, s: SeriesAggregate): void {
  cell.count += s.count;
  if (s.last !== undefined) cell.levels += 1;
  cell.sum += s.sum;
  cell.max = Math.max(cell.max, s.max);
  cell.p50 = Math.max(cell.p50, s.p50 ?? -Infinity);
  cell.p95 = Math.max(cell.p95, s.p95 ?? -Infinity);
  cell.p99 = Math.max(cell.p99, s.p99 ?? -Infinity);
  cell.last += s.last ?? 0;
  cell.nonZero += s.nonZero ?? 0;
}

/** Merges a later interval's cell into an earlier one: levels take the peak, durations add. */
function mergeAcross(into: Cell, from: Cell): void {
  into.count += from.count;
  into.levels += from.levels;
  into.sum += from.sum;
  into.max = Math.max(into.max, from.max);
  into.p50 = Math.max(into.p50, from.p50);
  into.p95 = Math.max(into.p95, from.p95);
  into.p99 = Math.max(into.p99, from.p99);
  into.last = Math.max(into.last, from.last);
  into.nonZero += from.nonZero;
  into.durationMs += from.durationMs;
}

function valueOf(cell: Cell, field: SeriesField): number | null {
  // a gauge's level holds through intervals where nobody updated it (count 0)
  if (cell.count === 0 && field !== 'sum' && field !== 'perMinute' && !(field === 'last' && cell.levels > 0)) return null;
  const finite = (v: number): number | null => (Number.isFinite(v) ? Math.round(v * 1000) / 1000 : null);
  switch (field) {
    case 'p50': return finite(cell.p50);
    case 'p95': return finite(cell.p95);
    case 'p99': return finite(cell.p99);
    case 'max': return finite(cell.max);
    case 'mean': return finite(cell.sum / cell.count);
    case 'last': return finite(cell.last);
    case 'sum': return finite(cell.sum);
    case 'perMinute': return cell.durationMs > 0 ? finite(cell.sum / (cell.durationMs / 60_000)) : null;
    case 'ratePct': return finite((cell.nonZero / cell.count) * 100);
  }
}

function matches(s: SeriesAggregate, q: ChartQuery): boolean {
  if (s.metric !== q.metric) return false;
  if (q.where) for (const key in q.where) if (s.tags[key] !== q.where[key]) return false;
  return true;
}

/** The line a series belongs to; a `by` tag the series lacks (e.g. no driver tag) is left out of the name. */
function lineName(s: SeriesAggregate, q: ChartQuery): string {
  const parts: string[] = [];
  if (q.by) for (const key of q.by) if (s.tags[key] !== undefined) parts.push(s.tags[key]);
  const name = parts.join(' / ');
  if (q.label && name) return `${q.label} ${name}`;
  return q.label ?? (name || q.metric);
}

/** How many adjacent intervals merge into one point so a chart has at most maxPoints points. */
export function bucketSize(intervalCount: number, maxPoints: number): number {
  return Math.max(1, Math.ceil(intervalCount / Math.max(1, maxPoints)));
}

/** Index series by metric once, so many charts over many intervals stay linear. */
export function indexByMetric(intervals: readonly IntervalSnapshot[]): Map<string, SeriesAggregate[]>[] {
  return intervals.map((interval) => {
    const byMetric = new Map<string, SeriesAggregate[]>();
    for (const s of interval.series) {
      let list = byMetric.get(s.metric);
      if (!list) byMetric.set(s.metric, (list = []));
      list.push(s);
    }
    return byMetric;
  });
}

/** Builds one chart's data; an empty `series` means the run has no data for it. */
export function buildChart(def: ChartDef, intervals: readonly IntervalSnapshot[], indexed: Map<string, SeriesAggregate[]>[], maxPoints = 2000): ChartData {
  const size = bucketSize(intervals.length, maxPoints);
  const x: number[] = [];
  const lines = new Map<string, (Cell | undefined)[]>();
  const fieldOf = new Map<string, SeriesField>();
  for (let start = 0, bucket = 0; start < intervals.length; start += size, bucket++) {
    x.push(Math.round(intervals[start]!.startMs / 1000));
    for (let i = start; i < Math.min(intervals.length, start + size); i++) {
      const interval = intervals[i]!;
      const durationMs = interval.endMs - interval.startMs;
      const perLine = new Map<string, Cell>();
      for (const q of def.queries) {
        for (const s of indexed[i]!.get(q.metric) ?? []) {
          if (!matches(s, q)) continue;
          const name = lineName(s, q);
          fieldOf.set(name, q.field);
          let cell = perLine.get(name);
          if (!cell) perLine.set(name, (cell = emptyCell(durationMs)));
          addSeries(cell, s);
        }
      }
      for (const [name, cell] of perLine) {
        let cells = lines.get(name);
        if (!cells) lines.set(name, (cells = []));
        const existing = cells[bucket];
        if (existing) mergeAcross(existing, cell);
        else cells[bucket] = cell;
      }
    }
  }
  const series = [...lines.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([label, cells]) => ({ label, values: x.map((_, b) => (cells[b] ? valueOf(cells[b], fieldOf.get(label)!) : null)) }))
    .filter((s) => s.values.some((v) => v !== null));
  const base = { id: def.id, title: def.title, unit: def.unit, group: def.group, x };
  if (def.top === undefined || series.length <= def.top) return { ...base, series };
  return { ...base, series: topFirst(series, def.top), shownByDefault: def.top };
}

/** Highest peak first (ties by name); the first `top` shown, the rest selectable. */
function topFirst(series: { label: string; values: (number | null)[] }[], top: number): ChartSeries[] {
  const peakOf = (values: (number | null)[]): number => values.reduce<number>((m, v) => (v !== null && v > m ? v : m), -Infinity);
  return series
    .map((s) => ({ ...s, peak: peakOf(s.values) }))
    .sort((a, b) => b.peak - a.peak || a.label.localeCompare(b.label))
    .map((s, i) => ({ ...s, shown: i < top }));
}

const media = ['kind', 'direction'] as const;

/** The report's charts: what users feel first, then media, then the machines. */
export const reportCharts: readonly ChartDef[] = [
  { id: 'users-active', group: 'Load', title: 'Active users per journey', unit: 'users', queries: [{ metric: 'users.active', field: 'last', by: ['journey'] }] },
  { id: 'step-p95', group: 'Latency', title: 'Step latency p95 by step', unit: 'ms', top: STEP_CHART_TOP, queries: [{ metric: 'step.duration_ms', field: 'p95', by: ['journey', 'step', 'driver'] }] },
  { id: 'step-p99', group: 'Latency', title: 'Step latency p99 by step', unit: 'ms', top: STEP_CHART_TOP, queries: [{ metric: 'step.duration_ms', field: 'p99', by: ['journey', 'step', 'driver'] }] },
  { id: 'step-errors', group: 'Latency', title: 'Step error rate by journey', unit: '%', queries: [{ metric: 'step.errors', field: 'ratePct', by: ['journey'] }] },
  // by driver: browser users' delivery (rendered in a page) and protocol users' are different measurements
  { id: 'chat-delivery', group: 'Chat', title: 'Chat delivery latency', unit: 'ms', queries: (['p50', 'p95', 'p99'] as const).map((p) => ({ metric: 'chat.delivery_ms', field: p, label: p, by: ['driver'] })) },
  { id: 'chat-rate', group: 'Chat', title: 'Messages per minute', unit: 'msg/min', queries: [{ metric: 'chat.messages_sent', field: 'perMinute', label: 'sent', by: ['driver'] }, { metric: 'chat.messages_received', field: 'perMinute', label: 'received', by: ['driver'] }] },
  { id: 'webrtc-bitrate', group: 'WebRTC', title: 'WebRTC bitrate (mean) by kind and direction', unit: 'kbps', queries: [{ metric: 'webrtc.bitrate_kbps', field: 'mean', by: media }] },
  { id: 'webrtc-loss', group: 'WebRTC', title: 'Packet loss p95', unit: '%', queries: [{ metric: 'webrtc.packets_lost_pct', field: 'p95', by: media }] },
  { id: 'webrtc-jitter', group: 'WebRTC', title: 'Jitter p95', unit: 'ms', queries: [{ metric: 'webrtc.jitter_ms', field: 'p95', by: media }] },
  { id: 'webrtc-rtt', group: 'WebRTC', title: 'Round-trip time p95', unit: 'ms', queries: [{ metric: 'webrtc.rtt_ms', field: 'p95', by: media }] },
  { id: 'webrtc-freezes', group: 'WebRTC', title: 'Video freezes per minute', unit: 'freezes/min', queries: [{ metric: 'webrtc.video.freeze_count', field: 'perMinute', by: media }] },
  { id: 'webrtc-mos', group: 'WebRTC', title: 'Audio MOS (p50)', unit: 'MOS', queries: [{ metric: 'webrtc.audio.mos', field: 'p50', by: media }] },
  { id: 'generator-cpu', group: 'Generator', title: 'Generator CPU', unit: '%', queries: [{ metric: 'generator.cpu_pct', field: 'last', label: 'fleet (% of machine)' }, { metric: 'generator.system_cpu_pct', field: 'last', label: 'machine busy' }] },
  { id: 'generator-memory', group: 'Generator', title: 'Generator memory', unit: 'MB', queries: [{ metric: 'generator.memory_mb', field: 'last', label: 'fleet RSS' }, { metric: 'generator.node_heap_mb', field: 'last', label: 'node heap (main thread)' }, { metric: 'generator.worker_heap_mb', field: 'last', label: 'protocol worker heaps' }] },
  { id: 'generator-loop', group: 'Generator', title: 'Generator event-loop delay p99', unit: 'ms', queries: [{ metric: 'generator.event_loop_delay_ms', field: 'p99', label: 'p99' }] },
  { id: 'generator-gc', group: 'Generator', title: 'Generator longest GC pause', unit: 'ms', queries: [{ metric: 'generator.gc_pause_ms', field: 'max', by: ['thread', 'kind'] }] },
  // an SFU (reference Waddle --media sfu) is a process of its own beside the server: its own line
  { id: 'target-cpu', group: 'Target', title: 'Target CPU', unit: '% of one core', queries: [{ metric: 'target.cpu_pct', field: 'last', label: 'target' }, { metric: 'target.sfu_cpu_pct', field: 'last', label: 'SFU' }, { metric: 'target.sfu_cpu_limit_pct', field: 'last', label: 'SFU limit' }] },
  { id: 'target-memory', group: 'Target', title: 'Target memory', unit: 'MB', queries: [{ metric: 'target.memory_mb', field: 'last', label: 'target RSS' }, { metric: 'target.sfu_memory_mb', field: 'last', label: 'SFU RSS' }] },
];

/** All report charts; charts without data come back with an empty `series`. */
export function buildReportCharts(intervals: readonly IntervalSnapshot[], maxPoints = 2000): ChartData[] {
  const indexed = indexByMetric(intervals);
  return reportCharts.map((def) => buildChart(def, intervals, indexed, maxPoints));
}
