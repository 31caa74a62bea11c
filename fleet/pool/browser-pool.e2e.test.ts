// Real Debian Chromium, real fake media, a real loopback HTTP server. Few contexts (2 cores).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent, Tags } from '../../metrics/types.ts';
import { BrowserPool, PoolFailure, type PoolSession } from './browser-pool.ts';
import { isAlive, processTree } from '../monitor/resource-monitor.ts';
import { defaultChromiumPath } from '../../fake-media/chromium-binary.ts';

const mediaCacheDir = join(tmpdir(), 'waddle-fleet-test-media');
const camera = { width: 320, height: 180, fps: 10 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const recorder = () => {
  const samples: { metric: string; value: number; tags?: Tags }[] = [];
  return { samples, record: (metric: string, value: number, tags?: Tags) => void samples.push({ metric, value, tags }) };
};

let server: http.Server;
let baseUrl: string;
beforeAll(async () => {
  server = http.createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end('<!doctype html><title>pool test</title><p>hello</p>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Every pid of the pool's browser trees plus their temp profiles, gathered while alive. */
async function snapshot(pool: BrowserPool): Promise<{ pids: Set<number>; profiles: string[] }> {
  const pids = new Set<number>();
  const profiles: string[] = [];
  for (const root of pool.pids()) {
    for (const pid of processTree(root)) pids.add(pid);
    const dir = (await readFile(`/proc/${root}/cmdline`, 'utf8')).split('\0').find((a) => a.startsWith('--user-data-dir='));
    if (dir) profiles.push(dir.slice('--user-data-dir='.length));
  }
  return { pids, profiles };
}

// Page code is given as strings: this file is typechecked without the DOM lib.
/** in the page: the settings of the fake camera getUserMedia gives, and whether audio came too */
const cameraSettingsInPage = `(async () => {
  const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
  const s = stream.getVideoTracks()[0].getSettings();
  stream.getTracks().forEach((t) => t.stop());
  return { width: s.width, height: s.height, audio: stream.getAudioTracks().length };
})()`;

/** in the page: HTTP, WebSocket and ICE servers aimed at other hosts, and whether RTCPeerConnection is still native */
const hostGuardProbeInPage = `(async () => {
  const fetchFailed = await fetch('http://10.0.0.1/').then(() => false, () => true);
  let wsError = '';
  try {
    new WebSocket('ws://10.0.0.1:80/');
  } catch (err) {
    wsError = err.name;
  }
  const pc = new RTCPeerConnection({ iceServers: [{ urls: ['stun:stun.example.com:3478', 'stun:127.0.0.1:3478'] }, { urls: 'turn:10.0.0.1:3478', username: 'u', credential: 'c' }] });
  const ice = pc.getConfiguration().iceServers.map((s) => s.urls);
  const isNative = pc instanceof RTCPeerConnection && typeof RTCPeerConnection.generateCertificate === 'function';
  pc.close();
  return { fetchFailed, wsError, ice, isNative };
})()`;

/** 2 browsers × 2 contexts, a fast probe and hang check: the pool of the sharing/guard/crash test */
function launchSharedPool(events: RunEvent[]): Promise<BrowserPool> {
  return BrowserPool.launch({
    maxBrowsers: 2,
    contextsPerBrowser: 2,
    mediaCacheDir,
    probeIntervalMs: 500,
    allowedHosts: ['127.0.0.1'],
    onEvent: (e) => events.push(e),
    hangCheck: { intervalMs: 300, timeoutMs: 1500 },
    closeTimeoutMs: 3000,
  });
}

describe('BrowserPool', () => {
  it('refuses a non-loopback allowed host and bad sizes before starting anything', async () => {
    await expect(BrowserPool.launch({ maxBrowsers: 1, contextsPerBrowser: 1, mediaCacheDir, allowedHosts: ['127.0.0.1', '10.0.0.1'], onEvent: () => {} })).rejects.toThrow(/non-loopback hosts \(10.0.0.1\)/);
    await expect(BrowserPool.launch({ maxBrowsers: 0, contextsPerBrowser: 1, mediaCacheDir, allowedHosts: ['127.0.0.1'], onEvent: () => {} })).rejects.toThrow(/maxBrowsers: expected an integer/);
  });
});

describe('BrowserPool: sharing, queueing, the host guard, a crashed and a hung page', () => {
  it('shares browsers per media profile, queues past capacity, guards hosts, isolates a crashed and a hung page', async () => {
    const events: RunEvent[] = [];
    const pool = await launchSharedPool(events);
    let snap: Awaited<ReturnType<typeof snapshot>> | undefined;
    try {
      const rec = recorder();
      const acquire = (label: string, timeoutMs = 60_000) => pool.acquire({ label, media: { camera }, recorder: rec, tags: { journey: 'test' }, timeoutMs });
      const sessions: PoolSession[] = [];
      for (let i = 0; i < 4; i++) sessions.push(await acquire(`vu-${i}`));
      const [a, b, c, d] = sessions as [PoolSession, PoolSession, PoolSession, PoolSession];
      expect(pool.pids()).toHaveLength(2);
      expect(new Set(sessions.map((s) => s.browserPid)).size).toBe(2);
      expect(pool.stats().contexts).toBe(4);

      // fake camera from our file: the requested size reaches getUserMedia
      await a.page.goto(baseUrl);
      const settings = await a.page.evaluate(cameraSettingsInPage);
      expect(settings).toEqual({ width: 320, height: 180, audio: 1 });

      // full: the 5th user waits, then times out with what was exhausted
      await expect(acquire('vu-late', 800)).rejects.toThrow(/maxBrowsers=2 × contextsPerBrowser=2/);
      // ...or gets the slot a release frees
      const waiting = acquire('vu-4', 20_000);
      await sleep(300);
      await d.release();
      const e = await waiting;
      expect(pool.stats().contexts).toBe(4);

      // host guard: HTTP, WebSocket and ICE servers to other hosts never leave
      // (the guard proxy answers a navigation elsewhere itself, with a 403 page: nothing leaves)
      const other = await b.context.newPage();
      const navigation = await other.goto('http://example.invalid/').then((r) => r?.status() ?? 0, () => 'refused');
      expect([403, 'refused']).toContain(navigation);
      await other.close();
      await b.page.goto(baseUrl);
      const guarded = await b.page.evaluate(hostGuardProbeInPage);
      expect(guarded).toEqual({ fetchFailed: true, wsError: 'SecurityError', ice: [['stun:127.0.0.1:3478']], isNative: true });
      await until('probe report of stripped ICE servers', () => pool.stats().strippedIceServers >= 2, 5000);
      expect(pool.stats().blockedRequests).toBeGreaterThanOrEqual(2);
      expect(pool.stats().blockedWebSockets).toBe(1);
      expect(pool.blockedRequests).toBe(pool.stats().blockedRequests + pool.stats().blockedWebSockets);
      expect(events.some((ev) => ev.reason === 'blocked_host' && String(ev.message).includes('example.invalid'))).toBe(true);

      // a crashed page fails only its user
      await a.page.goto('chrome://crash').catch(() => {});
      await until('page crash classified', () => a.signal.aborted);
      expect((a.signal.reason as PoolFailure).reason).toBe('page_crash');
      expect(events.filter((ev) => ev.type === 'page_crash' && ev.reason === 'page_crash')).toHaveLength(1);

      // a hung renderer (busy loop) is found by the hang check
      void c.page.evaluate('for(;;){}').catch(() => {});
      await until('hung page classified', () => c.signal.aborted, 15_000);
      expect((c.signal.reason as PoolFailure).reason).toBe('page_hung');

      // the others go on
      await b.page.goto(baseUrl);
      expect(await b.page.evaluate('document.title')).toBe('pool test');
      await e.page.goto(baseUrl);
      expect(await e.page.evaluate('1 + 1')).toBe(2);
      expect(b.signal.aborted || e.signal.aborted).toBe(false);

      const t0 = Date.now();
      await Promise.all([a, b, c, e].map((s) => s.release()));
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(pool.stats().contexts).toBe(0);
      expect(rec.samples.some((s) => s.metric === 'generator.contexts')).toBe(true);
      snap = await snapshot(pool);
    } finally {
      await pool.close();
    }
    expect(snap!.pids.size).toBeGreaterThan(2);
    await until('no process of the pool alive', () => [...snap!.pids].every((p) => !isAlive(p)), 5000);
    for (const dir of snap!.profiles) expect(existsSync(dir), dir).toBe(false);
    expect(pool.pids()).toEqual([]);
  });
});

describe('BrowserPool: a killed browser, relaunches and a relaunch storm', () => {
  it('fails only the users of a killed browser, relaunches it with backoff, and calls a storm a generator fault', async () => {
    const events: RunEvent[] = [];
    const pool = await BrowserPool.launch({
      maxBrowsers: 2,
      contextsPerBrowser: 1,
      mediaCacheDir,
      allowedHosts: ['127.0.0.1'],
      onEvent: (e) => events.push(e),
      relaunch: { maxPerMinute: 2, backoffMs: 200 },
      hangCheck: false,
    });
    const seen = new Set<number>();
    const profiles: string[] = [];
    try {
      const rec = recorder();
      const acquire = (label: string) => pool.acquire({ label, media: { camera }, recorder: rec, tags: { journey: 'test' }, timeoutMs: 60_000 });
      const a = await acquire('vu-a');
      const b = await acquire('vu-b');
      for (const s of [a, b]) {
        for (const pid of processTree(s.browserPid!)) seen.add(pid);
        profiles.push(...(await snapshot(pool)).profiles);
      }
      process.kill(a.browserPid!, 'SIGKILL');
      await until('browser crash classified', () => a.signal.aborted);
      expect((a.signal.reason as PoolFailure).reason).toBe('browser_crash');
      expect(events.filter((e) => e.type === 'browser_crash')).toHaveLength(1);
      await b.page.goto(baseUrl);
      expect(b.signal.aborted).toBe(false);
      await a.release();

      await until('relaunch', () => events.some((e) => e.type === 'browser_relaunch'));
      expect(pool.stats().relaunches).toBe(1);
      const c = await acquire('vu-c');
      expect(c.browserPid).not.toBe(a.browserPid);
      await c.page.goto(baseUrl);
      expect(await c.page.evaluate('document.title')).toBe('pool test');
      for (const pid of processTree(c.browserPid!)) seen.add(pid);
      profiles.push(...(await snapshot(pool)).profiles);

      // two more deaths within the minute: over maxPerMinute=2 → failing, no more relaunches
      process.kill(c.browserPid!, 'SIGKILL');
      await until('second crash', () => c.signal.aborted);
      await c.release();
      await until('second relaunch', () => pool.stats().relaunches === 2);
      const d = await acquire('vu-d');
      for (const pid of processTree(d.browserPid!)) seen.add(pid);
      process.kill(d.browserPid!, 'SIGKILL');
      await until('storm detected', () => pool.isFailing);
      expect(events.some((e) => e.reason === 'relaunch_storm')).toBe(true);
      await expect(acquire('vu-e')).rejects.toMatchObject({ reason: 'pool_failing' });
      await d.release();
      await b.release();
    } finally {
      await pool.close();
    }
    await until('no process of the pool alive', () => [...seen].every((p) => !isAlive(p)), 5000);
    for (const dir of profiles) expect(existsSync(dir), dir).toBe(false);
  });
});

describe('BrowserPool: a Chromium behind a wrapper script that does not exec', () => {
  // Debian's /usr/bin/chromium-headless-shell runs the binary as its child; a made-up wrapper of the
  // same kind, so the case holds whichever Chromium is installed
  it('takes the browser for the pool, not its wrapper: a kill of it is a crash seen at once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'waddle-fleet-wrapper-'));
    const wrapper = join(dir, 'chromium-wrapper');
    await writeFile(wrapper, `#!/bin/sh\n${defaultChromiumPath()} "$@"\n`);
    await chmod(wrapper, 0o755);
    const events: RunEvent[] = [];
    const pool = await BrowserPool.launch({ executablePath: wrapper, maxBrowsers: 1, contextsPerBrowser: 1, mediaCacheDir, allowedHosts: ['127.0.0.1'], onEvent: (e) => events.push(e), relaunch: { maxPerMinute: 0, backoffMs: 0 }, hangCheck: false });
    try {
      const a = await pool.acquire({ label: 'vu-a', media: {}, recorder: recorder(), tags: { journey: 'test' }, timeoutMs: 60_000 });
      const exe = await readlink(`/proc/${a.browserPid!}/exe`);
      expect(exe).not.toMatch(/\/(dash|bash|sh)$/);
      // the launch event says which binary ran, and its version
      const launch = events.find((e) => e.type === 'browser_launch')!;
      expect(launch.data).toMatchObject({ executable: wrapper, pid: a.browserPid });
      expect(String(launch.data?.version)).toMatch(/^\d+\.\d+\.\d+/);
      expect(launch.message).toContain(`chromium-wrapper ${String(launch.data?.version)}`);
      process.kill(a.browserPid!, 'SIGKILL');
      await until('browser crash classified', () => a.signal.aborted, 10_000);
      expect((a.signal.reason as PoolFailure).reason).toBe('browser_crash');
      await a.release();
    } finally {
      await pool.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('BrowserPool: browsers started before load', () => {
  it('prelaunch starts what the users need, so their acquires start no browser; a browser started on demand says so', async () => {
    const events: RunEvent[] = [];
    const pool = await launchSharedPool(events);
    const launches = () => events.filter((e) => e.type === 'browser_launch');
    try {
      await pool.prelaunch([{ media: { camera }, browsers: 1, shareContext: true, windowsPerBrowser: 2 }, { media: {}, browsers: 1, shareContext: false, windowsPerBrowser: 0 }]);
      expect(pool.stats().browsers).toBe(2);
      expect(launches().map((e) => e.data?.prelaunched)).toEqual([true, true]);
      // what the load does next is load, not start-up: the monitor judges it
      expect(pool.isStartingUp()).toBe(false);

      const rec = recorder();
      const acquire = (label: string, media: { camera?: typeof camera }, shareContext: boolean) => pool.acquire({ label, media, recorder: rec, tags: { journey: 'test' }, timeoutMs: 30_000, shareContext });
      // the shared context's first window and a window per user (2) were opened before load
      const a = await acquire('vu-a', { camera }, true);
      expect(a.context.pages()).toHaveLength(3);
      const newWindows: unknown[] = [];
      a.context.on('page', (page) => newWindows.push(page));
      const [b, c] = [await acquire('vu-b', { camera }, true), await acquire('vu-c', {}, false)];
      expect(launches()).toHaveLength(2);
      expect(a.browserPid).toBe(b.browserPid);
      // the users took the windows made before load: none was opened for them
      expect(newWindows).toEqual([]);
      expect(a.context.pages()).toHaveLength(3);
      expect(a.page).not.toBe(b.page);
      await a.page.goto(baseUrl);
      expect(await a.page.evaluate('document.title')).toBe('pool test');
      // a user after them finds no window left and opens one, as before
      await a.release();
      const e = await acquire('vu-e', { camera }, true);
      expect(newWindows).toEqual([e.page]);
      await e.release();

      // a profile nobody asked for: the idle browser of another profile gives its place up, and the new one starts on demand
      await c.release();
      const d = await acquire('vu-d', { camera: { width: 320, height: 240, fps: 5 } }, false);
      expect(launches().map((e) => e.data?.prelaunched)).toEqual([true, true, false]);
      expect(String(launches()[2]!.message)).toMatch(/^browser 3 \(pid \d+, chromium(-headless-shell)? [\d.]+, media 320x240@5\|va0.5\) started in \d+ ms$/);
      expect(pool.isStartingUp()).toBe(true);
      await Promise.all([b, d].map((s) => s.release()));
    } finally {
      await pool.close();
    }
  });
});
