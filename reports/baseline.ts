// `--baseline`: this run against an earlier one, for the terminal and the report. Comparing runs
// of different plans (another name, scale, phases, users or journeys) gives numbers that look
// like regressions or wins and are neither, so such differences come back as warnings, printed
// before the comparison's verdict lines (the regressions, or "no regression beyond N%").
import type { RunSummary } from '../metrics/run-summary.ts';
import { compareRuns, comparisonVerdictReasons, type CompareOptions, type Comparison } from './compare.ts';
import { pagesDrawn } from './pages-drawn.ts';

export interface BaselineReport {
  readonly comparison: Comparison;
  /** why the comparison may mislead: different plan, scale or shape; a partial baseline */
  readonly warnings: readonly string[];
  /** one line per regression, or one line saying there is none beyond the margins */
  readonly verdictLines: readonly string[];
  /** one line per improvement */
  readonly improvementLines: readonly string[];
  readonly regressed: boolean;
}

interface PlanShape { name?: unknown; scale?: unknown; peakUsers?: unknown; shard?: unknown; phases?: unknown }
interface PhaseShape { name?: unknown; targetUsers?: unknown; startMs?: unknown; endMs?: unknown; scenarios?: unknown }

const planOf = (s: RunSummary): PlanShape => (s.plan && typeof s.plan === 'object' ? (s.plan as PlanShape) : {});
const quote = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v));
const seconds = (ms: number): string => `${Math.round(ms / 1000)} s`;

/** "ramp-up 12 users 45 s, steady 12 users 90 s" from the summary's phases (what actually ran) */
function shapeOf(s: RunSummary): string {
  return s.phases.map((p) => `${p.name} ${p.targetUsers} users ${seconds(p.endMs - p.startMs)}`).join(', ');
}

/** journeys with their users at the plan's peak phase, from the resolved plan */
function journeysOf(s: RunSummary): string {
  const phases = Array.isArray(planOf(s).phases) ? (planOf(s).phases as PhaseShape[]) : [];
  const users = new Map<string, number>();
  for (const p of phases) {
    for (const sc of Array.isArray(p.scenarios) ? (p.scenarios as { journey?: unknown; users?: unknown }[]) : []) {
      if (typeof sc.journey === 'string') users.set(sc.journey, Math.max(users.get(sc.journey) ?? 0, Number(sc.users) || 0));
    }
  }
  return [...users].sort(([a], [b]) => a.localeCompare(b)).map(([j, n]) => `${j} ${n}`).join(', ');
}

const durationsDiffer = (a: RunSummary, b: RunSummary): boolean =>
  a.phases.some((p, i) => {
    const q = b.phases[i];
    if (!q) return true;
    const da = p.endMs - p.startMs, db = q.endMs - q.startMs;
    return Math.abs(da - db) > 0.1 * Math.max(da, db) + 1000;
  });

/** What a comparison is between: the plan's name, --scale, its durations' scale and shard. */
export interface PlanIdentity {
  readonly name: string;
  readonly scale: number;
  /** what phase durations were multiplied by */
  readonly durationScale?: number;
  readonly shard?: unknown;
}

/**
 * Why `baseline` is not a run of the same plan at the same scale (empty when it is). A baseline of
 * another plan compared "0 step(s)" and passed; `--baseline` refuses these unless --baseline-any.
 */
export function baselineMismatch(current: PlanIdentity, baseline: RunSummary, dir: string): string[] {
  const bp = planOf(baseline) as PlanShape & { scaleDurations?: unknown; durationScale?: unknown };
  // older runs stored only scaleDurations: their durations were scaled by --scale when it was on
  const baselineDurations = typeof bp.durationScale === 'number' ? bp.durationScale : bp.scaleDurations === true ? bp.scale : 1;
  const differences: string[] = [];
  if (bp.name !== current.name) differences.push(`plan ${quote(bp.name)}, not ${quote(current.name)}`);
  if (bp.scale !== current.scale) differences.push(`--scale ${String(bp.scale ?? 'unknown')}, not ${current.scale}`);
  if (current.durationScale !== undefined && baselineDurations !== current.durationScale) differences.push(`phase durations × ${String(baselineDurations)}, not × ${current.durationScale}`);
  if (current.shard !== undefined && JSON.stringify(bp.shard) !== JSON.stringify(current.shard)) differences.push(`shard ${baseline.shard}`);
  if (differences.length === 0) return [];
  return [`--baseline ${dir}: run ${baseline.runId} ran ${differences.join(', ')}: its numbers are another load's. Give a run of the same plan and scale (key stored baselines by plan, scale and branch), or add --baseline-any to compare anyway`];
}

