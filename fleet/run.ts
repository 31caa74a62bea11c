// One fleet run, as an ordered list of named tasks (DESIGN.md style 4):
//   results folder → target → sinks → metrics hub → resource monitor → browser pool → load
// Teardown runs in reverse, always, and then the summary, JUnit file and report are written,
// partial when the run was interrupted. The verdict is computed here, locally, never from InfluxDB.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import os from 'node:os';
import type { RunOptions } from '../cli/flags.ts';
import type { Plan } from '../plans/schema.ts';
import { resolvePlan } from '../plans/resolve.ts';
import { describePlan } from '../plans/describe.ts';
import { parseShard } from './shard.ts';
import { buildSchedule, callRoomLayout, peakConcurrency, runSchedule, type VuSlot } from './scheduler.ts';
import { runVirtualUser } from './virtual-user.ts';
import { journeys as journeyRegistry } from '../journeys/registry.ts';
import { BrowserPool } from './browser-pool.ts';
import { startResourceMonitor } from './resource-monitor.ts';
import { BrowserWaddleClient } from '../clients/browser/browser-waddle-client.ts';
import { startReferenceWaddle } from '../reference-waddle/server.ts';
import { MetricsHub } from '../metrics/hub.ts';
import { evaluateThresholds, checkAbort } from '../metrics/thresholds.ts';
import { buildGate, describeGate } from '../metrics/default-gate.ts';
import { decideVerdict, videoCpuSaturationReason } from '../metrics/verdict.ts';
import { buildSummary, ErrorCollector } from '../metrics/summary.ts';
import { RunFolderSink, createRunFolder, writeSummary } from '../metrics/sinks/run-folder.ts';
import { createInfluxSink } from '../metrics/sinks/influx.ts';
import { toJUnitXml } from '../metrics/junit.ts';
import { atomicWrite } from '../metrics/atomic-write.ts';
import type { RunEvent, Sink, SinkStats } from '../metrics/types.ts';
import type { GeneratorHealth, RunSummary, UserCounts, PhaseSummary } from '../metrics/run-summary.ts';
import { writeReport, readRunForReport, compareRuns, comparisonVerdictReasons } from '../reports/index.ts';
import type { RunForReport } from '../reports/index.ts';
import { runTasks, type Task } from './tasks.ts';
import { UsageError } from './errors.ts';
import { checkTarget, waitForTarget } from './target-guard.ts';
import { measurePresence, PresenceBoard } from './presence-propagation.ts';
import { makeRunId } from './run-id.ts';
import { parseStartAt, waitForStart } from './start-at.ts';
import { parseDurationMs } from '../plans/duration.ts';
import { redactUrlCredentials } from '../common/redact.ts';

export interface FleetRunInput {
  readonly plan: Plan;
  readonly options: RunOptions;
  /** one line of human output */
  readonly log: (line: string) => void;
  /** aborted on SIGINT/SIGTERM */
  readonly interrupt: AbortSignal;
  /** called about once a second while load runs */
  readonly onProgress?: (progress: FleetProgress) => void;
}

export interface FleetProgress {
  readonly phase: string;
  readonly elapsedMs: number;
  readonly totalMs: number;
  readonly activeByJourney: Readonly<Record<string, number>>;
  readonly started: number;
  readonly failed: number;
  readonly stepErrors: number;
}

export type FleetRunResult =
  | { readonly kind: 'dry-run'; readonly description: string }
  | { readonly kind: 'ran'; readonly summary: RunSummary; readonly runDir: string; readonly exitCode: number };

/** Ports the browser pool's host guard lets through besides the target. */
const loopbackHosts = ['127.0.0.1', 'localhost', '[::1]', '::1'];

/** How long VUs get to finish after SIGINT before they are aborted. */
const interruptGraceMs = 10_000;
/** The budget for closing sinks (InfluxDB flush) at the end. */
const sinkCloseBudgetMs = 10_000;
/** Share of outbound video samples limited by CPU above which the generator counts as starved. */
const videoCpuLimitedLimit = 0.3;

