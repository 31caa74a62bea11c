// Replace a file so that a reader (or a kill -9) never sees it half-written:
// write a temp file in the same directory, fsync it, rename it over the target
// (rename is atomic within one filesystem), then fsync the directory so the rename
// itself survives a crash.
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export async function atomicWrite(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let renamed = false;
  try {
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    renamed = true;
    try {
      const d = await open(dir, 'r');
      try {
        await d.sync();
      } finally {
        await d.close();
      }
    } catch {
      // some filesystems refuse fsync on a directory; the rename is still atomic
    }
  } catch (err) {
    throw new Error(`could not write ${path} atomically: ${err instanceof Error ? err.message : String(err)}. Check that the folder exists, is writable and the disk is not full.`, { cause: err });
  } finally {
    if (!renamed) await unlink(tmp).catch(() => {});
  }
}
