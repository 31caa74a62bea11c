// reports/: the HTML report, bottlenecks, recommendations and the baseline comparison.
// The CLI wires `waddle-fleet report <dir> [--baseline <dir>]` to rebuildReport (RunFolderProblem
// → exit 2; it prints the baseline warnings and verdict lines) and, for the release gate, compareRuns
// + comparisonVerdictReasons (regressions → exit 3).
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildReportHtml } from './html/build.ts';
import { baselineReport, type BaselineReport } from './baseline.ts';
import type { CompareOptions } from './compare.ts';
import { readRunForReport } from './run-folder-reader.ts';

export { buildReportHtml, type ReportOptions } from './html/build.ts';
export { readRunForReport, parseNdjson, type RunForReport } from './run-folder-reader.ts';
export { RunFolderProblem } from './run-folder-problem.ts';
export { summaryFromNdjson } from './partial-summary.ts';
export { analyseRun, identifyBottlenecks, defaultLimits, type Analysis, type Bottleneck, type BottleneckLimits, type FindingEvidence, type Severity, type WithheldFinding } from './bottlenecks.ts';
export { MIN_SAMPLES } from './min-samples.ts';
export { STARTUP_INTERVALS, STARTUP_STEPS } from './startup.ts';
export { passCaveat, whyVerdictStands } from './gate-notes.ts';
export { builtInGate, gateState, type GateState } from './html/gate-section.ts';
export { callRoomsOf, loneCallerProblems, type CallRooms } from './plan-problems.ts';
export { recommendations, type Recommendation } from './recommendations.ts';
export { compareRuns, comparisonVerdictReasons, type Comparison, type CompareOptions, type Change } from './compare.ts';
export { baselineReport, baselineWarnings, type BaselineReport } from './baseline.ts';
export { buildReportCharts, type ChartData } from './series.ts';

export interface WriteReportOptions {
  /** a baseline run folder to compare against */
  readonly baselineDir?: string;
  readonly compare?: CompareOptions;
  /** where to write; defaults to <runDir>/report.html */
  readonly outFile?: string;
  readonly maxPointsPerChart?: number;
}

export interface RebuiltReport {
  /** report.html written */
  readonly path: string;
  /** set when the report covers only part of the run (no summary.json, or a run that did not end): why */
  readonly partial?: readonly string[];
  /** what was skipped while reading the run folder (truncated lines, unmergeable series) */
  readonly problems: readonly string[];
  /** with baselineDir: warnings (different plan, scale, shape) and the comparison's verdict lines */
  readonly baseline?: BaselineReport;
}

/**
 * Reads a run folder (and a baseline folder), writes report.html atomically (temp file + rename)
 * and returns what the CLI prints. Throws RunFolderProblem when either folder cannot be reported on.
 */
export async function rebuildReport(runDir: string, options: WriteReportOptions = {}): Promise<RebuiltReport> {
  const run = await readRunForReport(runDir);
  const baseline = options.baselineDir ? baselineReport(run.summary, (await readRunForReport(options.baselineDir)).summary, options.compare) : undefined;
  const html = buildReportHtml(run, {
    compare: options.compare, maxPointsPerChart: options.maxPointsPerChart,
    ...(baseline ? { comparison: baseline.comparison, baselineWarnings: baseline.warnings } : {}),
  });
  const outFile = options.outFile ?? join(runDir, 'report.html');
  const temp = `${outFile}.${process.pid}.tmp`;
  await writeFile(temp, html);
  await rename(temp, outFile);
  return { path: outFile, partial: run.partial, problems: run.problems ?? [], baseline };
}

/** Reads a run folder, writes report.html (atomically: temp file + rename) and returns its path. */
export async function writeReport(runDir: string, options: WriteReportOptions = {}): Promise<string> {
  return (await rebuildReport(runDir, options)).path;
}
