// The verdict: may this release ship? (shared/DESIGN.md exit codes, RELIABILITY.md "The verdict")
// PASS only when the run completed, every shard reported, the generator was not saturated and
// every threshold had data and held. Ranking, first match wins:
//   interrupted 130 > internal error 1 > saturated 4 > missing shards 4 > abortOnFail 3
//   > run not completed 4 > no user started 4 > thresholds failed 3 > pass 0.
// Saturation outranks threshold failures: a starved generator cannot prove the target slow. But
// errors it cannot cause (assertions, the target's own errors; no timeout or drop among them) still
// fail the run (exit 3), with the saturation named beside them.
// Every Verdict is made here: decideVerdict for `run` and `merge` (with the notes that do not change
// it, such as a sink that dropped points), withBaselineRegression for a baseline comparison.
import { ExitCode } from './exit-codes.ts';
import type { ThresholdResult, Verdict } from './run-summary.ts';
import { describeThresholdResult } from './thresholds.ts';
import type { SeriesAggregate } from './types.ts';

export interface VerdictInput {
  readonly interrupted: boolean;
  readonly saturated: boolean;
  readonly saturationReasons: readonly string[];
  readonly thresholds: readonly ThresholdResult[];
  /** shards expected but absent or partial (distributed runs), or this shard when it missed its start */
  readonly missingShards?: readonly string[];
  /** the abortOnFail sentence when a threshold stopped the run early (metrics/stop-reason.ts abortOnFailOf) */
  readonly aborted?: string;
  /** what broke inside the fleet (a bug) */
  readonly internalError?: string;
  readonly runCompleted: boolean;
  readonly usersStarted: number;
  /**
   * journey iterations that completed, over all journeys; when users started but none completed an
   * iteration the run fails whatever the thresholds say (a run whose users all fail never passes).
   * Absent: not known (an older shard), not judged here.
   */
  readonly iterationsCompleted?: number;
  /** false when the plan turned the built-in error gate off and wrote no threshold itself */
  readonly gated?: boolean;
  /** step and journey errors by failure reason (timeout, assertion, …); absent: not known */
  readonly errorReasons?: Readonly<Record<string, number>>;
  /** sentences added after the reasons that do not change the verdict (a sink that dropped points) */
  readonly notes?: readonly string[];
}

