// `waddle-fleet merge`: one verdict for a distributed run. Percentiles come from merged
// histograms, never averaged; a missing or partial shard makes the verdict inconclusive.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { mergeRunFolders } from '../metrics/merge.ts';
import { writeSummary } from '../metrics/sinks/run-folder.ts';
import { toJUnitXml } from '../metrics/junit.ts';
import { atomicWrite } from '../metrics/atomic-write.ts';
import { writeReport } from '../reports/index.ts';
import { formatSummaryTable } from './summary-table.ts';

export async function mergeCommand(dirs: readonly string[], expectedShards: number, outDir: string): Promise<number> {
  await mkdir(outDir, { recursive: true });
  const { summary, missingShards, intervals, events, problems } = await mergeRunFolders(dirs, { expectedShards });
  for (const p of problems) console.error(`warning: ${p}`);
  const ndjson = (items: readonly object[]) => items.map((i) => JSON.stringify(i)).join('\n') + (items.length ? '\n' : '');
  await atomicWrite(join(outDir, 'intervals.ndjson'), ndjson(intervals));
  await atomicWrite(join(outDir, 'events.ndjson'), ndjson(events));
  await writeSummary(outDir, summary);
  await atomicWrite(join(outDir, 'junit.xml'), toJUnitXml(summary));
  const report = await writeReport(outDir);
  console.log(`report: ${report}`);
  if (missingShards.length > 0) console.error(`missing or partial shards: ${missingShards.join(', ')}`);
  console.log(formatSummaryTable(summary, outDir));
  return summary.verdict.exitCode;
}
