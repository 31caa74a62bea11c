// Content-addressed cache: the file name carries a hash of everything that shapes the file,
// so the same inputs find the same file and never regenerate. Producers write to a unique
// temp name and rename it into place (rename is atomic on one filesystem), so a concurrent
// run never sees half a file.
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Bump when the generators change, so old cached files are not reused. */
export const GENERATOR_VERSION = 4; // 4: voice bursts drawn from common/random.ts

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
  // Keep the real extension last: ffmpeg picks the muxer from it.
  const tmpPath = join(cacheDir, `.tmp-${randomUUID()}-${name}.${ext}`);
  try {
    await produce(tmpPath);
    await rename(tmpPath, finalPath);
  } finally {
    await rm(tmpPath, { force: true });
  }
  return { path: finalPath, generated: true };
}
