// One Chromium process: launched with the house flags and this profile's fake camera and mic,
// found by pid (so its whole process tree can be measured and, at the end, killed), closed within
// a bound, and never outliving the pool: what a close leaves is SIGKILLed and its temporary
// profile removed.
import { randomUUID } from 'node:crypto';
import { readFile, readdir, rm } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { sleep, withTimeout } from '../../common/async.ts';
import { chromiumArgs } from '../../fake-media/chromium-flags.ts';
import { prepareMedia } from '../../fake-media/prepare-media.ts';
import { FramePacer, pacedBrowserArgs } from './frame-pacer.ts';
import { SourceVideo } from './quality-score.ts';
import { isAlive, processTree } from '../monitor/resource-monitor.ts';
import type { MediaProfile } from './media-profile.ts';

export interface BrowserLaunchOptions {
  readonly executablePath: string;
  readonly headless: boolean;
  readonly mediaCacheDir: string;
  readonly extraArgs: readonly string[];
  /** frames a second for its pages while no driver acts on them (frame-pacer.ts); 0: the browser's own */
  readonly frameRate: number;
  /** bound on browser.close() before the tree is killed */
  readonly closeTimeoutMs: number;
  /** the host guard's browser-wide proxy (Chromium's own traffic is refused and counted) */
  readonly proxy: { readonly server: string };
}

export class BrowserProcess {
  /** pids of the whole tree, refreshed while alive, so a close can SIGKILL stragglers */
  #treePids: number[] = [];
  /** the file its fake camera plays: receivers' quality samples are scored against it */
  source: SourceVideo | undefined;
  /** makes its pages' frames under --frame-rate (frame-pacer.ts) */
  pacer: FramePacer | undefined;

  private constructor(
    readonly browser: Browser,
    readonly pid: number | undefined,
    readonly userDataDir: string | undefined,
    private readonly closeTimeoutMs: number,
  ) {
    this.refreshTree();
  }

  static async launch(profile: MediaProfile, options: BrowserLaunchOptions): Promise<BrowserProcess> {
    const media = await prepareMedia({
      cacheDir: options.mediaCacheDir,
      voiceActivity: profile.voiceActivity,
      // the label is per browser: fake devices are per process, shared by its users
      ...(profile.camera ? { camera: { ...profile.camera, label: `waddle-fleet ${profile.camera.width}x${profile.camera.height}@${profile.camera.fps}` } } : {}),
    });
    const marker = `--waddle-fleet-browser=${randomUUID()}`;
    // imported here, not at the top: playwright-core costs ~0.5 s of CPU to load (its bundle and
    // Node's CommonJS export scan), which every command that starts no browser (a dry run, a
    // refusal, a protocol-only run, k8s-job) paid at start-up
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: options.executablePath,
      headless: options.headless,
      args: chromiumArgs(media, [...(options.frameRate > 0 ? pacedBrowserArgs : []), ...options.extraArgs, marker]),
      // the CLI owns signals (RELIABILITY.md): it stops users, writes the report, then closes us
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      timeout: 60_000,
      proxy: options.proxy,
    });
    const found = await findBrowserPid(marker);
    const process = new BrowserProcess(browser, found?.pid, found?.userDataDir, options.closeTimeoutMs);
    if (media.cameraY4m) process.source = new SourceVideo(media.cameraY4m);
    if (options.frameRate > 0) process.pacer = new FramePacer(options.frameRate);
    return process;
  }

  /** Renderers appear per page: call after opening one. */
  refreshTree(): void {
    if (this.pid !== undefined) this.#treePids = processTree(this.pid);
  }

  onDisconnected(listener: () => void): void {
    this.browser.on('disconnected', listener);
  }

  /** Close within the bound, then kill whatever of the tree is left and remove the temp profile. */
  async close(): Promise<void> {
    void this.source?.close();
    this.pacer?.close();
    this.refreshTree();
    await withTimeout(this.browser.close(), this.closeTimeoutMs, 'browser.close').catch(() => {});
    await this.kill();
  }

  /** SIGKILL the tree (what is left of it) and remove the temporary profile. */
  async kill(): Promise<void> {
    const pids = new Set([...this.#treePids, ...(this.pid !== undefined ? processTree(this.pid) : [])]);
    for (const pid of pids) {
      if (!isAlive(pid)) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    for (let i = 0; i < 20 && [...pids].some(isAlive); i++) await sleep(50);
    if (this.userDataDir) await rm(this.userDataDir, { recursive: true, force: true, maxRetries: 3 }).catch(() => {});
  }
}

/**
 * The pid of our browser: the process whose command line holds the marker, a child of this process
 * or of a wrapper script that does not exec (Debian's /usr/bin/chromium-headless-shell runs the
 * binary as its child): the last of that chain, so a kill stops the browser, not its wrapper.
 */
async function findBrowserPid(marker: string): Promise<{ pid: number; userDataDir?: string } | undefined> {
  const marked = new Map<number, { ppid: number; userDataDir?: string }>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = (await readFile(`/proc/${name}/cmdline`, 'utf8')).split('\0');
      if (!cmdline.includes(marker)) continue;
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const dir = cmdline.find((a) => a.startsWith('--user-data-dir='))?.slice('--user-data-dir='.length);
      marked.set(Number(name), { ppid, ...(dir ? { userDataDir: dir } : {}) });
    } catch {}
  }
  let found: number | undefined;
  for (const [pid, p] of marked) if (p.ppid === process.pid) found = pid;
  for (let next = found; next !== undefined; ) {
    found = next;
    next = [...marked].find(([, p]) => p.ppid === found)?.[0];
  }
  if (found === undefined) return undefined;
  const dir = marked.get(found)!.userDataDir;
  return { pid: found, ...(dir ? { userDataDir: dir } : {}) };
}
