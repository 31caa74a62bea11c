// Failure evidence of a distributed run. Each shard's summary.evidence lists files relative to
// that shard's run folder; the merged report lives in the merge's output folder (--out) and, like
// every report, links only paths inside its own folder (reports/html/evidence-section.ts: the
// folder must work as a CI artefact or from a web server, so "../" is never followed). So each
// shard's files are copied into <out>/evidence/<shard>/ and listed relative to <out>. The copies are
// bounded by the shards' own caps (fleet/failure-evidence.ts: a few per journey and step, at most
// 30 per driver per shard).
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import type { FailureEvidence } from './run-summary.ts';

/** One shard's evidence, as its summary lists it. */
export interface ShardEvidence {
  /** the shard's label ("1/2") */
  readonly shard: string;
  /** its run folder, which the listed files are relative to */
  readonly dir: string;
  /** undefined: the shard recorded none (it never reached load, or predates evidence) */
  readonly evidence: readonly FailureEvidence[] | undefined;
}

/** Where a shard's files go inside the output folder's evidence/. */
const mergedEvidenceFolder = 'evidence';

/**
 * Copies every shard's evidence files into outDir and returns the merged list (oldest first), its
 * paths relative to outDir; undefined when no shard recorded evidence. A file the shard lists but
 * does not have is still listed (the report marks it missing) and said in problems; a path that
 * would leave the shard's folder is left out and said.
 */
export async function carryShardEvidence(shards: readonly ShardEvidence[], outDir: string, problems: string[]): Promise<FailureEvidence[] | undefined> {
  if (shards.every((s) => s.evidence === undefined)) return undefined;
  const folders = shardFolderNames(shards.map((s) => s.shard));
  const merged: FailureEvidence[] = [];
  for (const [i, shard] of shards.entries()) {
    for (const item of shard.evidence ?? []) {
      const files: string[] = [];
      for (const file of item.files) {
        const carried = await carryFile(shard, file, folders[i]!, outDir, problems);
        if (carried) files.push(carried);
      }
      merged.push({ ...item, files });
    }
  }
  return merged.sort((a, b) => a.atMs - b.atMs);
}

/** Copies one file; returns its path relative to outDir, or undefined when the path is not inside the shard's folder. */
async function carryFile(shard: ShardEvidence, file: string, folder: string, outDir: string, problems: string[]): Promise<string | undefined> {
  if (!isInsideFolder(file)) {
    problems.push(`${shard.dir}: summary.evidence names ${JSON.stringify(file)}, which is not a path inside the run folder; left out of the merged evidence`);
    return undefined;
  }
  const inEvidence = file.startsWith(`${mergedEvidenceFolder}/`) ? file.slice(mergedEvidenceFolder.length + 1) : file;
  const target = posix.join(mergedEvidenceFolder, folder, inEvidence);
  try {
    await mkdir(dirname(join(outDir, target)), { recursive: true });
    await copyFile(join(shard.dir, file), join(outDir, target));
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : `could not be copied (${(error as Error).message})`;
    problems.push(`${shard.dir}: evidence file ${file} ${why}; the merged report marks it missing`);
  }
  return target;
}

/** A relative path with no "..", ".", empty part, drive or scheme: what a run writes into evidence/. */
function isInsideFolder(file: string): boolean {
  if (!file || file.includes('\\') || file.startsWith('/') || /^[a-z][a-z0-9+.-]*:/i.test(file)) return false;
  return file.split('/').every((p) => p !== '..' && p !== '.' && p !== '');
}

/** "1/2" → "shard1of2" (as in shard run ids), file-name safe and distinct per shard. */
function shardFolderNames(labels: readonly string[]): string[] {
  const used = new Set<string>();
  return labels.map((label) => {
    const base = `shard${label.replace(/\//g, 'of').replace(/[^A-Za-z0-9_.-]+/g, '_')}`;
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}-${n}`;
    used.add(name);
    return name;
  });
}
