// How a run ends, in one place: the verdict from what the run measured locally (never from
// InfluxDB), the summary, and publishing (summary.json, junit.xml, report.html; reports/publish.ts,
// the same path `merge` takes). Partial when the run was interrupted or a task failed.
import { evaluateThresholds } from '../metrics/thresholds.ts';
import { deferToMerge } from '../metrics/shard-thresholds.ts';
import { sinkProblems } from '../metrics/sinks/sink-problems.ts';
import { abortOnFailOf } from '../metrics/stop-reason.ts';
import type { MetricsHub } from '../metrics/hub.ts';
import type { RunSummary, UserCounts } from '../metrics/run-summary.ts';
import { buildSummary } from '../metrics/summary.ts';
import { decideVerdict } from '../metrics/verdict.ts';
import { callRoomLayout } from '../plans/schedule.ts';
import { networkMechanismOf } from '../network/describe.ts';
import { judgeGenerator } from './monitor/generator-health.ts';
import type { RunContext } from './run-context.ts';
import { recordedEvidence } from './evidence/run-evidence.ts';
import type { TaskRunResult } from './tasks.ts';

export type FleetRunResult =
  | { readonly kind: 'dry-run'; readonly description: string }
  | { readonly kind: 'ran'; readonly summary: RunSummary; readonly runDir: string; readonly exitCode: number };

const noUsers: UserCounts = { started: 0, completed: 0, failed: 0, interrupted: 0 };

export async function finishRun(run: RunContext, tasks: TaskRunResult): Promise<FleetRunResult> {
  for (const t of tasks.teardownErrors) run.log(`warning: teardown of ${t.task} failed: ${messageOf(t.error)}`);
  const runDir = run.get('runDir');
  if (!runDir) throw tasks.failed?.error ?? new Error('the run folder could not be created');
  const summary = summarize(run, tasks);
  const { publishRun } = await import('../reports/publish.ts'); // a dry run never loads the report builder
  const published = await publishRun(runDir, summary, {
    report: run.config.report,
    ...(run.prepared.baseline && run.config.baseline ? { baseline: { dir: run.config.baseline, run: run.prepared.baseline, marginPct: run.config.baselineMarginPct } } : {}),
    log: (line) => run.log(line),
  });
  if (published.reportPath) run.log(`report: ${published.reportPath}`);
  return { kind: 'ran', summary: published.summary, runDir, exitCode: published.summary.verdict.exitCode };
}

function summarize(run: RunContext, tasks: TaskRunResult): RunSummary {
  const { resolved, catalog, seed, gate } = run.prepared;
  const hub = run.get('hub');
  const totals = hub?.totals() ?? [];
  const thresholds = deferToMerge(evaluateThresholds(gate, totals, hub?.phaseTotals()), run.config.shard.count);
  const pool = run.get('pool');
  const browser = { executable: run.config.chromiumPath, frameRate: run.prepared.frames.fps };
  const generator = judgeGenerator({ monitor: run.get('monitorHealth'), totals, ...(pool ? { pool: { stats: pool.stats(), isFailing: pool.isFailing, browser } } : {}) });
  const load = run.get('load');
  const internalError = tasks.failed ? `${tasks.failed.task}: ${messageOf(tasks.failed.error)}` : run.uncaught.length > 0 ? run.uncaught.join('; ') : undefined;
  const sinks = run.get('sinkStats') ?? {};
  const verdict = decideVerdict({
    interrupted: run.io.interrupt.aborted,
    saturated: generator.saturated,
    saturationReasons: generator.reasons,
    thresholds,
    aborted: abortOnFailOf(run.stopReasons),
    internalError,
    runCompleted: !!load && !run.missedStart && !internalError,
    usersStarted: load?.users.started ?? 0,
    iterationsCompleted: Object.values(load?.journeys ?? {}).reduce((n, j) => n + j.completed, 0),
    gated: resolved.defaultThresholds || thresholds.length > 0,
    errorReasons: Object.fromEntries(run.errors.classes().map((c) => [c.reason, c.count])),
    ...(run.missedStart ? { missingShards: [run.shardLabel] } : {}),
    notes: sinkProblems(sinks),
  });
  const evidence = recordedEvidence(run);
  const summary = buildSummary({
    runId: run.runId,
    shard: run.shardLabel,
    status: run.io.interrupt.aborted || !load || run.uncaught.length > 0 ? 'partial' : 'complete',
    startedAtMs: run.startedAtMs,
    endedAtMs: Date.now(),
    target: run.get('target') ?? run.config.target ?? '',
    plan: { ...resolved, seed, callRooms: callRoomLayout(resolved, catalog.journey), ...networkMechanismOf(resolved.networks ?? {}) },
    phases: run.get('phases') ?? [],
    verdict,
    userCounts: load?.users ?? noUsers,
    journeyCounts: load?.journeys ?? {},
    totals,
    thresholds,
    generator,
    sinks,
    errors: run.errors.classes(),
    scheduleLag: hub ? lagOf(hub) : { p50: 0, p95: 0, max: 0 },
    defaultGate: resolved.defaultThresholds,
    ...(pool ? { blocked: pool.blocked() } : {}),
  });
  return evidence ? { ...summary, evidence } : summary;
}

function lagOf(hub: MetricsHub) {
  const lag = hub.totalsByMetric().find((m) => m.metric === 'users.schedule_lag_ms');
  return { p50: lag?.p50 ?? 0, p95: lag?.p95 ?? 0, max: lag?.max ?? 0 };
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
