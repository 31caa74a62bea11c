// What killed runs leave behind, removed at the next start — and only that. Two runs may share a
// machine, so nothing is removed because of its age alone; each kind has an owner check:
//   <tmp>/waddle-fleet-run-<pid>-<start>-*   a run's private temp root (fleet/private-temp-root.ts):
//                                            removed when that process (pid AND start time) is gone
//   <media cache>/.tmp-<pid>-<start>-*       half-written media (fake-media/media-cache.ts): same rule
//   <tmp>/playwright_chromiumdev_profile-*   Chromium profiles made outside a private root (older
//                                            versions, tests driving the pool in-process): removed
//                                            when no live process names it on its command line
//   <tmp>/org.chromium.Chromium.*            Chromium's singleton-socket folder: removed when no
//                                            process listens on its socket any more
//   <media cache>/.tmp-<uuid>-*              half-written media of the old naming: removed when no
//                                            live process (ffmpeg writing it) names it
// Items with no owner in their name must also be older than minAgeMs, so a folder created a moment
// ago, before its Chromium or ffmpeg started, is never taken for litter.
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { allCommandLines, isOwnerGone, liveUnixSocketPaths, type ProcessIdentity } from '../../common/proc.ts';
import { cacheTempOwner, defaultMediaCacheDir } from '../../fake-media/media-cache.ts';
import { privateTempRootOwner, systemTmpDir } from './private-temp-root.ts';

export interface SweepOptions {
  /** the machine's temp dir (default: the one before a private root redirected TMPDIR) */
  readonly tmpDir?: string;
  /** media caches to clean of half-written files (default: ~/.cache/waddle-fleet/media) */
  readonly mediaCacheDirs?: readonly string[];
  /** items that name no owner are left alone while younger than this (default 60 s) */
  readonly minAgeMs?: number;
}

export interface SweepResult {
  /** absolute paths removed */
  readonly removed: string[];
}

interface Candidate {
  readonly path: string;
  /** set when the name says which process owns it */
  readonly owner?: ProcessIdentity;
  /** otherwise: how to tell a live one */
  readonly liveWhen?: 'named-on-a-command-line' | 'socket-listening';
}

const defaultMinAgeMs = 60_000;

/** Removes the litter of runs that are gone; never what a live process uses. */
export async function sweepStaleLitter(options: SweepOptions = {}): Promise<SweepResult> {
  const tmpDir = options.tmpDir ?? systemTmpDir();
  const candidates = [
    ...(await tmpCandidates(tmpDir)),
    ...(await Promise.all((options.mediaCacheDirs ?? [defaultMediaCacheDir()]).map(mediaCandidates))).flat(),
  ];
  if (candidates.length === 0) return { removed: [] };
  const minAgeMs = options.minAgeMs ?? defaultMinAgeMs;
  const unowned = candidates.filter((c) => !c.owner);
  // read the machine's processes once, and only when something needs it
  const commandLines = unowned.some((c) => c.liveWhen === 'named-on-a-command-line') ? [...(await allCommandLines()).values()] : [];
  const sockets = unowned.some((c) => c.liveWhen === 'socket-listening') ? await liveUnixSocketPaths() : new Set<string>();
  const removed: string[] = [];
  for (const c of candidates) {
    if (!(await isStale(c, { commandLines, sockets, minAgeMs }))) continue;
    try {
      await rm(c.path, { recursive: true, force: true, maxRetries: 3 });
      removed.push(c.path);
    } catch {} // someone else's file we may not remove, or it went away: not ours to fail on
  }
  return { removed };
}

/** One line for the run's log, or undefined when nothing was removed. */
export function describeSweep(result: SweepResult): string | undefined {
  if (result.removed.length === 0) return undefined;
  const shown = result.removed.slice(0, 5).join(', ');
  const more = result.removed.length > 5 ? ` and ${result.removed.length - 5} more` : '';
  return `removed ${result.removed.length} leftover(s) of earlier runs that were killed: ${shown}${more}`;
}

async function tmpCandidates(tmpDir: string): Promise<Candidate[]> {
  const out: Candidate[] = [];
  for (const name of await listDir(tmpDir)) {
    const path = join(tmpDir, name);
    const owner = privateTempRootOwner(name);
    if (owner) out.push({ path, owner });
    else if (name.startsWith('playwright_chromiumdev_profile-')) out.push({ path, liveWhen: 'named-on-a-command-line' });
    else if (name.startsWith('org.chromium.Chromium.')) out.push({ path, liveWhen: 'socket-listening' });
  }
  return out;
}

async function mediaCandidates(cacheDir: string): Promise<Candidate[]> {
  const out: Candidate[] = [];
  for (const name of await listDir(cacheDir)) {
    const temp = cacheTempOwner(name);
    if (!temp) continue;
    const path = join(cacheDir, name);
    out.push(temp.owner ? { path, owner: temp.owner } : { path, liveWhen: 'named-on-a-command-line' });
  }
  return out;
}

async function isStale(
  c: Candidate,
  live: { commandLines: readonly string[]; sockets: ReadonlySet<string>; minAgeMs: number },
): Promise<boolean> {
  if (c.owner) return isOwnerGone(c.owner);
  let info;
  try {
    info = await lstat(c.path);
  } catch {
    return false; // gone already
  }
  if (Date.now() - info.mtimeMs < live.minAgeMs) return false;
  if (c.liveWhen === 'named-on-a-command-line') return !live.commandLines.some((line) => line.includes(c.path));
  return !live.sockets.has(join(c.path, 'SingletonSocket'));
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return []; // no cache yet, or no temp dir: nothing to sweep
  }
}
