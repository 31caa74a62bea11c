// One summary for a distributed run, from the shards' run folders. Totals come from the shards'
// intervals merged exactly (HdrHistograms added, never percentiles averaged); thresholds are
// re-evaluated on the merged totals; a shard that is missing, partial or interrupted makes the
// verdict inconclusive (RELIABILITY.md "Distributed runs"), and the summary lists it.
import type { BlockedTraffic, ErrorClass, GeneratorHealth, RunSummary, UserCounts } from './run-summary.ts';
import { mergeAggregates, SeriesState } from './series.ts';
import { RUN_FILES, readRunFolder, type RunFolderContents } from './sinks/run-folder.ts';
import { buildSummary, mergeErrorClasses } from './summary.ts';
import { evaluateThresholds, parseThresholds, type PhaseTotals, type ThresholdObject } from './thresholds.ts';
import { buildGate, gateInputOfStoredPlan } from './default-gate.ts';
import { carryShardEvidence } from './merge-evidence.ts';
import { mergeShardIntervals } from './merge-timeline.ts';
import type { IntervalSnapshot, RunEvent, SeriesAggregate, SinkStats } from './types.ts';
import { decideVerdict } from './verdict.ts';
import { declareMetricsOf } from './custom-metrics.ts';

export interface MergeOptions {
  /** how many shards the run had ("1/n".."n/n"), or their labels */
  readonly expectedShards: number | readonly string[];
  /**
   * the merged run folder (--out): each shard's failure evidence is copied into its evidence/ and
   * listed in summary.evidence relative to it (merge-evidence.ts); without it, evidence is left out
   */
  readonly outDir?: string;
}

export interface MergeResult {
  readonly summary: RunSummary;
  /** expected shards that are absent, partial or interrupted, with why */
  readonly missingShards: string[];
  /** what was skipped while reading (truncated lines, unreadable files) */
  readonly problems: string[];
  /** one timeline of all shards, for the merged report (see merge-timeline.ts) */
  readonly intervals: IntervalSnapshot[];
  /** every shard's events, in time order */
  readonly events: RunEvent[];
}

function addCounts(a: UserCounts, b: UserCounts): UserCounts {
  return { started: a.started + b.started, completed: a.completed + b.completed, failed: a.failed + b.failed, interrupted: a.interrupted + b.interrupted };
}

/**
 * A series that cannot be merged (a trend without its histogram, a corrupt histogram) is left out,
 * said where, and makes its shard incomplete: merged totals without it would be silently wrong.
 */
function withoutUnmergeable(c: RunFolderContents): { contents: RunFolderContents; dropped: string[] } {
  const dropped: string[] = [];
  const intervals = c.intervals.map((snap) => ({
    ...snap,
    series: snap.series.filter((a) => {
      try {
        SeriesState.fromAggregate(a);
        return true;
      } catch (error) {
        if (dropped.length < 5) dropped.push(`${c.dir}: intervals.ndjson, interval ending ${new Date(snap.endMs).toISOString()}: ${(error as Error).message}`);
        else dropped.push('');
        return false;
      }
    }),
  }));
  return { contents: { ...c, intervals }, dropped };
}

function shardOf(c: RunFolderContents): string | undefined {
  return c.summary?.shard ?? c.intervals[0]?.shard;
}