/** Why comparing `current` with `baseline` may mislead; empty when they ran the same plan and shape. */
export function baselineWarnings(current: RunSummary, baseline: RunSummary, comparison?: Comparison): string[] {
  const out: string[] = [];
  const cp = planOf(current), bp = planOf(baseline);
  const id = `baseline ${baseline.runId}`;
  if (cp.name !== bp.name) out.push(`${id} ran plan ${quote(bp.name)}, this run plan ${quote(cp.name)}: the comparison is between different plans`);
  if (cp.scale !== bp.scale) out.push(`${id} ran at --scale ${String(bp.scale ?? 'unknown')}, this run at ${String(cp.scale ?? 'unknown')}: different loads`);
  if (JSON.stringify(cp.shard) !== JSON.stringify(bp.shard) || current.shard !== baseline.shard) out.push(`${id} is shard ${baseline.shard}, this run ${current.shard}: different shares of the load`);
  const shapeNow = shapeOf(current), shapeThen = shapeOf(baseline);
  const phasesDiffer = current.phases.length !== baseline.phases.length || current.phases.some((p, i) => p.name !== baseline.phases[i]?.name || p.targetUsers !== baseline.phases[i]?.targetUsers);
  if (phasesDiffer || durationsDiffer(current, baseline)) out.push(`${id} had phases [${shapeThen || 'none recorded'}], this run [${shapeNow || 'none recorded'}]: a different load shape`);
  const journeysNow = journeysOf(current), journeysThen = journeysOf(baseline);
  if (journeysNow !== journeysThen) out.push(`${id} ran journeys [${journeysThen || 'unknown'}], this run [${journeysNow || 'unknown'}] (users at the peak)`);
  out.push(...browserDifference(current, baseline, id));
  if (baseline.status !== 'complete' || baseline.verdict.result === 'interrupted') out.push(`${id} is ${baseline.status === 'complete' ? 'interrupted' : baseline.status}: it covers only part of its plan`);
  if (comparison && comparison.onlyInBaseline.length > 0) out.push(`${comparison.onlyInBaseline.length} step(s) only in the baseline, not compared: ${comparison.onlyInBaseline.join(', ')}`);
  if (comparison && comparison.onlyInCurrent.length > 0) out.push(`${comparison.onlyInCurrent.length} step(s) new in this run, not compared: ${comparison.onlyInCurrent.join(', ')}`);
  return out;
}

const pagesOf = (b: { executable: string; frameRate: number }) => `${b.executable} with ${pagesDrawn(b.frameRate)}`;

/** Another browser binary or frame rate changes what a browser user costs and what its step
 *  timings hold (a paced page commits the DOM on time but paints at its frames): a baseline
 *  from before `--frame-rate auto` paced chat plans by default is one. Nothing to say when
 *  this run had no browser users. */
function browserDifference(current: RunSummary, baseline: RunSummary, id: string): string[] {
  const now = current.generator.browser, then = baseline.generator.browser;
  if (!now) return [];
  if (!then) return [`${id} does not record a browser or frame rate (no browser users, or a run from before they were recorded); this run's browser users ran ${pagesOf(now)}: compare with a run of the same browser and --frame-rate`];
  if (now.executable === then.executable && now.frameRate === then.frameRate) return [];
  return [`${id} ran ${pagesOf(then)}, this run ${pagesOf(now)}: a browser user's cost and step timings differ with these; compare runs of the same browser and --frame-rate`];
}

/** The comparison, its warnings and its verdict lines, for the CLI to print and the report to show. */
export function baselineReport(current: RunSummary, baseline: RunSummary, options: CompareOptions = {}): BaselineReport {
  const comparison = compareRuns(current, baseline, options);
  const o = comparison.options;
  const compared = comparison.steps.filter((s) => s.baseline && s.current).length;
  const verdictLines = comparison.regressions.length > 0
    ? comparisonVerdictReasons(comparison)
    : [`no regression against baseline ${baseline.runId} beyond ${o.marginPct}% (and ${o.minAbsMs} ms) in step p95 or ${o.errorRateMarginPp} percentage point(s) in error rates, over ${compared} step(s) compared`];
  return {
    comparison,
    warnings: baselineWarnings(current, baseline, comparison),
    verdictLines,
    improvementLines: comparison.improvements.map((c) => `improvement against baseline ${baseline.runId}: ${c.message}`),
    regressed: comparison.regressions.length > 0,
  };
}
