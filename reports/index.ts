// reports/: the HTML report, bottlenecks, recommendations and the baseline comparison.
// The CLI wires `waddle-fleet report <dir> [--baseline <dir>]` to writeReport and, for the
// release gate, compareRuns + comparisonVerdictReasons (regressions → exit 3).
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildReportHtml, type ReportOptions } from './html/build.ts';
import { compareRuns, type CompareOptions } from './compare.ts';
import { readRunForReport } from './run-folder-reader.ts';

export { buildReportHtml, type ReportOptions } from './html/build.ts';
export { readRunForReport, parseNdjson, type RunForReport } from './run-folder-reader.ts';
export { RunFolderProblem } from './run-folder-problem.ts';
export { summaryFromNdjson } from './partial-summary.ts';
export { analyseRun, identifyBottlenecks, defaultLimits, type Analysis, type Bottleneck, type BottleneckLimits, type FindingEvidence, type Severity, type WithheldFinding } from './bottlenecks.ts';
export { MIN_SAMPLES } from './min-samples.ts';
export { STARTUP_INTERVALS, STARTUP_STEPS } from './startup.ts';
export { passCaveat, whyVerdictStands } from './gate-notes.ts';
export { callRoomsOf, loneCallerProblems, type CallRooms } from './plan-problems.ts';
export { recommendations, type Recommendation } from './recommendations.ts';
export { compareRuns, comparisonVerdictReasons, type Comparison, type CompareOptions, type Change } from './compare.ts';
export { buildReportCharts, type ChartData } from './series.ts';

export interface WriteReportOptions {
  /** a baseline run folder to compare against */
  readonly baselineDir?: string;
  readonly compare?: CompareOptions;
  /** where to write; defaults to <runDir>/report.html */
  readonly outFile?: string;
  readonly maxPointsPerChart?: number;
}

/** Reads a run folder, writes report.html (atomically: temp file + rename) and returns its path. */
export async function writeReport(runDir: string, options: WriteReportOptions = {}): Promise<string> {
  const run = await readRunForReport(runDir);
  const reportOptions: ReportOptions = { compare: options.compare, maxPointsPerChart: options.maxPointsPerChart };
  let html: string;
  if (options.baselineDir) {
    const baseline = await readRunForReport(options.baselineDir);
    html = buildReportHtml(run, { ...reportOptions, comparison: compareRuns(run.summary, baseline.summary, options.compare) });
  } else {
    html = buildReportHtml(run, reportOptions);
  }
  const outFile = options.outFile ?? join(runDir, 'report.html');
  const temp = `${outFile}.${process.pid}.tmp`;
  await writeFile(temp, html);
  await rename(temp, outFile);
  return outFile;
}
