// `waddle-fleet merge`: one verdict for a distributed run. Percentiles come from merged
// histograms, never averaged; a missing or partial shard makes the verdict inconclusive.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { mergeRunFolders } from '../metrics/merge.ts';
import { writeSummary } from '../metrics/sinks/run-folder.ts';
import { toJUnitXml } from '../metrics/junit.ts';
import { atomicWrite } from '../metrics/atomic-write.ts';
import { formatSummaryTable } from './summary-table.ts';

export async function mergeCommand(dirs: readonly string[], expectedShards: number, outDir: string): Promise<number> {
  await mkdir(outDir, { recursive: true });
  const { summary, missingShards } = await mergeRunFolders(dirs, { expectedShards });
  await writeSummary(outDir, summary);
  await atomicWrite(join(outDir, 'junit.xml'), toJUnitXml(summary));
  if (missingShards.length > 0) console.error(`missing or partial shards: ${missingShards.join(', ')}`);
  console.log(formatSummaryTable(summary, outDir));
  return summary.verdict.exitCode;
}
