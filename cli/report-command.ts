// `waddle-fleet report <run-dir> [--baseline <dir>]`: rebuild report.html from a run folder — a
// partial one from the NDJSON files when the run was killed — or, with a baseline, write the
// comparison beside it as report-vs-baseline.html (the run's own report stays as it was) and print
// it (exit 3 when it regressed). A baseline of another plan or scale is refused unless
// --baseline-any. A folder that cannot be reported on is exit 2.
import { join } from 'node:path';
import { baselineMismatch, type PlanIdentity } from '../reports/baseline.ts';
import { readRunForReport, rebuildReport, RunFolderProblem } from '../reports/index.ts';
import { UsageError } from '../common/errors.ts';
import { ExitCode } from './exit-codes.ts';

/** Where `report --baseline` writes, beside the run's own report.html. */
export const comparisonReportName = 'report-vs-baseline.html';

export async function reportCommand(runDir: string, options: { baseline?: string; baselineMargin?: string; baselineAny?: boolean }): Promise<number> {
  const marginPct = options.baselineMargin === undefined ? 10 : Number(options.baselineMargin);
  if (!Number.isFinite(marginPct) || marginPct < 0) throw new UsageError([`--baseline-margin: expected a percentage ≥ 0 like 10, got ${JSON.stringify(options.baselineMargin)}`]);
  try {
    if (options.baseline && !options.baselineAny) {
      const [run, baseline] = await Promise.all([readRunForReport(runDir), readRunForReport(options.baseline)]);
      const mismatch = baselineMismatch(run.summary.plan as PlanIdentity, baseline.summary, options.baseline);
      if (mismatch.length > 0) throw new UsageError(mismatch);
    }
    const beside = options.baseline ? { baselineDir: options.baseline, outFile: join(runDir, comparisonReportName) } : {};
    const rebuilt = await rebuildReport(runDir, { ...beside, compare: { marginPct } });
    for (const line of rebuilt.problems) console.error(`warning: ${line}`);
    for (const line of rebuilt.partial ?? []) console.log(`partial report: ${line}`);
    for (const warning of rebuilt.baseline?.warnings ?? []) console.error(`warning: baseline: ${warning}`);
    for (const line of rebuilt.baseline?.verdictLines ?? []) console.log(`baseline: ${line}`);
    console.log(`report: ${rebuilt.path}`);
    return rebuilt.baseline?.regressed ? ExitCode.thresholdsFailed : ExitCode.passed;
  } catch (error) {
    if (error instanceof RunFolderProblem) throw new UsageError(error.problems);
    throw error;
  }
}
