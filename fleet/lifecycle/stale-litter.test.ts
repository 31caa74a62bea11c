// sweepStaleLitter against real processes: owners that exited (their litter goes) and live ones
// (theirs stays), a profile named on a live command line, a Chromium singleton folder whose socket
// a process still listens on, and the age guard for items that name no owner.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ownerTag, processIdentity } from '../../common/proc.ts';
import { cacheTempName } from '../../fake-media/media-cache.ts';
import { describeSweep, sweepStaleLitter } from './stale-litter.ts';

let root: string;
let tmp: string;
let cache: string;
const cleanups: Array<() => unknown> = [];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'waddle-litter-unit-'));
  tmp = join(root, 'tmp');
  cache = join(root, 'media');
  await mkdir(tmp);
  await mkdir(cache);
});
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await rm(root, { recursive: true, force: true });
});

/** The owner tag of a process that really ran and has exited. */
function deadOwnerTag(): string {
  const r = spawnSync(process.execPath, ['-e', 'console.log(require("fs").readFileSync("/proc/self/stat","utf8"))'], { encoding: 'utf8' });
  const text = r.stdout;
  const pid = Number(text.split(' ')[0]);
  const startTicks = Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[19]);
  return `${pid}-${startTicks}`;
}

async function aged(path: string, ageMs: number): Promise<string> {
  const t = new Date(Date.now() - ageMs);
  await utimes(path, t, t);
  return path;
}

const exists = (p: string) => stat(p).then(() => true, () => false);

function liveProcessNaming(path: string): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)', '--', path], { stdio: 'ignore' });
  cleanups.push(() => child.kill('SIGKILL'));
  return child;
}

describe('sweepStaleLitter', () => {
  it('removes the private temp root and half-written media of an exited run, keeps a live run\u2019s', async () => {
    const dead = deadOwnerTag();
    const deadRoot = join(tmp, `waddle-fleet-run-${dead}-AbC123`);
    await mkdir(join(deadRoot, 'playwright_chromiumdev_profile-x'), { recursive: true });
    const liveRoot = join(tmp, `waddle-fleet-run-${ownerTag()}-XyZ789`);
    await mkdir(liveRoot);
    const deadMedia = join(cache, `.tmp-${dead}-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d-camera.y4m`);
    const liveMedia = join(cache, cacheTempName('camera', 'y4m'));
    const finished = join(cache, 'camera-320x240-15-0123456789abcdef.y4m');
    for (const f of [deadMedia, liveMedia, finished]) await writeFile(f, 'x');
    // a young dead root is removed too: the owner in its name is proof enough
    const r = await sweepStaleLitter({ tmpDir: tmp, mediaCacheDirs: [cache] });
    expect(r.removed.sort()).toEqual([deadMedia, deadRoot].sort());
    expect(await exists(liveRoot)).toBe(true);
    expect(await exists(liveMedia)).toBe(true);
    expect(await exists(finished)).toBe(true);
    expect(describeSweep(r)).toMatch(/^removed 2 leftover\(s\) of earlier runs that were killed: /);
    expect(describeSweep({ removed: [] })).toBeUndefined();
  });

  it('does not take a reused pid for the owner: same pid, other start time is gone', async () => {
    const me = processIdentity()!;
    const impostor = join(tmp, `waddle-fleet-run-${me.pid}-${me.startTicks + 1}-AbC123`);
    await mkdir(impostor);
    expect((await sweepStaleLitter({ tmpDir: tmp, mediaCacheDirs: [] })).removed).toEqual([impostor]);
  });

  it('keeps a Chromium profile a live process names on its command line, removes an orphaned old one', async () => {
    const used = await aged(await mkdirp(join(tmp, 'playwright_chromiumdev_profile-used')), 10 * 60_000);
    const orphan = await aged(await mkdirp(join(tmp, 'playwright_chromiumdev_profile-orphan')), 10 * 60_000);
    const young = await mkdirp(join(tmp, 'playwright_chromiumdev_profile-young'));
    liveProcessNaming(`--user-data-dir=${used}`);
    await waitForCommandLine(used);
    const r = await sweepStaleLitter({ tmpDir: tmp, mediaCacheDirs: [] });
    expect(r.removed).toEqual([orphan]);
    expect(await exists(used)).toBe(true);
    expect(await exists(young)).toBe(true); // its Chromium may be starting right now
  });

  it('keeps a Chromium singleton folder whose socket is listened on, removes a dead one', async () => {
    const live = await mkdirp(join(tmp, 'org.chromium.Chromium.live01'));
    const dead = await mkdirp(join(tmp, 'org.chromium.Chromium.dead01'));
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(join(live, 'SingletonSocket'), r));
    cleanups.push(() => new Promise((r) => server.close(r)));
    const deadServer = createServer();
    await new Promise<void>((r) => deadServer.listen(join(dead, 'SingletonSocket'), r));
    await new Promise((r) => deadServer.close(r));
    await writeFile(join(dead, 'SingletonSocket'), ''); // a socket file left by a killed Chromium
    for (const d of [live, dead]) await aged(d, 10 * 60_000);
    const r = await sweepStaleLitter({ tmpDir: tmp, mediaCacheDirs: [] });
    expect(r.removed).toEqual([dead]);
  });

  it('removes old-style half-written media only when old and no live process (ffmpeg) names it', async () => {
    const names = ['writing', 'orphan', 'young'].map((k) => join(cache, `.tmp-0a1b2c3d-4e5f-4a6b-8c7d-${k.padEnd(12, '0')}-mic.wav`));
    for (const n of names) await writeFile(n, 'x');
    await aged(names[0]!, 10 * 60_000);
    await aged(names[1]!, 10 * 60_000);
    liveProcessNaming(names[0]!);
    await waitForCommandLine(names[0]!);
    const r = await sweepStaleLitter({ tmpDir: tmp, mediaCacheDirs: [cache] });
    expect(r.removed).toEqual([names[1]]);
  });

  it('finds nothing in folders that do not exist', async () => {
    expect(await sweepStaleLitter({ tmpDir: join(root, 'nope'), mediaCacheDirs: [join(root, 'nope2')] })).toEqual({ removed: [] });
  });
});

async function mkdirp(path: string): Promise<string> {
  await mkdir(path, { recursive: true });
  return path;
}

async function waitForCommandLine(text: string): Promise<void> {
  const { allCommandLines } = await import('../../common/proc.ts');
  for (let i = 0; i < 100; i++) {
    if ([...(await allCommandLines()).values()].some((l) => l.includes(text))) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no process with ${text} on its command line`);
}