export async function mergeRunFolders(dirs: readonly string[], opts: MergeOptions): Promise<MergeResult> {
  const expected = typeof opts.expectedShards === 'number' ? Array.from({ length: opts.expectedShards }, (_, i) => `${i + 1}/${opts.expectedShards}`) : [...opts.expectedShards];
  const problems: string[] = [];
  const folders = await readFolders(dirs, problems);
  const { byShard, corrupt } = indexByShard(folders, problems);
  const missingShards = findMissingShards(expected, byShard, corrupt);
  for (const label of byShard.keys()) if (!expected.includes(label)) problems.push(`shard ${label} was not expected (expected ${expected.join(', ')}); it was merged anyway`);

  const { totals, phaseTotals } = mergeTotals([...byShard.values()]);
  const summaries = [...byShard.values()].map((c) => c.summary).filter((s): s is RunSummary => s !== null);
  const first = summaries[0];
  const { storedGate, thresholds } = reevaluateGate(first, totals, phaseTotals, problems);
  const shards = combineShardSummaries(summaries);

  const verdict = decideVerdict({
    interrupted: false, // the merge itself was not interrupted; interrupted shards count as missing
    saturated: shards.saturationReasons.length > 0,
    saturationReasons: shards.saturationReasons,
    thresholds,
    missingShards,
    aborted: shards.aborted.length ? shards.aborted.join('; ') : undefined,
    internalError: shards.internalErrors.length ? shards.internalErrors.join('; ') : undefined,
    runCompleted: missingShards.length === 0,
    usersStarted: shards.users.started,
    iterationsCompleted: Object.values(shards.journeys).reduce((n, j) => n + j.completed, 0),
    gated: (storedGate?.defaults ?? true) || thresholds.length > 0,
  });

  const startedAtMs = summaries.length ? Math.min(...summaries.map((s) => Date.parse(s.startedAt))) : Date.now();
  const ends = summaries.map((s) => (s.endedAt ? Date.parse(s.endedAt) : Number.NaN)).filter(Number.isFinite);
  const summary = buildSummary({
    runId: (first?.runId ?? 'merged').replace(/-shard\d+of\d+$/, ''),
    shard: `merged ${byShard.size}/${expected.length}`,
    status: missingShards.length === 0 ? 'complete' : 'partial',
    startedAtMs,
    endedAtMs: ends.length ? Math.max(...ends) : null,
    target: first?.target ?? '',
    plan: first?.plan ?? null,
    phases: first?.phases ?? [],
    verdict,
    userCounts: shards.users,
    journeyCounts: shards.journeys,
    totals,
    thresholds,
    generator: shards.generator,
    sinks: shards.sinks,
    ...(shards.blocked ? { blocked: shards.blocked } : {}),
    errors: mergeErrorClasses(shards.errorLists),
    ...(storedGate ? { defaultGate: storedGate.defaults } : {}),
  });
  const intervals = mergeShardIntervals([...byShard.values()].map((c) => c.intervals), summary.runId);
  const events = [...byShard.values()].flatMap((c) => c.events).sort((a, b) => a.timeMs - b.timeMs);
  const shardEvidence = [...byShard].map(([shard, c]) => ({ shard, dir: c.dir, evidence: c.summary?.evidence }));
  const evidence = opts.outDir === undefined ? undefined : await carryShardEvidence(shardEvidence, opts.outDir, problems);
  return { summary: evidence ? { ...summary, evidence } : summary, missingShards, problems, intervals, events };
}

