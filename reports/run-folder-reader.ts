// Reads what a report is built from: summary.json, intervals.ndjson, events.ndjson and plan.json
// (docs/run-folder.md), never samples.ndjson, so reports stay fast on runs of millions of samples.
// A run killed with kill -9 may leave a half-written last NDJSON line: it is skipped and counted,
// never fatal. Without summary.json (the run died before its end) the summary is rebuilt from the
// NDJSON and marked partial. A folder with nothing to report on is a RunFolderProblem that lists
// what is missing (the CLI maps it to exit 2), never an internal error.
import { access, readFile, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, normalize } from 'node:path';
import type { RunSummary } from '../metrics/run-summary.ts';
import { parseNdjson as parseNdjsonWithProblems } from '../metrics/sinks/run-folder.ts';
import type { IntervalSnapshot, RunEvent } from '../metrics/types.ts';
import { summaryFromNdjson } from './partial-summary.ts';
import { RunFolderProblem } from './run-folder-problem.ts';
import { declareMetricsOf } from '../metrics/custom-metrics.ts';

export { RunFolderProblem } from './run-folder-problem.ts';

export interface RunForReport {
  readonly summary: RunSummary;
  readonly intervals: readonly IntervalSnapshot[];
  readonly events: readonly RunEvent[];
  /** NDJSON lines that could not be parsed (a truncated last line after kill -9) */
  readonly skippedLines?: number;
  /** set when the report covers only part of the run: why, in sentences */
  readonly partial?: readonly string[];
  /** what was skipped or could not be rebuilt while reading, in sentences */
  readonly problems?: readonly string[];
  /** evidence files the summary names that are not in the run folder */
  readonly missingEvidenceFiles?: readonly string[];
}

export interface NdjsonResult<T> {
  readonly items: T[];
  readonly skippedLines: number;
}

/** Parses NDJSON, skipping blank lines and lines that are not complete JSON objects. */
export function parseNdjson<T>(text: string): NdjsonResult<T> {
  const items: T[] = [];
  let skippedLines = 0;
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed) continue;
    try {
      const value: unknown = JSON.parse(trimmed);
      if (value && typeof value === 'object') items.push(value as T);
      else skippedLines++;
    } catch {
      skippedLines++;
    }
  }
  return { items, skippedLines };
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new RunFolderProblem(path, [`${path}: cannot be read (${(error as Error).message})`]);
  }
}

async function assertFolder(runDir: string): Promise<void> {
  const hint = "Pass a run folder (results/<run-id>/) written by 'waddle-fleet run'.";
  try {
    if (!(await stat(runDir)).isDirectory()) throw new RunFolderProblem(runDir, [`${runDir} is a file, not a run folder. ${hint}`]);
  } catch (error) {
    if (error instanceof RunFolderProblem) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new RunFolderProblem(runDir, [code === 'ENOENT' ? `${runDir}: no such folder. ${hint}` : `${runDir}: cannot be read (${(error as Error).message})`]);
  }
}

type SummaryRead = { summary: RunSummary } | { why: string; fatal?: string };

function parseSummary(path: string, text: string | undefined): SummaryRead {
  if (text === undefined) return { why: 'summary.json is missing' };
  let summary: RunSummary;
  try {
    summary = JSON.parse(text) as RunSummary;
  } catch (error) {
    return { why: `summary.json is not valid JSON (${(error as Error).message}; it is written atomically, so it was edited or copied mid-write)` };
  }
  if (!summary || typeof summary !== 'object' || summary.schemaVersion !== 1) {
    return { why: 'unsupported summary.json', fatal: `${path}: schemaVersion ${String(summary?.schemaVersion)} is not supported (expected 1). Rebuild the report with the waddle-fleet version that wrote the run.` };
  }
  declareMetricsOf(summary.plan); // the plan's own metrics: their units in the report
  return { summary };
}

/** Evidence paths must stay inside the run folder; the ones that are not there are listed. */
async function missingEvidence(runDir: string, summary: RunSummary): Promise<string[]> {
  const missing: string[] = [];
  for (const file of new Set((summary.evidence ?? []).flatMap((e) => e.files))) {
    if (isAbsolute(file) || normalize(file).startsWith('..')) { missing.push(file); continue; }
    try { await access(join(runDir, file)); } catch { missing.push(file); }
  }
  return missing;
}

/** Reads a run folder. Throws RunFolderProblem (with every problem) when there is nothing to report on. */
export async function readRunForReport(runDir: string): Promise<RunForReport> {
  await assertFolder(runDir);
  const summaryPath = join(runDir, 'summary.json');
  const [summaryText, intervalsText, eventsText, planText] = await Promise.all(
    ['summary.json', 'intervals.ndjson', 'events.ndjson', 'plan.json'].map((f) => readOptional(join(runDir, f))));
  const problems: string[] = [];
  const intervals = parseNdjsonWithProblems<IntervalSnapshot>(intervalsText ?? '', 'intervals.ndjson', problems);
  const events = parseNdjsonWithProblems<RunEvent>(eventsText ?? '', 'events.ndjson', problems);
  const skippedLines = problems.length;
  intervals.sort((a, b) => a.startMs - b.startMs);
  events.sort((a, b) => a.timeMs - b.timeMs);
  const read = parseSummary(summaryPath, summaryText);
  if ('fatal' in read && read.fatal) throw new RunFolderProblem(runDir, [read.fatal]);

  if ('summary' in read) {
    const summary = read.summary;
    const partial = summary.status === 'complete' ? undefined
      : [`summary.json has status '${summary.status}': the run did not end normally, so the report covers only part of it`];
    return { summary, intervals, events, skippedLines, problems, partial, missingEvidenceFiles: await missingEvidence(runDir, summary) };
  }

  let plan: unknown;
  if (planText !== undefined) {
    try { plan = JSON.parse(planText); } catch (error) { problems.push(`plan.json is not valid JSON (${(error as Error).message}); the plan is unknown`); }
  }
  if (intervals.length === 0 && events.length === 0 && plan === undefined) {
    const state = (text: string | undefined, name: string): string => `${name}: ${text === undefined ? 'missing' : 'no readable line'}`;
    throw new RunFolderProblem(runDir, [
      `${read.why}, and there is nothing to rebuild a report from:`,
      state(intervalsText, 'intervals.ndjson'), state(eventsText, 'events.ndjson'), `plan.json: ${planText === undefined ? 'missing' : 'unreadable'}`,
      "Is this a run folder (results/<run-id>/)? A run that died before writing anything leaves nothing to report; run it again.",
    ]);
  }
  const rebuilt = summaryFromNdjson({ folderName: basename(runDir), intervals, events, plan, why: read.why });
  const partial = [`${read.why}: this report was rebuilt from intervals.ndjson (${intervals.length} intervals) and events.ndjson (${events.length} events)${plan === undefined ? '' : ' and plan.json'}`];
  return { summary: rebuilt.summary, intervals, events, skippedLines, problems: [...problems, ...rebuilt.problems], partial, missingEvidenceFiles: [] };
}
