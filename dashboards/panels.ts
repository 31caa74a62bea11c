// Small helpers so each board reads as a list of panels: title, unit, InfluxQL targets.
// Measurement and field names follow the InfluxDB sink: measurement = metric name; tags run, shard,
// phase + the metric's tags; fields count/sum/min/max/mean/p50/p90/p95/p99 (trend), value (counter),
// nonZero/count (rate), last (gauge). Interval percentiles cannot be merged in InfluxQL, so panels
// show the worst interval/shard (max of p95): exact run percentiles are in report.html.
import { LegendDisplayMode, LegendPlacement, VizLegendOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { influxDatasource, InfluxQLQueryBuilder, journeyFilter, kindFilter, runFilter } from './influxql.ts';

export interface Target {
  readonly query: string;
  readonly alias?: string;
}

const refIds = 'ABCDEFGHIJ';

export function timeseries(title: string, unit: string, targets: readonly Target[], options: { span?: number; description?: string } = {}): TimeseriesPanelBuilder {
  const panel = new TimeseriesPanelBuilder()
    .title(title)
    .unit(unit)
    .datasource(influxDatasource)
    .height(8)
    .span(options.span ?? 12)
    .lineWidth(1)
    .fillOpacity(8)
    .spanNulls(false)
    .legend(new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom));
  if (options.description) panel.description(options.description);
  targets.forEach((t, i) => {
    const q = new InfluxQLQueryBuilder(t.query, refIds[i] ?? `Q${i}`);
    if (t.alias) q.alias(t.alias);
    panel.withTarget(q);
  });
  return panel;
}

export function stat(title: string, unit: string, target: Target, span = 6): StatPanelBuilder {
  const q = new InfluxQLQueryBuilder(target.query);
  if (target.alias) q.alias(target.alias);
  return new StatPanelBuilder().title(title).unit(unit).datasource(influxDatasource).height(4).span(span).withTarget(q);
}

type Where = 'journey' | 'kind' | 'none';

function where(filter: Where): string {
  return filter === 'journey' ? `${runFilter} AND ${journeyFilter}` : filter === 'kind' ? `${runFilter} AND ${kindFilter}` : runFilter;
}

function by(tags: readonly string[]): string {
  return ['time($__interval)', ...tags.map((t) => `"${t}"`)].join(', ');
}

function alias(tags: readonly string[], prefix = ''): string | undefined {
  const parts = tags.map((t) => `$tag_${t}`).join(' ');
  return [prefix, parts].filter(Boolean).join(' ') || undefined;
}

/** worst per-interval percentile of a trend */
export function trendPercentile(metric: string, p: 'p50' | 'p90' | 'p95' | 'p99' | 'max', tags: readonly string[], filter: Where, prefix: string = p): Target {
  return { query: `SELECT max("${p}") FROM "${metric}" WHERE ${where(filter)} GROUP BY ${by(tags)} fill(null)`, alias: alias(tags, prefix) };
}

/** exact mean of a trend over the Grafana interval, from sums and counts */
export function trendMean(metric: string, tags: readonly string[], filter: Where, prefix = 'mean'): Target {
  return { query: `SELECT sum("sum") / sum("count") FROM "${metric}" WHERE ${where(filter)} GROUP BY ${by(tags)} fill(null)`, alias: alias(tags, prefix) };
}

/** a counter summed over each minute: "per minute" */
export function counterPerMinute(metric: string, tags: readonly string[], filter: Where, prefix = ''): Target {
  return { query: `SELECT sum("value") FROM "${metric}" WHERE ${where(filter)} GROUP BY ${['time(1m)', ...tags.map((t) => `"${t}"`)].join(', ')} fill(0)`, alias: alias(tags, prefix) };
}

/** a rate as percent: non-zero values over all values */
export function ratePct(metric: string, tags: readonly string[], filter: Where, prefix = ''): Target {
  return { query: `SELECT sum("nonZero") / sum("count") * 100 FROM "${metric}" WHERE ${where(filter)} GROUP BY ${by(tags)} fill(null)`, alias: alias(tags, prefix) };
}

/** a gauge summed over shards (users, contexts, connections): last per shard, then the sum */
export function gaugeSum(metric: string, tags: readonly string[], filter: Where, prefix = ''): Target {
  const inner = ['time($__interval)', '"shard"', ...tags.map((t) => `"${t}"`)].join(', ');
  return { query: `SELECT sum("v") FROM (SELECT last("last") AS "v" FROM "${metric}" WHERE ${where(filter)} GROUP BY ${inner}) WHERE $timeFilter GROUP BY ${by(tags)} fill(null)`, alias: alias(tags, prefix) };
}

/** a gauge per shard (CPU, memory of each worker) */
export function gaugePerShard(metric: string, prefix: string): Target {
  return { query: `SELECT last("last") FROM "${metric}" WHERE ${runFilter} GROUP BY time($__interval), "shard" fill(null)`, alias: `${prefix} $tag_shard` };
}
