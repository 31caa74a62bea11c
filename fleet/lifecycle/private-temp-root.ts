// One private temp folder per fleet process, named after its owner: <tmp>/waddle-fleet-run-<pid>-<startTicks>-XXXXXX.
// Everything a run puts in the temp dir lands inside it — Playwright's Chromium profiles and
// artifact folders, Chromium's own singleton-socket and shared-memory files, the reference
// Waddle's upload folder, the upload journey's files — because the process points TMPDIR at it:
// Node's os.tmpdir() reads TMPDIR on every call and Chromium and ffmpeg inherit it. So what a
// run leaves when it is killed is one folder whose name says whose it was, and the next start
// (fleet/stale-litter.ts) removes it once that process is gone, never while it runs.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { ownerTag, parseOwnerTag, type ProcessIdentity } from '../../common/proc.ts';

export const privateTempRootPrefix = 'waddle-fleet-run-';
const originalTmpDirEnv = 'WADDLE_FLEET_SYSTEM_TMPDIR';

/** The machine's temp dir, as it was before a private root redirected TMPDIR. */
export function systemTmpDir(): string {
  return process.env[originalTmpDirEnv] || os.tmpdir();
}

/** The owner of a private temp root from its folder name, or undefined when it is not one. */
export function privateTempRootOwner(dirName: string): ProcessIdentity | undefined {
  const m = /^waddle-fleet-run-(\d+-\d+)-[A-Za-z0-9]{6}$/.exec(dirName);
  return m ? parseOwnerTag(m[1]!) : undefined;
}

export interface PrivateTempRoot {
  readonly path: string;
  /** remove the folder and point TMPDIR back (also done on process exit) */
  remove(): void;
}

/**
 * Creates this process's private temp root and points TMPDIR at it. Call once, before anything
 * creates temp files (after the TypeScript loader has registered: tsx keeps its compile cache in
 * the system temp dir, and that cache should outlive the run). Removed on process exit; a hard
 * kill leaves it to the next start's sweep.
 */
export function enterPrivateTempRoot(): PrivateTempRoot {
  const system = systemTmpDir();
  const path = mkdtempSync(join(system, `${privateTempRootPrefix}${ownerTag()}-`));
  const previous = process.env.TMPDIR;
  process.env[originalTmpDirEnv] = system;
  process.env.TMPDIR = path;
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    process.off('exit', remove);
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    delete process.env[originalTmpDirEnv];
    // browsers are closed by now on every path that reaches 'exit'; retries cover a last
    // Chromium file being written while we remove
    try {
      rmSync(path, { recursive: true, force: true, maxRetries: 3, retryDelay: 50 });
    } catch {}
  };
  process.on('exit', remove);
  return { path, remove };
}