export async function runFleet(input: FleetRunInput): Promise<FleetRunResult> {
  const { plan, options, log } = input;

  // ---- everything that can be wrong with the configuration, all at once, before any load ----
  const problems: string[] = [];
  const shard = options.shard ? parseShard(options.shard) : { index: 1, count: 1 };
  if ('problem' in shard) problems.push(shard.problem);
  const startAt = options.startAt ? parseStartAt(options.startAt) : undefined;
  if (typeof startAt === 'string') problems.push(startAt);
  if (options.target) problems.push(...(await checkTarget(options.target, options.allowRemoteTarget)));
  const influx = influxConfig(options, problems);
  let baseline: RunForReport | undefined;
  if (options.baseline) {
    try {
      baseline = await readRunForReport(options.baseline);
    } catch (error) {
      problems.push(`--baseline: cannot read the run folder '${options.baseline}' (${errorText(error)}); give a folder that holds a summary.json`);
    }
  }
  if (problems.length > 0) throw new UsageError(problems);
  const shardSpec = shard as { index: number; count: number };
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const resolved = resolvePlan(plan, {
    scale: options.scale,
    scaleDurations: options.scaleDurations,
    shard: shardSpec,
    seed,
  });
  const thresholds = buildGate({
    planThresholds: resolved.thresholds,
    journeys: [...new Set(resolved.phases.flatMap((p) => p.scenarios.filter((s) => s.users > 0).map((s) => s.journey)))],
    defaults: resolved.defaultThresholds,
    phases: resolved.phases.map((p) => p.name),
  });
  if (!thresholds.ok) throw new UsageError(thresholds.problems.map((p) => `${plan.name}: ${p}`));
  const description = describePlan(resolved, {
    contextsPerBrowser: options.contextsPerBrowser,
    maxBrowsers: options.maxBrowsers,
    gateLines: describeGate(thresholds.thresholds, resolved.defaultThresholds),
  });
  if (options.dryRun) return { kind: 'dry-run', description };
  // more concurrent users than browser contexts would queue them and run another plan than asked
  const peakUsers = peakConcurrency(buildSchedule(resolved));
  const contexts = options.maxBrowsers * options.contextsPerBrowser;
  if (peakUsers > contexts) {
    throw new UsageError([
      `plan ${plan.name} peaks at ${peakUsers} concurrent users${shardSpec.count > 1 ? ` in shard ${shardSpec.index}/${shardSpec.count}` : ''} but this worker holds at most ${contexts} ` +
        `(--max-browsers ${options.maxBrowsers} × --contexts-per-browser ${options.contextsPerBrowser}); raise them if the machine can take it, ` +
        `or run --scale ${Math.max(0.0001, Math.floor((contexts / peakUsers) * 10_000) / 10_000)}, or --shard i/${Math.ceil(peakUsers / contexts)} over that many workers`,
    ]);
  }
  if (options.target) {
    const unreachable = await waitForTarget(options.target, parseDurationMs(options.targetWait), log);
    if (unreachable) throw new UsageError([unreachable]);
  }
  log(description);
  log(`seed ${seed} (repeat with --seed ${seed})`);

  // ---- the run ----
  const runId = makeRunId(plan.name, shardSpec);
  const shardLabel = `${shardSpec.index}/${shardSpec.count}`;
  const intervalMs = parseDurationMs(options.interval);
  const probeIntervalMs = parseDurationMs(options.probeInterval);
  const errors = new ErrorCollector();
  const stopLoad = new AbortController(); // interrupt or abortOnFail
  const stopReasons: string[] = [];
  const onInterrupt = () => {
    stopReasons.push('interrupted by signal');
    stopLoad.abort();
  };
  input.interrupt.addEventListener('abort', onInterrupt, { once: true });

  let runDir = '';
  let target = options.target ?? '';
  let hub: MetricsHub | undefined;
  let pool: BrowserPool | undefined;
  let monitor: ReturnType<typeof startResourceMonitor> | undefined;
  let generator: GeneratorHealth | undefined;
  let sinkStats: Record<string, SinkStats> = {};
  let scheduleResult: Awaited<ReturnType<typeof runSchedule>> | undefined;
  let loadStartedAtMs = 0;
  let missedStart = false;
  const phases: PhaseSummary[] = [];
  const active: Record<string, number> = {};
  const sinks: Sink[] = [];
  const startedAtMs = Date.now();

  const record = (event: RunEvent) => {
    errors.add(event);
    hub?.event(event);
  };

  const tasks: Task[] = [
    {
      name: 'results folder',
      setup: async () => {
        await mkdir(options.results, { recursive: true });
        runDir = await createRunFolder(options.results, runId);
        await atomicWrite(join(runDir, 'plan.json'), JSON.stringify({ ...resolved, seed, callRooms: callRoomLayout(resolved) }, null, 2));
        sinks.push(new RunFolderSink(runDir));
        log(`run folder: ${runDir}`);
      },
    },
    {
      name: 'target',
      setup: async () => {
        if (options.target) return;
        const waddle = await startReferenceWaddle({ port: 0 });
        target = waddle.url;
        log(`reference Waddle started at ${target}`);
        return () => waddle.stop();
      },
    },
    {
      name: 'InfluxDB sink',
      setup: async () => {
        if (!influx) return;
        sinks.push(createInfluxSink({ ...influx, runId, shard: shardLabel, onWarning: (m) => log(`warning: InfluxDB: ${m}`) }));
        log(`InfluxDB: writing to ${redactUrlCredentials(influx.url)} (${influx.api})`);
      },
    },
    {
      name: 'metrics',
      setup: async () => {
        hub = new MetricsHub({ runId, shard: shardLabel, intervalMs, sinks });
        hub.start();
        hub.event({ timeMs: Date.now(), type: 'run_start', data: { plan: plan.name, target, seed } });
        return async () => {
          hub!.event({ timeMs: Date.now(), type: 'run_end', message: stopReasons.join('; ') || undefined });
          sinkStats = await hub!.close(Date.now() + sinkCloseBudgetMs);
        };
      },
    },
    {
      name: 'resource monitor',
      setup: async () => {
        monitor = startResourceMonitor({
          recorder: hub!,
          intervalMs: 2000,
          browserPids: () => pool?.pids() ?? [],
          targetMetricsUrl: new URL('/metrics', target).href,
          saturation: { cpuPercent: options.saturationCpu, windowMs: 10_000 },
          onEvent: record,
        });
        return async () => {
          await monitor!.stop();
          generator = generatorHealth(monitor!.health(), pool);
        };
      },
    },
    {
      name: 'browser pool',
      setup: async () => {
        const targetHost = new URL(target).host;
        pool = await BrowserPool.launch({
          maxBrowsers: options.maxBrowsers,
          contextsPerBrowser: options.contextsPerBrowser,
          mediaCacheDir: join(os.homedir(), '.cache', 'waddle-fleet', 'media'),
          probeIntervalMs,
          allowedHosts: [...loopbackHosts, targetHost, new URL(target).hostname],
          onEvent: record,
          relaunch: { maxPerMinute: 5, backoffMs: 1000 },
        });
        return () => pool!.close();
      },
    },
    {
      name: 'load',
      setup: async () => {
        if (startAt !== undefined) {
          log(`waiting for the common start at ${new Date(startAt as number).toISOString()}`);
          if (!(await waitForStart(startAt as number, stopLoad.signal))) {
            missedStart = true;
            stopReasons.push('this shard was not ready before --start-at; it sent no load so the shards stay comparable');
            return;
          }
        }
        loadStartedAtMs = Date.now();
        const slots = buildSchedule(resolved);
        const presenceBoard = new PresenceBoard();
        const totalMs = resolved.phases.reduce((sum, p) => sum + p.rampUpMs + p.durationMs, 0);
        let currentPhase = resolved.phases[0]?.name ?? '';
        const progressTimer = setInterval(() => {
          checkAbortOnFail();
          input.onProgress?.({
            phase: currentPhase,
            elapsedMs: Date.now() - loadStartedAtMs,
            totalMs,
            activeByJourney: { ...active },
            started: Object.values(startedCount).reduce((a, b) => a + b, 0),
            failed: failedVus,
            stepErrors: errors.total,
          });
        }, 1000);
        progressTimer.unref();
        const startedCount: Record<string, number> = {};
        let failedVus = 0;
        const checkAbortOnFail = () => {
          if (!thresholds.ok || stopLoad.signal.aborted) return;
          const breached = checkAbort(thresholds.thresholds, hub!, Date.now() - loadStartedAtMs);
          if (breached) {
            stopReasons.push(`abortOnFail: ${breached}`);
            record({ timeMs: Date.now(), type: 'threshold_abort', message: breached });
            stopLoad.abort();
          }
        };
        const startVu = async (slot: VuSlot, stopSignal: AbortSignal, abortSignal: AbortSignal) => {
          const journey = journeyRegistry[slot.journey]!;
          active[slot.journey] = (active[slot.journey] ?? 0) + 1;
          startedCount[slot.journey] = (startedCount[slot.journey] ?? 0) + 1;
          const label = `vu-${String(slot.index).padStart(4, '0')}`;
          const media = { ...journey.media, ...resolved.media };
          try {
            const outcome = await runVirtualUser({
              slot,
              journey,
              createClient: async () => {
                const session = await pool!.acquire({ label, media, recorder: hub!, tags: { journey: slot.journey }, timeoutMs: 60_000 });
                const client = new BrowserWaddleClient(session.page, { baseUrl: target, username: label });
                const stopPresence = measurePresence(client, presenceBoard, hub!, { journey: slot.journey });
                return {
                  client,
                  page: session.page,
                  close: async () => {
                    stopPresence();
                    await client.close().catch(() => {});
                    await session.release();
                  },
                };
              },
              recorder: hub!,
              onEvent: record,
              stopSignal,
              abortSignal,
              runSeed: seed,
              thinkTimeScale: resolved.thinkTimeScale,
            });
            if (outcome.outcome === 'failed') failedVus++;
            return outcome;
          } finally {
            active[slot.journey] = (active[slot.journey] ?? 1) - 1;
          }
        };
        try {
          scheduleResult = await runSchedule({
            slots,
            phases: resolved.phases,
            startVu,
            signal: stopLoad.signal,
            gracefulStopMs: resolved.gracefulStopMs,
            interruptGraceMs,
            maxArrivalsPerSecond: resolved.limits?.maxArrivalsPerSecond,
            onPhase: (phase, atMs) => {
              currentPhase = phase.name;
              hub!.setPhase(phase.name);
              record({ timeMs: Date.now(), type: 'phase_start', message: phase.name, tags: { phase: phase.name } });
              const previous = phases.at(-1);
              if (previous) phases[phases.length - 1] = { ...previous, endMs: loadStartedAtMs + atMs };
              phases.push({ name: phase.name, startMs: loadStartedAtMs + atMs, endMs: loadStartedAtMs + atMs, targetUsers: phase.targetUsers });
            },
            onLag: (slot, lagMs) => hub!.record('users.schedule_lag_ms', lagMs, { journey: slot.journey }),
          });
        } finally {
          clearInterval(progressTimer);
          const last = phases.at(-1);
          if (last) phases[phases.length - 1] = { ...last, endMs: Date.now() };
        }
      },
    },
  ];

  const taskResult = await runTasks(tasks, {
    onTask: (name, stage) => log(`${stage === 'setup' ? '▶' : '◀'} ${name}`),
    shouldStop: () => input.interrupt.aborted,
  });
  input.interrupt.removeEventListener('abort', onInterrupt);
  const endedAtMs = Date.now();

  // ---- the verdict, the summary, the reports ----
  const internalError = taskResult.failed
    ? `${taskResult.failed.task}: ${errorText(taskResult.failed.error)}`
    : undefined;
  for (const t of taskResult.teardownErrors) log(`warning: teardown of ${t.task} failed: ${errorText(t.error)}`);
  if (!runDir) throw taskResult.failed?.error ?? new Error('the run folder could not be created');

  const totals = hub ? hub.totals() : [];
  const thresholdResults = thresholds.ok ? evaluateThresholds(thresholds.thresholds, totals, hub?.phaseTotals()) : [];
  const health = generator ?? generatorHealth(monitor?.health(), pool);
  const saturationReasons = [...health.reasons];
  const videoStarved = videoCpuSaturationReason(totals, videoCpuLimitedLimit);
  if (videoStarved) saturationReasons.push(videoStarved);
  if (pool?.isFailing) saturationReasons.push('browsers crashed and were relaunched too often: a generator fault, not a target fault');
  const users = userCounts(scheduleResult);
  const interrupted = input.interrupt.aborted;
  let verdict = decideVerdict({
    interrupted,
    saturated: saturationReasons.length > 0,
    saturationReasons,
    thresholds: thresholdResults,
    aborted: stopReasons.find((r) => r.startsWith('abortOnFail')),
    internalError,
    runCompleted: !!scheduleResult && !missedStart && !internalError,
    usersStarted: users.started,
    iterationsCompleted: Object.values(scheduleResult?.journeys ?? {}).reduce((n, j) => n + j.completed, 0),
    gated: resolved.defaultThresholds || thresholdResults.length > 0,
    missingShards: missedStart ? [shardLabel] : undefined,
  });
  let summary = buildSummary({
    runId,
    shard: shardLabel,
    status: interrupted || !scheduleResult ? 'partial' : 'complete',
    startedAtMs,
    endedAtMs,
    target,
    plan: { ...resolved, seed, callRooms: callRoomLayout(resolved) },
    phases,
    verdict,
    userCounts: users,
    journeyCounts: scheduleResult?.journeys ?? {},
    totals,
    thresholds: thresholdResults,
    generator: { ...health, saturated: saturationReasons.length > 0, reasons: saturationReasons },
    sinks: sinkStats,
    errors: errors.classes(),
    scheduleLag: hub ? lagOf(hub) : { p50: 0, p95: 0, max: 0 },
    defaultGate: resolved.defaultThresholds,
  });
  if (baseline && verdict.result === 'pass') {
    const regressions = comparisonVerdictReasons(compareRuns(summary, baseline.summary, { marginPct: options.baselineMargin }));
    if (regressions.length > 0) {
      verdict = { result: 'fail', exitCode: 3, reasons: [...verdict.reasons, ...regressions] };
      summary = { ...summary, verdict };
    }
  }
  await writeSummary(runDir, summary);
  await atomicWrite(join(runDir, 'junit.xml'), toJUnitXml(summary));
  if (options.report) {
    try {
      const path = await writeReport(runDir, { baselineDir: options.baseline, compare: { marginPct: options.baselineMargin } });
      log(`report: ${path}`);
    } catch (error) {
      log(`warning: the HTML report could not be written (${errorText(error)}); summary.json and junit.xml are complete`);
    }
  }
  return { kind: 'ran', summary, runDir, exitCode: verdict.exitCode };
}

