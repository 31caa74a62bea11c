// Content-addressed cache: the file name carries a hash of everything that shapes the file,
// so the same inputs find the same file and never regenerate. Producers write to a unique
// temp name and rename it into place (rename is atomic on one filesystem), so a concurrent
// run never sees half a file. The temp name carries the owner process (pid and start time), so a
// later start can remove the half-written files of a run that was killed mid-way
// (fleet/stale-litter.ts) without touching those of a run still writing.
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { ownerTag, parseOwnerTag, type ProcessIdentity } from '../common/proc.ts';

/** Where the fleet keeps generated media between runs (~/.cache/waddle-fleet/media). */
export function defaultMediaCacheDir(): string {
  return join(os.homedir(), '.cache', 'waddle-fleet', 'media');
}

const tmpPrefix = '.tmp-';

/** The temp name a producer writes to: .tmp-<pid>-<startTicks>-<uuid>-<name>.<ext>. */
export function cacheTempName(name: string, ext: string): string {
  // keep the real extension last: ffmpeg picks the muxer from it
  return `${tmpPrefix}${ownerTag()}-${randomUUID()}-${name}.${ext}`;
}

/**
 * For a file in the cache folder: not a temp file (undefined); a temp file whose owner is known;
 * or a temp file of the old naming (.tmp-<uuid>-…) that names no owner.
 */
export function cacheTempOwner(fileName: string): { owner: ProcessIdentity | undefined } | undefined {
  if (!fileName.startsWith(tmpPrefix)) return undefined;
  const m = /^(\d+-\d+)-[0-9a-f]{8}-/.exec(fileName.slice(tmpPrefix.length));
  return { owner: m ? parseOwnerTag(m[1]!) : undefined };
}

/** Bump when the generators change, so old cached files are not reused. */
export const GENERATOR_VERSION = 5; // 4: voice bursts drawn from common/random.ts; 5: the camera's source-frame index strip

export function contentKey(inputs: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify({ v: GENERATOR_VERSION, inputs }))
    .digest('hex')
    .slice(0, 16);
}

/** Returns cacheDir/<name>-<key>.<ext>, calling produce(tmpPath) only when it does not exist yet. */
export async function cachedFile(
  cacheDir: string,
  name: string,
  ext: string,
  key: string,
  produce: (tmpPath: string) => Promise<void>,
): Promise<{ path: string; generated: boolean }> {
  await mkdir(cacheDir, { recursive: true });
  const finalPath = join(cacheDir, `${name}-${key}.${ext}`);
  try {
    const s = await stat(finalPath);
    if (s.size > 0) return { path: finalPath, generated: false };
  } catch {}
  const tmpPath = join(cacheDir, cacheTempName(name, ext));
  try {
    await produce(tmpPath);
    await rename(tmpPath, finalPath);
  } finally {
    await rm(tmpPath, { force: true });
  }
  return { path: finalPath, generated: true };
}
