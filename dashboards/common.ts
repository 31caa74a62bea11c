// What every board shares: the datasource/run/journey/kind variables, phase annotations, time settings.
import {
  AnnotationQueryBuilder, CustomVariableBuilder, DashboardBuilder, DashboardCursorSync, DatasourceVariableBuilder, QueryVariableBuilder,
  VariableRefresh, VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { datasourceInput } from './importable.ts';
import { datasourceVariableName, influxDatasource, InfluxQLQueryBuilder } from './influxql.ts';

/** Runs, newest last; the run id starts with a timestamp, so alphabetical is chronological. */
export const runVariableQuery = 'SHOW TAG VALUES WITH KEY = "run"';
export const journeyVariableQuery = 'SHOW TAG VALUES FROM "users.active" WITH KEY = "journey" WHERE "run" =~ /^$run$/';
export const phaseAnnotationQuery = `SELECT "message" FROM "events" WHERE "type" = 'phase_start' AND "run" =~ /^$run$/ AND $timeFilter`;

/**
 * The InfluxDB datasource every query goes through. Its default is the import input (`${DS_...}`,
 * replaced by the datasource picked in Grafana's import dialog); where nothing replaces it (file
 * provisioning), Grafana does not find that value and selects the default InfluxDB datasource,
 * which docker/grafana provisioning creates with isDefault: true.
 */
export function datasourceVariable(): DatasourceVariableBuilder {
  const imported = `\${${datasourceInput.name}}`;
  return new DatasourceVariableBuilder(datasourceVariableName).label('InfluxDB').type('influxdb')
    .current({ selected: true, text: imported, value: imported }).multi(false).includeAll(false).allowCustomValue(false);
}

export function runVariable(): QueryVariableBuilder {
  return new QueryVariableBuilder('run').label('Run').datasource(influxDatasource).query(runVariableQuery).definition(runVariableQuery)
    .refresh(VariableRefresh.OnTimeRangeChanged).sort(VariableSort.AlphabeticalDesc);
}

export function journeyVariable(): QueryVariableBuilder {
  return new QueryVariableBuilder('journey').label('Journey').datasource(influxDatasource).query(journeyVariableQuery).definition(journeyVariableQuery)
    .refresh(VariableRefresh.OnTimeRangeChanged).sort(VariableSort.AlphabeticalAsc).multi(true).includeAll(true).allValue('.*');
}

export const driverVariableQuery = 'SHOW TAG VALUES FROM "users.active" WITH KEY = "driver" WHERE "run" =~ /^$run$/';

/** browser (what users feel), protocol (the load), or a plan's own driver */
export function driverVariable(): QueryVariableBuilder {
  return new QueryVariableBuilder('driver').label('Driver').datasource(influxDatasource).query(driverVariableQuery).definition(driverVariableQuery)
    .refresh(VariableRefresh.OnTimeRangeChanged).sort(VariableSort.AlphabeticalAsc).multi(true).includeAll(true).allValue('.*');
}

export function kindVariable(): CustomVariableBuilder {
  return new CustomVariableBuilder('kind').label('Media kind').values('audio,video,screen').multi(true).includeAll(true).allValue('.*');
}

export function phaseAnnotations(): AnnotationQueryBuilder {
  return new AnnotationQueryBuilder().name('Phases').datasource(influxDatasource).enable(true).iconColor('#8f3bb8')
    .target(new InfluxQLQueryBuilder(phaseAnnotationQuery).resultFormat('table'));
}

export function board(uid: string, title: string, description: string): DashboardBuilder {
  return new DashboardBuilder(title).uid(uid).description(description).tags(['waddle-fleet', 'load-test'])
    .editable().tooltip(DashboardCursorSync.Crosshair).refresh('10s').time({ from: 'now-1h', to: 'now' }).timezone('browser')
    .withVariable(datasourceVariable()).withVariable(runVariable()).annotation(phaseAnnotations());
}
