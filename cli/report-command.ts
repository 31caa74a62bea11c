// `waddle-fleet report <run-dir> [--baseline <dir>]`: rebuild report.html from a run folder — a
// partial one from the NDJSON files when the run was killed — and, with a baseline, print the
// comparison (exit 3 when it regressed). A folder that cannot be reported on is exit 2.
import { rebuildReport, RunFolderProblem } from '../reports/index.ts';
import { UsageError } from '../common/errors.ts';
import { ExitCode } from './exit-codes.ts';

export async function reportCommand(runDir: string, options: { baseline?: string; baselineMargin?: string }): Promise<number> {
  const marginPct = options.baselineMargin === undefined ? 10 : Number(options.baselineMargin);
  if (!Number.isFinite(marginPct) || marginPct < 0) throw new UsageError([`--baseline-margin: expected a percentage ≥ 0 like 10, got ${JSON.stringify(options.baselineMargin)}`]);
  try {
    const rebuilt = await rebuildReport(runDir, { ...(options.baseline ? { baselineDir: options.baseline } : {}), compare: { marginPct } });
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
