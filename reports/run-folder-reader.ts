// Reads what a report is built from: summary.json, intervals.ndjson and events.ndjson
// (docs/run-folder.md), never samples.ndjson, so reports stay fast on runs of millions of samples.
// A run killed with kill -9 may leave a half-written last NDJSON line: it is skipped and counted,
// never fatal. (metrics/sinks/run-folder.ts has the writer; this reader only needs the files.)
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { IntervalSnapshot, RunEvent } from '../metrics/types.ts';
import type { RunSummary } from '../metrics/run-summary.ts';

export interface RunForReport {
  readonly summary: RunSummary;
  readonly intervals: readonly IntervalSnapshot[];
  readonly events: readonly RunEvent[];
  /** NDJSON lines that could not be parsed (a truncated last line after kill -9) */
  readonly skippedLines?: number;
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

async function readOptional(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

/** Reads a run folder. Throws with the path and what to do when summary.json is missing or broken. */
export async function readRunForReport(runDir: string): Promise<RunForReport> {
  const summaryPath = join(runDir, 'summary.json');
  let summaryText: string;
  try {
    summaryText = await readFile(summaryPath, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read ${summaryPath}: ${(error as Error).message}. Pass a run folder (results/<run-id>/) written by 'waddle-fleet run'.`, { cause: error });
  }
  let summary: RunSummary;
  try {
    summary = JSON.parse(summaryText) as RunSummary;
  } catch (error) {
    throw new Error(`${summaryPath} is not valid JSON (${(error as Error).message}). It is written atomically; a broken file means it was edited or copied mid-write.`, { cause: error });
  }
  if (summary.schemaVersion !== 1) {
    throw new Error(`${summaryPath}: schemaVersion ${String(summary.schemaVersion)} is not supported (expected 1). Rebuild the report with the waddle-fleet version that wrote the run.`);
  }
  const intervals = parseNdjson<IntervalSnapshot>(await readOptional(join(runDir, 'intervals.ndjson')));
  const events = parseNdjson<RunEvent>(await readOptional(join(runDir, 'events.ndjson')));
  intervals.items.sort((a, b) => a.startMs - b.startMs);
  return { summary, intervals: intervals.items, events: events.items, skippedLines: intervals.skippedLines + events.skippedLines };
}