/** Every folder that can be read; an unreadable one is a problem, not an error. */
async function readFolders(dirs: readonly string[], problems: string[]): Promise<RunFolderContents[]> {
  const folders: RunFolderContents[] = [];
  for (const dir of dirs) {
    try {
      const c = await readRunFolder(dir);
      folders.push(c);
      problems.push(...c.problems.map((p) => `${dir}: ${p}`));
    } catch (err) {
      problems.push(`${dir}: unreadable run folder (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  return folders;
}

/** One folder per shard label (the first wins), its unmergeable series dropped and counted in `corrupt`. */
function indexByShard(folders: readonly RunFolderContents[], problems: string[]): { byShard: Map<string, RunFolderContents>; corrupt: Map<string, number> } {
  const byShard = new Map<string, RunFolderContents>();
  const corrupt = new Map<string, number>();
  for (const c of folders) {
    const shard = shardOf(c);
    if (shard === undefined) {
      problems.push(`${c.dir}: no ${RUN_FILES.summary} and no intervals, so its shard is unknown; it was left out`);
      continue;
    }
    if (byShard.has(shard)) {
      problems.push(`${c.dir}: shard ${shard} given twice; only the first folder was used`);
      continue;
    }
    const { contents, dropped } = withoutUnmergeable(c);
    byShard.set(shard, contents);
    if (dropped.length > 0) {
      problems.push(...dropped.filter(Boolean), ...(dropped.length > 5 ? [`${c.dir}: ${dropped.length - 5} more series could not be merged`] : []));
      corrupt.set(shard, dropped.length);
    }
  }
  return { byShard, corrupt };
}

/** Each expected shard that is absent, died, ended partial or interrupted, or lost series, with why. */
function findMissingShards(expected: readonly string[], byShard: ReadonlyMap<string, RunFolderContents>, corrupt: ReadonlyMap<string, number>): string[] {
  const missingShards: string[] = [];
  for (const label of expected) {
    const c = byShard.get(label);
    if (!c) missingShards.push(`${label} (no run folder)`);
    else if (!c.summary) missingShards.push(`${label} (no summary: the shard died)`);
    else if (c.summary.status !== 'complete') missingShards.push(`${label} (status ${c.summary.status})`);
    else if (c.summary.verdict.result === 'interrupted') missingShards.push(`${label} (interrupted)`);
    else if (corrupt.has(label)) missingShards.push(`${label} (${corrupt.get(label)} series could not be merged)`);
  }
  return missingShards;
}

/** Exact totals from every interval of every shard, and per plan phase (each interval belongs to one). */
function mergeTotals(shards: readonly RunFolderContents[]): { totals: SeriesAggregate[]; phaseTotals: Map<string, SeriesAggregate[]> } {
  const merged = mergeAggregates(shards.flatMap((c) => c.intervals.flatMap((snap) => snap.series.map((aggregate) => ({ aggregate, timeMs: snap.endMs })))));
  const totals: SeriesAggregate[] = [...merged.values()].map((s) => s.toAggregate());
  const phaseTotals = new Map<string, SeriesAggregate[]>();
  for (const phase of new Set(shards.flatMap((c) => c.intervals.map((snap) => snap.phase)))) {
    const inPhase = shards.flatMap((c) => c.intervals.filter((snap) => snap.phase === phase).flatMap((snap) => snap.series.map((aggregate) => ({ aggregate, timeMs: snap.endMs }))));
    phaseTotals.set(phase, [...mergeAggregates(inPhase).values()].map((s) => s.toAggregate()));
  }
  return { totals, phaseTotals };
}

/**
 * The gate of the plan every shard ran (its thresholds and the built-in ones), re-evaluated on
 * merged totals; shards of an older fleet without a stored plan: the thresholds they reported.
 */
function reevaluateGate(first: RunSummary | undefined, totals: readonly SeriesAggregate[], phaseTotals: PhaseTotals, problems: string[]) {
  problems.push(...declareMetricsOf(first?.plan).map((p) => `re-reading the plan's own metrics: ${p}`));
  const storedGate = gateInputOfStoredPlan(first?.plan);
  const spec: Record<string, ThresholdObject[]> = {};
  for (const t of first?.thresholds ?? []) (spec[t.metric] ??= []).push({ threshold: t.expression, abortOnFail: t.abortOnFail, optional: t.noData && t.ok && !t.deferred });
  const parsed = storedGate ? buildGate(storedGate) : parseThresholds(spec);
  problems.push(...parsed.problems.map((p) => `re-reading thresholds: ${p}`));
  return { storedGate, thresholds: evaluateThresholds(parsed.thresholds, totals, phaseTotals) };
}

/** What the shards' own summaries add up to: counts summed, per-machine health the worst shard's. */
function combineShardSummaries(summaries: readonly RunSummary[]) {
  let users: UserCounts = { started: 0, completed: 0, failed: 0, interrupted: 0 };
  const journeys: Record<string, UserCounts> = {};
  const saturationReasons: string[] = [];
  const sinks: Record<string, SinkStats> = {};
  const errorLists: ErrorClass[][] = [];
  const internalErrors: string[] = [];
  const aborted: string[] = [];
  const g = { cpuPercentP95: 0, cpuPercentMax: 0, memoryMaxMb: 0, eventLoopDelayP99Ms: 0, browserCrashes: 0, browserRelaunches: 0 };
  const optional: Partial<Record<(typeof worstOfOptional)[number], number>> = {};
  let blocked: BlockedTraffic | undefined;
  let browser: GeneratorHealth['browser'];
  for (const s of summaries) {
    browser ??= s.generator.browser; // the first shard's with browser users (shards run one build with one set of options)
    users = addCounts(users, s.users);
    for (const [j, c] of Object.entries(s.journeys)) journeys[j] = addCounts(journeys[j] ?? { started: 0, completed: 0, failed: 0, interrupted: 0 }, c);
    if (s.generator.saturated) saturationReasons.push(...(s.generator.reasons.length ? s.generator.reasons : ['saturated']).map((r) => `shard ${s.shard}: ${r}`));
    for (const [name, st] of Object.entries(s.sinks)) sinks[`${s.shard} ${name}`] = st;
    errorLists.push([...s.errors]);
    if (s.verdict.exitCode === 1) internalErrors.push(`shard ${s.shard}: ${s.verdict.reasons[0] ?? 'internal error'}`);
    if (s.verdict.abortedBy !== undefined) aborted.push(`shard ${s.shard}: ${s.verdict.abortedBy}`);
    // per-machine figures: the worst shard is the one that matters
    g.cpuPercentP95 = Math.max(g.cpuPercentP95, s.generator.cpuPercentP95);
    g.cpuPercentMax = Math.max(g.cpuPercentMax, s.generator.cpuPercentMax);
    g.memoryMaxMb = Math.max(g.memoryMaxMb, s.generator.memoryMaxMb);
    g.eventLoopDelayP99Ms = Math.max(g.eventLoopDelayP99Ms, s.generator.eventLoopDelayP99Ms);
    g.browserCrashes += s.generator.browserCrashes;
    g.browserRelaunches += s.generator.browserRelaunches;
    for (const k of worstOfOptional) if (s.generator[k] !== undefined) optional[k] = Math.max(optional[k] ?? 0, s.generator[k]);
    if (s.blocked) blocked = addBlocked(blocked, s.blocked);
  }
  const generator: Partial<GeneratorHealth> = { ...g, ...optional, ...(browser ? { browser } : {}), saturated: saturationReasons.length > 0, reasons: saturationReasons };
  return { users, journeys, saturationReasons, sinks, errorLists, internalErrors, aborted, generator, blocked };
}

// the monitor's optional per-machine figures: as above, the worst shard's
const worstOfOptional = ['machineCpuPercentP95', 'cpuWaitPercentP95', 'cpuStarvedPercentP95', 'startupCpuPercentMax', 'startupMs'] as const;

/** Blocked traffic of all shards: every attempt counted, the first few examples kept. */
function addBlocked(a: BlockedTraffic | undefined, b: BlockedTraffic): BlockedTraffic {
  if (!a) return b;
  return {
    total: a.total + b.total,
    byHost: addTally(a.byHost, b.byHost),
    byKind: addTally(a.byKind, b.byKind),
    examples: [...a.examples, ...b.examples].slice(0, 10),
    browser: { total: a.browser.total + b.browser.total, byHost: addTally(a.browser.byHost, b.browser.byHost), examples: [...a.browser.examples, ...b.browser.examples].slice(0, 10) },
  };
}

function addTally(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = { ...a };
  for (const [k, n] of Object.entries(b)) out[k] = (out[k] ?? 0) + n;
  return out;
}