/** Failure reasons a starved generator does not produce: the target said no, or a check saw wrong data. */
const reasonsNotFromSlowness: ReadonlySet<string> = new Set(['assertion', 'target_error']);
/** Thresholds that count failures, not time: they stand on a saturated generator when the failures do. */
const errorMetric = /^(journey\.errors|journey\.completed|step\.errors|connection\.protocol_errors|download\.verify_errors)(\{|$)/;
const neverFromSlowness = /^(connection\.protocol_errors|download\.verify_errors)(\{|$)/;

/**
 * With a saturated generator, the error thresholds that failed on errors a slow generator cannot
 * cause (every error an assertion or a target error, none a timeout or a dropped connection; or a
 * protocol break or corrupted download, whatever else happened); undefined when the errors could
 * be the generator's.
 */
function errorsThatStand(input: VerdictInput, noneCompleted: readonly string[]): string[] | undefined {
  const reasons = Object.entries(input.errorReasons ?? {}).filter(([r, n]) => n > 0 && r !== 'aborted'); // stopped at the end: not a failure
  const failedErrors = input.thresholds.filter((t) => !t.ok && !t.noData && errorMetric.test(t.metric));
  // frames that break the protocol and corrupted downloads are the target's whatever the generator did
  const neverSlowness = failedErrors.filter((t) => neverFromSlowness.test(t.metric)).map(describeThresholdResult);
  const allNotSlowness = reasons.length > 0 && reasons.every(([r]) => reasonsNotFromSlowness.has(r));
  if (allNotSlowness && (failedErrors.length > 0 || noneCompleted.length > 0)) {
    return [...noneCompleted, ...failedErrors.map(describeThresholdResult), `${reasons.map(([r, n]) => `${n} ${r}`).join(', ')} error(s): not ones a slow generator causes, so they fail the run although it was saturated`];
  }
  if (neverSlowness.length > 0) return [...neverSlowness, 'the target broke its protocol or corrupted data: no slow generator causes that, so it fails the run although it was saturated'];
  return undefined;
}

function failedThresholds(thresholds: readonly ThresholdResult[]): string[] {
  return thresholds.filter((t) => !t.ok).map(describeThresholdResult);
}

/** The verdict of a run (or of merged shards), with the abortOnFail stop it carries and the notes after its reasons. */
export function decideVerdict(input: VerdictInput): Verdict {
  const ranked = rankVerdict(input);
  return {
    ...ranked,
    reasons: [...ranked.reasons, ...(input.notes ?? [])],
    ...(input.aborted !== undefined ? { abortedBy: input.aborted } : {}),
  };
}

/** A passing run that regressed against its baseline fails (exit 3), the comparison's lines added; any other verdict stands. */
export function withBaselineRegression(verdict: Verdict, regressionLines: readonly string[]): Verdict {
  if (regressionLines.length === 0 || verdict.result !== 'pass') return verdict;
  return { ...verdict, result: 'fail', exitCode: ExitCode.thresholdsFailed, reasons: [...verdict.reasons, ...regressionLines] };
}

function rankVerdict(input: VerdictInput): Verdict {
  const failed = failedThresholds(input.thresholds);
  const untrusted = failed.length > 0 ? [`${failed.length} threshold(s) failed, but on data that cannot be trusted: ${failed.join('; ')}`] : [];

  if (input.interrupted) {
    return { result: 'interrupted', exitCode: ExitCode.interrupted, reasons: ['the run was interrupted (SIGINT/SIGTERM) before the plan ended; the report is partial', ...untrusted] };
  }
  if (input.internalError !== undefined) {
    return { result: 'inconclusive', exitCode: ExitCode.internalError, reasons: [`internal error in the fleet (a bug, not a finding about the target): ${input.internalError}`, ...untrusted] };
  }
  const noneCompleted =
    input.iterationsCompleted === 0 && input.usersStarted > 0
      ? [`no journey iteration completed: all ${input.usersStarted} user(s) failed every iteration, so the run cannot pass`]
      : [];
  if (input.saturated) {
    const why = input.saturationReasons.length > 0 ? input.saturationReasons.join('; ') : 'no reason given';
    const standing = errorsThatStand(input, noneCompleted);
    if (standing) return { result: 'fail', exitCode: ExitCode.thresholdsFailed, reasons: [...standing, `the load generator was also saturated (${why}): its timings cannot be trusted; rerun with fewer users per machine or more shards`] };
    return {
      result: 'inconclusive',
      exitCode: ExitCode.inconclusive,
      reasons: [`the load generator was saturated (${why}); a starved generator cannot prove the target slow: rerun with fewer users per machine or more shards`, ...untrusted],
    };
  }
  if (input.missingShards !== undefined && input.missingShards.length > 0) {
    return {
      result: 'inconclusive',
      exitCode: ExitCode.inconclusive,
      reasons: [`shard(s) ${input.missingShards.join(', ')} did not report a complete run, so the merged data is incomplete`, ...untrusted],
    };
  }
  if (input.aborted !== undefined) {
    return { result: 'fail', exitCode: ExitCode.thresholdsFailed, reasons: [`the run was stopped early by an abortOnFail threshold: ${input.aborted}`, ...failed] };
  }
  if (!input.runCompleted) {
    return { result: 'inconclusive', exitCode: ExitCode.inconclusive, reasons: ['the run did not complete its plan, so its data cannot decide the release', ...untrusted] };
  }
  if (input.usersStarted <= 0) {
    return { result: 'inconclusive', exitCode: ExitCode.inconclusive, reasons: ['no virtual user ever started: nothing was measured', ...untrusted] };
  }
  if (failed.length > 0 || noneCompleted.length > 0) return { result: 'fail', exitCode: ExitCode.thresholdsFailed, reasons: [...noneCompleted, ...failed] };
  const held = input.thresholds.length;
  const ungated = input.gated === false || held === 0;
  return {
    result: 'pass',
    exitCode: ExitCode.passed,
    reasons: [
      ungated
        ? 'passed, but NOT GATED: the plan turned the built-in error gate off (defaultThresholds: false) and has no threshold of its own, so this only says the run completed'
        : `passed: the run completed and all ${held} threshold(s) had data and held`,
    ],
  };
}

/**
 * Share (0..1) of outbound video probe samples whose qualityLimitationReason was 'cpu'
 * (webrtc.quality_limited_cpu, tags kind=video, direction=outbound; untagged series count too).
 */
export function videoCpuLimitedShare(totals: readonly SeriesAggregate[]): number {
  let count = 0;
  let nonZero = 0;
  for (const s of totals) {
    if (s.metric !== 'webrtc.quality_limited_cpu') continue;
    if ((s.tags.kind ?? 'video') !== 'video' || (s.tags.direction ?? 'outbound') !== 'outbound') continue;
    count += s.count;
    nonZero += s.nonZero ?? 0;
  }
  return count === 0 ? 0 : nonZero / count;
}

/** A saturation reason when more than `limit` (default 0.3) of outbound video was CPU-limited, else undefined. */
export function videoCpuSaturationReason(totals: readonly SeriesAggregate[], limit = 0.3): string | undefined {
  const share = videoCpuLimitedShare(totals);
  if (share <= limit) return undefined;
  return `${(share * 100).toFixed(0)}% of outbound video samples were limited by CPU (qualityLimitationReason = cpu; limit ${(limit * 100).toFixed(0)}%)`;
}
