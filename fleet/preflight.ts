// Everything that can be wrong before any load, found in one pass and reported at once (exit 2):
// options, the plan's shape, params, journeys, drivers and capabilities, thresholds (read even when
// the plan's shape is wrong), scale and limits, the target's address, the InfluxDB database, the
// baseline folder, the Chromium binary and this worker's capacity. Only then, a named target is
// waited for. What comes out is a PreparedRun: everything the run needs, parsed once.
import net from 'node:net';
import { kernelMechanismProblem } from '../network/describe.ts';
import { access } from 'node:fs/promises';
import { UsageError } from '../common/errors.ts';
import { buildGate, describeGate } from '../metrics/default-gate.ts';
import { frameRateProblems } from './pool/pool-options.ts';
import { planFrameRate, type FrameRateChoice } from './frame-rate-mode.ts';
import { mediaMarksFor } from './media-marks-mode.ts';
import { preflightInflux } from '../metrics/sinks/influx.ts';
import type { ParsedThreshold } from '../metrics/thresholds.ts';
import { planCatalog, type PlanCatalog } from '../plans/catalog.ts';
import { describePlan } from '../plans/describe.ts';
import { loadPlan } from '../plans/index.ts';
import { resolvePlan, type ResolvedPlan } from '../plans/resolve.ts';
import { buildSchedule, peakConcurrency, type VuSlot } from '../plans/schedule.ts';
import type { Plan } from '../plans/schema.ts';
import { baselineMismatch } from '../reports/baseline.ts';
import type { RunForReport } from '../reports/index.ts';
import { parseRunConfig, type RunConfig } from './run-config.ts';
import { rawSamplesDecision } from './raw-samples.ts';
import { describeAhead } from './start-at.ts';
import { checkTarget, waitForTarget } from './guard/target-guard.ts';
import { findJanus } from '../reference-waddle/sfu/janus-process.ts';
import { describeProtocolThreads, mediaUserThreadWeight, workerCountFor } from './workers/protocol-workers.ts';
import { userNeedsOf } from '../plans/user-cost.ts';
import { defaultCalibrationPath } from './calibration/calibration-file.ts';
import { planWorkers } from './calibration/plan-workers.ts';
import { protocolUsersPerWorker, type WorkersEstimate } from './calibration/workers-needed.ts';

export interface PreparedRun {
  readonly config: RunConfig;
  readonly plan: Plan;
  readonly resolved: ResolvedPlan;
  readonly catalog: PlanCatalog;
  /** the plan's thresholds and the built-in error gate */
  readonly gate: readonly ParsedThreshold[];
  /** the virtual users this shard runs, in start order */
  readonly slots: readonly VuSlot[];
  readonly seed: number;
  /** what --dry-run prints, and every run before it starts */
  readonly description: string;
  readonly baseline?: RunForReport;
  /** the plan as the command named it (worker threads load it for its journeys and drivers) */
  readonly planRef: string;
  /** worker threads that run the protocol users (0: the main thread runs them) */
  readonly protocolWorkers: number;
  /** what the browser pages draw (--frame-rate; 'auto' decided here) */
  readonly frames: FrameRateChoice;
}

export interface PreflightInput {
  /** a shipped plan's name or a plan file */
  readonly planRef: string;
  /** option values as the command line gave them (strings), keyed like fleet/run-config.ts */
  readonly rawOptions: Readonly<Record<string, unknown>>;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly log: (line: string) => void;
}

export { protocolUsersPerWorker };

