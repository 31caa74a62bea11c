// `waddle-fleet merge`: one verdict for a distributed run. Percentiles come from merged
// histograms, never averaged; a missing or partial shard makes the verdict inconclusive. It ends
// like a run does (reports/publish.ts): summary.json, junit.xml, report.html.
import { mkdir, stat } from 'node:fs/promises';
import { UsageError } from '../common/errors.ts';
import { join } from 'node:path';
import { atomicWrite } from '../metrics/atomic-write.ts';
import { mergeRunFolders } from '../metrics/merge.ts';
import { publishRun } from '../reports/publish.ts';
import { formatSummaryTable } from './summary-table.ts';

export async function mergeCommand(dirs: readonly string[], expectedShards: number, outDir: string): Promise<number> {
  // as `report` does: folders that are not there are a usage error (exit 2), not an empty merged run (exit 4)
  const usage: string[] = [];
  if (!Number.isInteger(expectedShards) || expectedShards < 1) usage.push(`--shards: expected a whole number ≥ 1 (the shards the run had), got ${String(expectedShards)}`);
  for (const dir of dirs) if (!(await isDirectory(dir))) usage.push(`${dir}: no such run folder; give the shards' run folders (each holds a summary.json or the NDJSON files of a killed run)`);
  if (usage.length > 0) throw new UsageError(usage);
  await mkdir(outDir, { recursive: true });
  const { summary, missingShards, intervals, events, problems } = await mergeRunFolders(dirs, { expectedShards, outDir });
  for (const p of problems) console.error(`warning: ${p}`);
  const ndjson = (items: readonly object[]) => items.map((i) => JSON.stringify(i)).join('\n') + (items.length ? '\n' : '');
  await atomicWrite(join(outDir, 'intervals.ndjson'), ndjson(intervals));
  await atomicWrite(join(outDir, 'events.ndjson'), ndjson(events));
  const published = await publishRun(outDir, summary, { report: true, log: (line) => console.error(line) });
  if (published.reportPath) console.log(`report: ${published.reportPath}`);
  if (missingShards.length > 0) console.error(`missing or partial shards: ${missingShards.join(', ')}`);
  console.log(formatSummaryTable(published.summary, outDir));
  return published.summary.verdict.exitCode;
}

const isDirectory = (path: string): Promise<boolean> => stat(path).then((s) => s.isDirectory(), () => false);