function influxConfig(options: RunOptions, problems: string[]) {
  if (!options.influxUrl) return undefined;
  const api = options.influxApi ?? (options.influxDb && !options.influxToken ? 'v1' : 'v2');
  if (api === 'v2') {
    const missing = (['influxToken', 'influxOrg', 'influxBucket'] as const).filter((k) => !options[k]);
    if (missing.length > 0) {
      problems.push(`--influx-url with the v2 API needs ${missing.map((k) => '--' + k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())).join(', ')} (or their WADDLE_FLEET_INFLUX_* variables); for InfluxDB 1.x give --influx-api v1 --influx-db NAME`);
    }
    return { api, url: options.influxUrl, token: options.influxToken ?? '', org: options.influxOrg ?? '', bucket: options.influxBucket ?? '' } as const;
  }
  if (!options.influxDb) problems.push('--influx-api v1 needs --influx-db (or WADDLE_FLEET_INFLUX_DB)');
  return { api, url: options.influxUrl, db: options.influxDb ?? '', rp: options.influxRp, user: options.influxUser, password: options.influxPassword } as const;
}

function generatorHealth(
  health: { saturated: boolean; reasons: readonly string[]; cpuPercentP95: number; cpuPercentMax: number; memoryMaxMb: number; eventLoopDelayP99Ms: number } | undefined,
  pool: BrowserPool | undefined,
): GeneratorHealth {
  return {
    saturated: health?.saturated ?? false,
    reasons: health?.reasons ?? [],
    cpuPercentP95: health?.cpuPercentP95 ?? 0,
    cpuPercentMax: health?.cpuPercentMax ?? 0,
    memoryMaxMb: health?.memoryMaxMb ?? 0,
    eventLoopDelayP99Ms: health?.eventLoopDelayP99Ms ?? 0,
    videoCpuLimitedShare: 0,
    browserCrashes: pool?.stats().crashes ?? 0,
    browserRelaunches: pool?.stats().relaunches ?? 0,
  };
}

function userCounts(result: Awaited<ReturnType<typeof runSchedule>> | undefined): UserCounts {
  return result?.users ?? { started: 0, completed: 0, failed: 0, interrupted: 0 };
}

function lagOf(hub: MetricsHub) {
  const lag = hub.totalsByMetric().find((m) => m.metric === 'users.schedule_lag_ms');
  return { p50: lag?.p50 ?? 0, p95: lag?.p95 ?? 0, max: lag?.max ?? 0 };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