export async function preflight(input: PreflightInput): Promise<PreparedRun> {
  const problems: string[] = [];
  const parsed = parseRunConfig(input.rawOptions, input.env ?? process.env);
  if (!parsed.ok) problems.push(...parsed.problems);
  const loaded = await loadPlan(input.planRef);
  if (!loaded.ok) problems.push(...loaded.problems);
  const planName = loaded.ok ? loaded.plan.name : input.planRef;
  // threshold expressions are checked whatever else is wrong, so all problems come out in one pass
  problems.push(...thresholdProblemsOf(loaded.ok ? loaded.plan : loaded.input, planName));
  if (!parsed.ok || !loaded.ok) throw new UsageError(problems);

  const config = parsed.config;
  const seed = config.seed ?? Math.floor(Math.random() * 2 ** 31);
  if (config.networkMechanism === 'kernel') problems.push(kernelMechanismProblem);
  const resolved = resolveOrCollect(loaded.plan, config, seed, problems);
  if (!resolved || problems.length > 0) throw new UsageError(problems);
  const catalog = planCatalog(loaded.plan);
  const slots = buildSchedule(resolved, catalog.journey);
  // the built-in gate judges the journeys and drivers this shard runs (a slice of a sharded plan may hold no browser user of a journey)
  const pairs = journeysOnDrivers(slots);
  const gate = buildGate({ planThresholds: resolved.thresholds, journeys: [...new Set(pairs.map((p) => p.journey))], defaults: resolved.defaultThresholds, phases: resolved.phases.map((p) => p.name), drivers: pairs });
  // (the plan's own threshold problems are already in: thresholdProblemsOf above)
  const workers = await planWorkers(resolved, catalog, { calibrationPath: config.calibrationPath ?? defaultCalibrationPath(), browserUsersPerWorker: config.maxBrowsers * config.contextsPerBrowser });
  if (workers.problem) problems.push(workers.problem);
  const protocolPeak = peakConcurrency(slots, (slot) => (catalog.isBrowserDriver(slot.driver) ? 0 : 1));
  const samplesNote = rawSamplesDecision(config.rawSamples, protocolPeak).note;
  // a protocolMedia user loads a thread as ~55 plain ones: a worker's media users would not fit its main thread
  const threadLoad = peakConcurrency(slots, (slot) => (catalog.isBrowserDriver(slot.driver) ? 0 : userNeedsOf(slot, catalog).carriesMedia ? mediaUserThreadWeight : 1));
  const protocolWorkers = workerCountFor(threadLoad, config.protocolWorkers);
  const threadsNote = describeProtocolThreads(protocolPeak, protocolWorkers, config.protocolWorkers);
  const frames = planFrameRate(config, slots, catalog, gate.thresholds.map((t) => t.metric));
  const framesNote = slots.some((slot) => catalog.isBrowserDriver(slot.driver)) ? describeFrames(frames) : undefined;
  const description = describePlan(resolved, { catalog, contextsPerBrowser: config.contextsPerBrowser, maxBrowsers: config.maxBrowsers, gateLines: describeGate(gate.thresholds, resolved.defaultThresholds), workersLines: workers.lines, targetMedia: config.targetMedia }) +
    describeStart(config.startAtMs) + (threadsNote ? `\n${threadsNote}` : '') + (framesNote ? `\n${framesNote}` : '') + (samplesNote ? `\n${samplesNote}` : '');
  problems.push(...targetMediaProblems(config));

  const [targetProblems, metricsProblems, influxProblems, baseline] = await Promise.all([
    config.target ? checkTarget(config.target, config.allowRemoteTarget) : Promise.resolve([]),
    // the fleet itself reads it: the same rule as the target (loopback unless --allow-remote-target)
    config.targetMetrics ? checkTarget(config.targetMetrics, config.allowRemoteTarget).then((ps) => ps.map((p) => p.replace(/^--target:/, '--target-metrics:'))) : Promise.resolve([]),
    config.influx ? preflightInflux(config.influx) : Promise.resolve([]),
    readBaseline(config.baseline, problems),
  ]);
  problems.push(...targetProblems, ...metricsProblems, ...influxProblems.map((p) => `InfluxDB: ${p}`));
  if (baseline && config.baseline && !config.baselineAny) problems.push(...baselineMismatch({ name: resolved.name, scale: resolved.scale, durationScale: resolved.durationScale, shard: resolved.shard }, baseline.summary, config.baseline));
  if (config.livePort !== undefined && !config.dryRun) problems.push(...(await livePortProblems(config.livePort)));
  problems.push(...(await capacityProblems(planName, config, slots, catalog, workers.estimate)));
  // an asked rate that cannot pace this plan is refused; 'auto' paces only where it can (frame-rate-mode.ts)
  if (config.frameRate !== 'auto' && config.frameRate > 0 && slots.some((slot) => catalog.isBrowserDriver(slot.driver))) problems.push(...pacingProblems(config.frameRate, config, slots, catalog, gate.thresholds));
  if (problems.length > 0) throw new UsageError(problems, description);

  if (config.target && !config.dryRun) {
    const unreachable = await waitForTarget(config.target, config.targetWaitMs, input.log);
    if (unreachable) throw new UsageError([unreachable], description);
  }
  return { config, plan: loaded.plan, resolved, catalog, gate: gate.thresholds, slots, seed, description, planRef: input.planRef, protocolWorkers, frames, ...(baseline ? { baseline } : {}) };
}

