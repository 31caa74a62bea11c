// InfluxQL targets for Grafana's InfluxDB datasource. The foundation SDK (v0.0.21) ships no InfluxDB
// query builder, so this is a minimal cog.Builder producing the datasource's raw-query shape
// ({ refId, query, rawQuery: true, resultFormat, alias }).
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';

/** Name of the dashboards' datasource template variable (type influxdb, see common.ts). */
export const datasourceVariableName = 'datasource';

/**
 * Every panel, target, variable and annotation reads through the datasource variable, never a fixed
 * uid: the boards then import into any Grafana with any InfluxDB (InfluxQL) datasource.
 */
export const influxDatasource: DataSourceRef = { type: 'influxdb', uid: `\${${datasourceVariableName}}` };

export interface InfluxQLQuery extends cog.Dataquery {
  refId: string;
  datasource: DataSourceRef;
  query: string;
  rawQuery: true;
  resultFormat: 'time_series' | 'table';
  alias?: string;
}

export class InfluxQLQueryBuilder implements cog.Builder<cog.Dataquery> {
  private readonly internal: InfluxQLQuery;

  constructor(query: string, refId = 'A') {
    this.internal = { refId, datasource: influxDatasource, query, rawQuery: true, resultFormat: 'time_series', _implementsDataqueryVariant() {} };
  }

  refId(refId: string): this {
    this.internal.refId = refId;
    return this;
  }

  /** legend name, e.g. '$tag_journey / $tag_step' */
  alias(alias: string): this {
    this.internal.alias = alias;
    return this;
  }

  resultFormat(format: 'time_series' | 'table'): this {
    this.internal.resultFormat = format;
    return this;
  }

  build(): InfluxQLQuery {
    return { ...this.internal };
  }
}

/** WHERE clause shared by every panel: this run (all shards), the dashboard's time range. */
export const runFilter = `"run" =~ /^$run$/ AND $timeFilter`;
// Per-user metrics carry the user's driver: browser users (what users feel) and protocol users (the
// load) are told apart by the $driver variable; a series without the tag (an older run) matches All.
export const driverFilter = `"driver" =~ /^$driver$/`;
export const journeyFilter = `"journey" =~ /^$journey$/ AND ${driverFilter}`;
export const kindFilter = `"kind" =~ /^$kind$/ AND ${driverFilter}`;
