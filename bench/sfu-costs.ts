// The SFU half of bench:media-protocol (--media sfu): CPU read from /proc for a process and its
// descendants (Chromium's renderers, Janus under the reference Waddle), and the yardstick the
// issue asks for — one 1:1 call of two browser video users (the reference web client in Debian's
// Chromium, fake camera 640x360@15 + mic) through the same SFU, measured before the protocol users
// start: Chromium's CPU per browser user, Janus's CPU per stream it forwards to a browser.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { BASE_CHROMIUM_ARGS } from '../clients/browser/test-support.ts';
import { runFfmpeg } from '../fake-media/ffmpeg.ts';

/** utime + stime of one process, in seconds (0 once it is gone). */
export function cpuSecondsOf(pid: number | 'self'): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ ticks
  } catch {
    return 0;
  }
}

/** The pids under `root` (not itself), leaving out the subtrees of `except`. */
export function descendantsOf(root: number, except: ReadonlySet<number> = new Set()): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (pid: number): void => {
    for (const child of children.get(pid) ?? []) {
      if (except.has(child)) continue;
      out.push(child);
      walk(child);
    }
  };
  walk(root);
  return out;
}

/** CPU seconds of a set of processes found now; read again with the same set (processes started later are missed: measure a steady state). */
export function cpuOfAll(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + cpuSecondsOf(pid), 0);
}

export interface BrowserCallCost {
  /** Chromium's CPU (browser, renderers, GPU and utility processes) per browser user, % of a core */
  readonly cpuPctPerUser: number;
  /** Janus's CPU per stream it forwarded (one user's camera + mic to one receiver), % of a core */
  readonly janusPctPerStream: number;
  /** remote video frames each page decoded per second over the window (the camera is 15 fps) */
  readonly decodedFps: number;
}

/**
 * Two browser users in one call through the SFU for `seconds`, steady: the Chromium processes of
 * this process (the reference Waddle's subtree, with Janus, excluded) and Janus, from /proc.
 */
export async function browserCallCost(url: string, serverPid: number, janusPid: number, seconds: number): Promise<BrowserCallCost> {
  const dir = await mkdtemp(join(tmpdir(), 'media-bench-browser-'));
  let browser: Browser | undefined;
  try {
    const cam = join(dir, 'cam.y4m');
    const mic = join(dir, 'mic.wav');
    await runFfmpeg(['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=15', '-t', '4', '-pix_fmt', 'yuv420p', cam]);
    await runFfmpeg(['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '4', mic]);
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: [...BASE_CHROMIUM_ARGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${cam}`, `--use-file-for-fake-audio-capture=${mic}`, '--autoplay-policy=no-user-gesture-required'],
    });
    const pages: Page[] = [];
    for (const name of ['bbench0', 'bbench1']) {
      const page = await (await browser.newContext()).newPage();
      page.setDefaultTimeout(30_000);
      await page.goto(url);
      await page.getByLabel('Username').fill(name);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByTestId('connection-status').and(page.locator('[data-state="connected"]')).waitFor();
      await page.getByRole('button', { name: 'Open waddle Waddle HQ' }).click();
      await page.getByRole('button', { name: 'Join voice Voice 1', exact: true }).click();
      await page.getByTestId('voice-panel').and(page.locator('[data-state="joined"]')).waitFor();
      pages.push(page);
    }
    for (const page of pages) await page.getByRole('button', { name: 'Camera', exact: true }).click();
    const frames = (page: Page): Promise<number> =>
      page.getByTestId('voice-tile').getByTestId('remote-video').evaluate((v: { getVideoPlaybackQuality(): { totalVideoFrames: number } }) => v.getVideoPlaybackQuality().totalVideoFrames);
    for (const page of pages) await page.getByTestId('voice-tile').getByTestId('remote-video').waitFor();
    await new Promise((r) => setTimeout(r, 3000)); // past the first keyframes
    const chromiumPids = descendantsOf(process.pid, new Set([serverPid]));
    const frames0 = await Promise.all(pages.map(frames));
    const cpu0 = cpuOfAll(chromiumPids);
    const janus0 = cpuSecondsOf(janusPid);
    const wall0 = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const wallS = (performance.now() - wall0) / 1000;
    const cpuPct = ((cpuOfAll(chromiumPids) - cpu0) / wallS) * 100;
    const janusPct = ((cpuSecondsOf(janusPid) - janus0) / wallS) * 100;
    const frames1 = await Promise.all(pages.map(frames));
    const decodedFps = frames1.reduce((sum, f, i) => sum + (f - frames0[i]!), 0) / pages.length / wallS;
    return { cpuPctPerUser: cpuPct / pages.length, janusPctPerStream: janusPct / pages.length, decodedFps };
  } finally {
    await browser?.close().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}