/** `--live` must get its port before any load, not fail the run half-way with an internal error. */
async function livePortProblems(port: number): Promise<string[]> {
  if (port === 0) return [];
  const free = await new Promise<boolean>((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
  return free ? [] : [`--live-port: 127.0.0.1:${port} is taken (another run's live view?); give another --live-port, or --live-port 0 for a free one`];
}

/** --target-media sfu shapes the fleet's own reference Waddle, which needs Janus installed. */
function targetMediaProblems(config: RunConfig): string[] {
  if (config.targetMedia !== 'sfu') return [];
  if (config.target) return [`--target-media sfu: applies to the reference Waddle the fleet starts, not to --target ${config.target}; start yours in SFU mode (npm run waddle -- --media sfu) and drop --target-media`];
  const janus = findJanus();
  return 'problem' in janus ? [`--target-media sfu: ${janus.problem.replace(/^--media sfu /, '').replace('--media mesh', '--target-media mesh')}`] : [];
}

/** The dry run (and the run's first lines) say when the load starts: a start time is easy to get wrong by hours. */
function describeStart(startAtMs: number | undefined): string {
  if (startAtMs === undefined) return '';
  return `\nstart: ${new Date(startAtMs).toISOString()} (${describeAhead(startAtMs - Date.now())}${startAtMs >= Date.now() ? ' from now' : ''}), every shard together`;
}

function resolveOrCollect(plan: Plan, config: RunConfig, seed: number, problems: string[]): ResolvedPlan | undefined {
  try {
    return resolvePlan(plan, { scale: config.scale, scaleDurations: config.scaleDurations, ...(config.durationScale !== undefined ? { durationScale: config.durationScale } : {}), shard: config.shard, seed, ...(config.network !== undefined ? { network: config.network } : {}) });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    problems.push(...error.problems);
    return undefined;
  }
}

/** The (journey, driver) pairs the plan runs, for the built-in gate. */
function journeysOnDrivers(slots: readonly VuSlot[]): { journey: string; driver: string }[] {
  const pairs = new Map<string, { journey: string; driver: string }>();
  for (const s of slots) pairs.set(`${s.journey}\u0000${s.driver}`, { journey: s.journey, driver: s.driver });
  return [...pairs.values()];
}

/** A plan whose shape is wrong still gets its threshold expressions checked, in the same pass. */
function thresholdProblemsOf(input: unknown, planName: string): string[] {
  if (input === null || typeof input !== 'object') return [];
  const { thresholds, phases } = input as { thresholds?: unknown; phases?: unknown };
  if (thresholds === undefined) return [];
  const phaseNames = Array.isArray(phases) ? phases.map((p: { name?: unknown }) => p?.name).filter((n): n is string => typeof n === 'string') : undefined;
  return buildGate({ planThresholds: thresholds, journeys: [], defaults: false, ...(phaseNames ? { phases: phaseNames } : {}) }).problems.map((p) => `${planName}: ${p}`);
}

async function readBaseline(dir: string | undefined, problems: string[]): Promise<RunForReport | undefined> {
  if (!dir) return undefined;
  try {
    const { readRunForReport } = await import('../reports/index.ts'); // only with a --baseline
    return await readRunForReport(dir);
  } catch (error) {
    problems.push(`--baseline: cannot read the run folder '${dir}' (${error instanceof Error ? error.message : String(error)}); give a folder that holds a summary.json`);
    return undefined;
  }
}

/**
 * More concurrent users than this worker holds would queue them and run another plan than the
 * one asked for: refuse, with the --scale or --shard that fits.
 */
async function capacityProblems(planName: string, config: RunConfig, slots: readonly VuSlot[], catalog: PlanCatalog, workers: WorkersEstimate): Promise<string[]> {
  const problems: string[] = [];
  const isBrowser = (slot: VuSlot) => catalog.isBrowserDriver(slot.driver);
  const browserPeak = peakConcurrency(slots, (slot) => (isBrowser(slot) ? 1 : 0));
  const protocolPeak = peakConcurrency(slots, (slot) => (isBrowser(slot) ? 0 : 1));
  const shard = config.shard.count > 1 ? ` in shard ${config.shard.index}/${config.shard.count}` : '';
  const contexts = config.maxBrowsers * config.contextsPerBrowser;
  // the whole plan's workers (calibrated, or default figures that say so), so the advice fits CPU and memory too
  const needed = `the whole plan needs ${workers.workers} workers of ${workers.worker.cores} cores (${workers.calibration ? 'calibrated' : 'default figures; npx waddle-fleet calibrate measures this machine'})`;
  if (browserPeak > contexts) {
    problems.push(
      `plan ${planName} peaks at ${browserPeak} concurrent ${protocolPeak > 0 ? 'browser ' : ''}users${shard} but this worker holds at most ${contexts} ` +
        `(--max-browsers ${config.maxBrowsers} × --contexts-per-browser ${config.contextsPerBrowser}); raise them if the machine can take it, ` +
        `or run --scale ${fitScale(contexts, browserPeak, config.scale)}, or --shard i/${Math.max(workers.workers, Math.ceil(browserPeak / contexts) * config.shard.count)} over that many workers (${needed})`,
    );
  }
  if (protocolPeak > protocolUsersPerWorker) {
    problems.push(`plan ${planName} peaks at ${protocolPeak} concurrent protocol users${shard} but one worker holds at most ${protocolUsersPerWorker}; run --shard i/${Math.max(workers.workers, Math.ceil(protocolPeak / protocolUsersPerWorker) * config.shard.count)} (${needed})`);
  }
  if (browserPeak > 0) {
    try {
      await access(config.chromiumPath);
    } catch {
      problems.push(`--chromium: ${config.chromiumPath} does not exist; install Debian Chromium (apt-get install chromium-headless-shell, or chromium) or give --chromium <path> (or WADDLE_FLEET_CHROMIUM)`);
    }
  }
  return problems;
}

/** What a plan's browser pages will draw (--frame-rate), for the dry run; undefined with --frame-rate off. */
function describeFrames(choice: FrameRateChoice): string | undefined {
  if (choice.fps === 0 && !choice.why) return undefined;
  return `browser pages: ${choice.fps > 0 ? `paced at ${choice.fps} frames/s (${choice.why ?? `--frame-rate ${choice.fps}`})` : choice.why}`;
}

/** Why --frame-rate cannot pace this plan's pages: the browser, media marks, or video on the calls. */
function pacingProblems(frameRate: number, config: RunConfig, slots: readonly VuSlot[], catalog: PlanCatalog, gate: readonly ParsedThreshold[]): string[] {
  const marks = !!mediaMarksFor(config.mediaMarks, gate.map((t) => t.metric));
  const problems = frameRateProblems(frameRate, config.chromiumPath, marks).map((p) => p.replace(/^frameRate: /, '--frame-rate: '));
  const video = [...new Set(slots.filter((slot) => userNeedsOf(slot, catalog).video).map((slot) => slot.journey))];
  if (video.length) {
    problems.push(
      `--frame-rate: the plan sends video or a screen (${video.join(', ')}), and a paced page that receives video decodes it late ` +
        '(measured: 11 fps of 15 and 116 freezes at 4 video users, README "Fewer frames"); leave --frame-rate off for plans with video',
    );
  }
  return problems;
}

const fitScale = (capacity: number, peak: number, scale: number): number => Math.max(0.0001, Math.floor((capacity / peak) * scale * 10_000) / 10_000);
