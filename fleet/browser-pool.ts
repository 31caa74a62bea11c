// The browser pool: one context per virtual user, on a browser process whose fake camera/mic
// match the user's media (fake-device flags are per process, so browsers are keyed by media
// profile). Bounded by maxBrowsers × contextsPerBrowser, with a waiting line bounded by each
// acquire's timeoutMs. Faults stay local: a crashed or hung page fails only its user, a dead
// browser fails only its users and is relaunched with backoff; a relaunch storm marks the
// pool failing (a generator fault, not a target fault).
import { randomUUID } from 'node:crypto';
import { access, readFile, readdir, rm } from 'node:fs/promises';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { chromiumArgs } from '../fake-media/chromium-flags.ts';
import { prepareMedia, type MediaFiles } from '../fake-media/prepare-media.ts';
import { probeInitScript } from '../in-page/bundle.ts';
import { PROBE_BINDING, PROBE_FLUSH_GLOBAL } from '../in-page/probe-protocol.ts';
import type { MetricsRecorder, RunEvent, Tags } from '../metrics/types.ts';
import { checkAllowedHosts, installHostGuard, type BlockedKind } from './host-guard.ts';
import { ProbeBridge } from './probe-bridge.ts';
import { isAlive, processTree } from './resource-monitor.ts';

export interface VideoSize {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
}

export interface BrowserPoolOptions {
  readonly executablePath?: string;
  readonly maxBrowsers: number;
  readonly contextsPerBrowser: number;
  readonly mediaCacheDir: string;
  readonly probeIntervalMs?: number;
  /** hosts (optionally host:port) pages may reach; loopback only unless allowNonLoopbackHosts */
  readonly allowedHosts: readonly string[];
  readonly allowNonLoopbackHosts?: boolean;
  readonly onEvent: (event: RunEvent) => void;
  readonly headless?: boolean;
  readonly relaunch?: { readonly maxPerMinute: number; readonly backoffMs: number };
  /** a page that does not answer a trivial evaluate within timeoutMs is hung (default 5 s / 15 s) */
  readonly hangCheck?: { readonly intervalMs: number; readonly timeoutMs: number } | false;
  /** bound on closing a context or a browser before forcing it (default 5000) */
  readonly closeTimeoutMs?: number;
  readonly extraArgs?: readonly string[];
}

export interface AcquireOptions {
  /** the user's label ("vu-0042"): in events and on the fake screen share */
  readonly label: string;
  readonly media: { readonly camera?: VideoSize; readonly screen?: VideoSize; readonly voiceActivity?: number };
  readonly recorder: MetricsRecorder;
  readonly tags: Tags;
  readonly timeoutMs: number;
}

export type FailureReason = 'page_crash' | 'page_hung' | 'browser_crash' | 'pool_closed';

/** Why a user's page stopped working; `session.signal.reason` holds one. */
export class PoolFailure extends Error {
  override readonly name = 'PoolFailure';
  constructor(
    readonly reason: FailureReason | 'pool_failing' | 'no_capacity',
    message: string,
  ) {
    super(message);
  }
}

export interface PoolSession {
  readonly page: Page;
  readonly context: BrowserContext;
  readonly probe: ProbeBridge;
  /** aborted (with a PoolFailure) when the page crashed or hung or its browser died */
  readonly signal: AbortSignal;
  readonly browserPid: number | undefined;
  release(): Promise<void>;
}

export interface PoolStats {
  readonly browsers: number;
  readonly contexts: number;
  readonly crashes: number;
  readonly pageCrashes: number;
  readonly relaunches: number;
  readonly blockedRequests: number;
  readonly blockedWebSockets: number;
  readonly strippedIceServers: number;
}

interface SessionState {
  readonly label: string;
  readonly tags: Tags;
  readonly recorder: MetricsRecorder;
  readonly abort: AbortController;
  context?: BrowserContext;
  hangTimer?: NodeJS.Timeout;
  released: boolean;
  openConnections: number;
}

interface BrowserEntry {
  readonly id: number;
  readonly profileKey: string;
  readonly media: MediaFiles;
  readonly marker: string;
  state: 'launching' | 'up' | 'closing' | 'dead';
  browser?: Browser;
  pid?: number;
  userDataDir?: string;
  /** pids of the whole tree, refreshed while alive, so close() can SIGKILL stragglers */
  treePids: number[];
  readonly sessions: Set<SessionState>;
  reserved: number;
  ready: Promise<void>;
}

const DEFAULT_VOICE_ACTIVITY = 0.5;
const MAX_BLOCK_EVENTS = 20;

const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The pid of our browser: the direct child of this process whose command line holds the marker. */
async function findBrowserPid(marker: string): Promise<{ pid: number; userDataDir?: string } | undefined> {
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = (await readFile(`/proc/${name}/cmdline`, 'utf8')).split('\0');
      if (!cmdline.includes(marker)) continue;
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      const dir = cmdline.find((a) => a.startsWith('--user-data-dir='))?.slice('--user-data-dir='.length);
      return { pid: Number(name), ...(dir ? { userDataDir: dir } : {}) };
    } catch {}
  }
  return undefined;
}

export class BrowserPool {
  readonly #opts: Required<Omit<BrowserPoolOptions, 'relaunch' | 'hangCheck' | 'allowNonLoopbackHosts' | 'extraArgs'>> & {
    relaunch: { maxPerMinute: number; backoffMs: number };
    hangCheck: { intervalMs: number; timeoutMs: number } | false;
    extraArgs: readonly string[];
  };
  readonly #entries: BrowserEntry[] = [];
  #waiters: Array<() => void> = [];
  #nextId = 1;
  #closed = false;
  #failing = false;
  #relaunchTimes: number[] = [];
  #crashes = 0;
  #pageCrashes = 0;
  #relaunches = 0;
  #blocked = { request: 0, websocket: 0, ice_server: 0 };
  #blockEvents = 0;
  readonly #pending = new Set<Promise<unknown>>();

  private constructor(options: BrowserPoolOptions) {
    this.#opts = {
      executablePath: options.executablePath ?? '/usr/bin/chromium',
      maxBrowsers: options.maxBrowsers,
      contextsPerBrowser: options.contextsPerBrowser,
      mediaCacheDir: options.mediaCacheDir,
      probeIntervalMs: options.probeIntervalMs ?? 2000,
      allowedHosts: [...options.allowedHosts],
      onEvent: options.onEvent,
      headless: options.headless ?? true,
      relaunch: options.relaunch ?? { maxPerMinute: 5, backoffMs: 1000 },
      hangCheck: options.hangCheck === undefined ? { intervalMs: 5000, timeoutMs: 15_000 } : options.hangCheck,
      closeTimeoutMs: options.closeTimeoutMs ?? 5000,
      extraArgs: options.extraArgs ?? [],
    };
  }

  /** Validates the options and the machine; browsers start on the first acquire of each media profile. */
  static async launch(options: BrowserPoolOptions): Promise<BrowserPool> {
    const problems: string[] = [];
    const posInt = (n: number) => Number.isInteger(n) && n >= 1;
    if (!posInt(options.maxBrowsers)) problems.push(`maxBrowsers: expected an integer ≥ 1, got ${options.maxBrowsers}`);
    if (!posInt(options.contextsPerBrowser)) problems.push(`contextsPerBrowser: expected an integer ≥ 1, got ${options.contextsPerBrowser}`);
    if (options.probeIntervalMs !== undefined && !(options.probeIntervalMs >= 250)) problems.push(`probeIntervalMs: expected ≥ 250, got ${options.probeIntervalMs}`);
    if (options.relaunch && !(options.relaunch.maxPerMinute >= 0 && options.relaunch.backoffMs >= 0)) problems.push('relaunch: maxPerMinute and backoffMs must be ≥ 0');
    try {
      checkAllowedHosts(options.allowedHosts, options.allowNonLoopbackHosts);
    } catch (err) {
      problems.push((err as Error).message);
    }
    const exe = options.executablePath ?? '/usr/bin/chromium';
    try {
      await access(exe);
    } catch {
      problems.push(`executablePath: ${exe} does not exist; install Debian Chromium with apt-get install chromium`);
    }
    if (problems.length) throw new Error(`BrowserPool.launch: ${problems.join('; ')}`);
    // build the probe now, so a broken bundle is a start-up error, not a per-user one
    await probeInitScript({ intervalMs: 2000, allowedHosts: [] });
    return new BrowserPool(options);
  }

  get isFailing(): boolean {
    return this.#failing;
  }

  get blockedRequests(): number {
    return this.#blocked.request + this.#blocked.websocket;
  }

  /** Browser process ids (the roots of their process trees). */
  pids(): number[] {
    return this.#entries.filter((e) => e.state === 'up' && e.pid !== undefined).map((e) => e.pid!);
  }

  stats(): PoolStats {
    return {
      browsers: this.#entries.filter((e) => e.state === 'up').length,
      contexts: this.#entries.reduce((n, e) => n + e.sessions.size, 0),
      crashes: this.#crashes,
      pageCrashes: this.#pageCrashes,
      relaunches: this.#relaunches,
      blockedRequests: this.#blocked.request,
      blockedWebSockets: this.#blocked.websocket,
      strippedIceServers: this.#blocked.ice_server,
    };
  }

  async acquire(options: AcquireOptions): Promise<PoolSession> {
    const deadline = Date.now() + options.timeoutMs;
    const voiceActivity = Math.round((options.media.voiceActivity ?? DEFAULT_VOICE_ACTIVITY) * 10) / 10;
    const cam = options.media.camera;
    const profileKey = `${cam ? `${cam.width}x${cam.height}@${cam.fps}` : 'nocam'}|va${voiceActivity}`;
    for (;;) {
      if (this.#closed) throw new PoolFailure('pool_closed', `BrowserPool.acquire(${options.label}): the pool is closed`);
      if (this.#failing) throw new PoolFailure('pool_failing', `BrowserPool.acquire(${options.label}): browsers crashed and were relaunched more than ${this.#opts.relaunch.maxPerMinute} times a minute; the generator is failing`);
      const entry = this.#reserve(profileKey, cam, voiceActivity);
      if (!entry) {
        await this.#waitForChange(deadline, options.label);
        continue;
      }
      try {
        await withTimeout(entry.ready, Math.max(1, deadline - Date.now()), `launching a browser for ${options.label}`);
      } catch (err) {
        entry.reserved--;
        this.#notify();
        if (Date.now() >= deadline) throw new PoolFailure('no_capacity', `BrowserPool.acquire(${options.label}): ${(err as Error).message}`);
        if (entry.state === 'dead') throw err;
        continue;
      }
      entry.reserved--;
      if (entry.state !== 'up' || !entry.browser) {
        this.#notify();
        continue; // died while we waited: try again
      }
      return await this.#openSession(entry, options);
    }
  }

  /** Finds or makes room on a browser of this profile; reserves a slot (reserved++) or returns undefined. */
  #reserve(profileKey: string, cam: VideoSize | undefined, voiceActivity: number): BrowserEntry | undefined {
    const cpb = this.#opts.contextsPerBrowser;
    const live = this.#entries.filter((e) => e.state === 'launching' || e.state === 'up');
    const free = live.find((e) => e.profileKey === profileKey && e.sessions.size + e.reserved < cpb);
    if (free) {
      free.reserved++;
      return free;
    }
    if (live.length >= this.#opts.maxBrowsers) {
      // an idle browser of another profile gives its place up
      const idle = live.find((e) => e.state === 'up' && e.profileKey !== profileKey && e.sessions.size === 0 && e.reserved === 0);
      if (!idle) return undefined;
      this.#track(this.#closeEntry(idle));
    }
    const entry = this.#newEntry(profileKey, cam, voiceActivity);
    entry.reserved++;
    return entry;
  }

  /** a registered entry in state 'launching' whose browser is not started yet */
  #blankEntry(profileKey: string, media: BrowserEntry['media']): BrowserEntry {
    const entry: BrowserEntry = {
      id: this.#nextId++,
      profileKey,
      media,
      marker: `--waddle-fleet-browser=${randomUUID()}`,
      state: 'launching',
      treePids: [],
      sessions: new Set(),
      reserved: 0,
      ready: Promise.resolve(),
    };
    this.#entries.push(entry);
    return entry;
  }

  #newEntry(profileKey: string, cam: VideoSize | undefined, voiceActivity: number): BrowserEntry {
    const entry = this.#blankEntry(profileKey, { micWav: '' });
    entry.ready = this.#startBrowser(entry, cam, voiceActivity);
    entry.ready.catch(() => {});
    return entry;
  }

  async #startBrowser(entry: BrowserEntry, cam: VideoSize | undefined, voiceActivity: number): Promise<void> {
    try {
      const media = await prepareMedia({
        cacheDir: this.#opts.mediaCacheDir,
        voiceActivity,
        // the label is per browser: fake devices are per process, shared by its users
        ...(cam ? { camera: { ...cam, label: `waddle-fleet ${cam.width}x${cam.height}@${cam.fps}` } } : {}),
      });
      (entry as { media: MediaFiles }).media = media;
      const browser = await chromium.launch({
        executablePath: this.#opts.executablePath,
        headless: this.#opts.headless,
        args: chromiumArgs(media, [...this.#opts.extraArgs, entry.marker]),
        // the CLI owns signals (RELIABILITY.md): it stops users, writes the report, then closes us
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
        timeout: 60_000,
      });
      entry.browser = browser;
      const found = await findBrowserPid(entry.marker);
      entry.pid = found?.pid;
      entry.userDataDir = found?.userDataDir;
      if (entry.pid) entry.treePids = processTree(entry.pid);
      if (this.#closed || entry.state !== 'launching') {
        await browser.close().catch(() => {});
        throw new PoolFailure('pool_closed', 'BrowserPool: closed while a browser was starting');
      }
      entry.state = 'up';
      browser.on('disconnected', () => this.#onBrowserGone(entry));
    } catch (err) {
      entry.state = 'dead';
      this.#remove(entry);
      this.#notify();
      if (err instanceof PoolFailure) throw err;
      throw new Error(`BrowserPool: could not start Chromium (${this.#opts.executablePath}): ${(err as Error).message}`, { cause: err });
    }
  }

  async #openSession(entry: BrowserEntry, options: AcquireOptions): Promise<PoolSession> {
    const browser = entry.browser!;
    const s: SessionState = { label: options.label, tags: options.tags, recorder: options.recorder, abort: new AbortController(), released: false, openConnections: 0 };
    entry.sessions.add(s);
    const probe = new ProbeBridge({
      recorder: options.recorder,
      tags: options.tags,
      onEvent: this.#opts.onEvent,
      onBlocked: (what) => this.#onBlocked(what, what === 'ice_server' ? 'ICE server' : 'WebSocket', options),
      onOpenConnections: (open) => {
        s.openConnections = open;
        options.recorder.record('webrtc.connections', this.#openConnections());
      },
    });
    let context: BrowserContext | undefined;
    try {
      context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
      s.context = context;
      await installHostGuard(context, this.#opts.allowedHosts, (what, url) => this.#onBlocked(what, url, options));
      await context.exposeBinding(PROBE_BINDING, (_source, batch: unknown) => probe.handle(batch));
      const screen = options.media.screen;
      await context.addInitScript({
        content: await probeInitScript({
          intervalMs: this.#opts.probeIntervalMs,
          allowedHosts: this.#opts.allowedHosts,
          ...(screen ? { screen: { ...screen, label: options.label } } : {}),
        }),
      });
      const page = await context.newPage();
      page.on('crash', () => this.#fail(s, 'page_crash', `page of ${options.label} crashed`));
      this.#startHangCheck(s, page);
      if (entry.pid) entry.treePids = processTree(entry.pid); // renderers appear per page
      this.#recordGauges(options.recorder);
      const session: PoolSession = {
        page,
        context,
        probe,
        signal: s.abort.signal,
        browserPid: entry.pid,
        release: () => this.#release(entry, s, page),
      };
      return session;
    } catch (err) {
      entry.sessions.delete(s);
      if (context) await withTimeout(context.close(), this.#opts.closeTimeoutMs, 'context.close').catch(() => {});
      this.#notify();
      const reason = s.abort.signal.reason as PoolFailure | undefined;
      throw reason ?? new Error(`BrowserPool.acquire(${options.label}): could not open a context: ${(err as Error).message}`);
    }
  }

  #startHangCheck(s: SessionState, page: Page): void {
    const hang = this.#opts.hangCheck;
    if (!hang) return;
    let checking = false;
    s.hangTimer = setInterval(() => {
      if (checking || s.released || s.abort.signal.aborted) return;
      checking = true;
      // page.evaluate has no timeout of its own: a busy-looping renderer never answers
      withTimeout(page.evaluate('1'), hang.timeoutMs, 'hang check')
        .catch((err: Error) => {
          if (!s.released && !s.abort.signal.aborted && /did not finish within/.test(err.message)) {
            this.#fail(s, 'page_hung', `page of ${s.label} did not answer for ${hang.timeoutMs} ms (renderer hung)`);
          }
        })
        .finally(() => (checking = false));
    }, hang.intervalMs);
    s.hangTimer.unref();
  }

  /** Fails one user: classify, tell, close its context in the background. */
  #fail(s: SessionState, reason: FailureReason, message: string): void {
    if (s.abort.signal.aborted || s.released) return;
    s.abort.abort(new PoolFailure(reason, message));
    if (s.hangTimer) clearInterval(s.hangTimer);
    if (reason === 'page_crash' || reason === 'page_hung') {
      this.#pageCrashes++;
      this.#opts.onEvent({ timeMs: Date.now(), type: 'page_crash', reason, message, tags: s.tags, data: { user: s.label } });
      const ctx = s.context;
      if (ctx) this.#track(withTimeout(ctx.close(), this.#opts.closeTimeoutMs, 'context.close').catch(() => {}));
    }
  }

  async #release(entry: BrowserEntry, s: SessionState, page: Page): Promise<void> {
    if (s.released) return;
    const alive = !s.abort.signal.aborted && entry.state === 'up';
    if (s.hangTimer) clearInterval(s.hangTimer);
    if (alive) {
      // last probe samples before the page goes (bounded: the page may be busy)
      await withTimeout(page.evaluate(`globalThis[${JSON.stringify(PROBE_FLUSH_GLOBAL)}]?.()`), 1500, 'probe flush').catch(() => {});
    }
    s.released = true;
    if (s.context && entry.state === 'up') {
      try {
        await withTimeout(s.context.close(), this.#opts.closeTimeoutMs, `closing the context of ${s.label}`);
      } catch (err) {
        this.#opts.onEvent({ timeMs: Date.now(), type: 'warning', reason: 'context_close', message: `${(err as Error).message}; it is left to the browser's close`, tags: s.tags });
      }
    }
    entry.sessions.delete(s);
    s.openConnections = 0;
    this.#recordGauges(s.recorder);
    this.#notify();
  }

  #onBrowserGone(entry: BrowserEntry): void {
    if (entry.state !== 'up') return; // we closed it
    entry.state = 'dead';
    this.#crashes++;
    const users = [...entry.sessions];
    this.#opts.onEvent({
      timeMs: Date.now(),
      type: 'browser_crash',
      reason: 'browser_crash',
      message: `browser ${entry.id} (pid ${entry.pid ?? '?'}) disconnected; its ${users.length} user(s) fail`,
      data: { pid: entry.pid, users: users.map((u) => u.label) },
    });
    for (const s of users) {
      s.abort.abort(new PoolFailure('browser_crash', `the browser of ${s.label} died (pid ${entry.pid ?? '?'})`));
      if (s.hangTimer) clearInterval(s.hangTimer);
    }
    // sessions stay until their users release them; the dead browser no longer counts
    this.#remove(entry);
    this.#track(this.#killTree(entry));
    const now = Date.now();
    this.#relaunchTimes = this.#relaunchTimes.filter((t) => now - t < 60_000);
    if (this.#relaunchTimes.length >= this.#opts.relaunch.maxPerMinute) {
      this.#failing = true;
      this.#opts.onEvent({
        timeMs: now,
        type: 'warning',
        reason: 'relaunch_storm',
        message: `browsers died more than ${this.#opts.relaunch.maxPerMinute} times within a minute; not relaunching: the generator is failing (run ends INCONCLUSIVE)`,
      });
      this.#notify();
      return;
    }
    this.#relaunchTimes.push(now);
    const backoffMs = this.#opts.relaunch.backoffMs * 2 ** (this.#relaunchTimes.length - 1);
    // the replacement takes the dead one's place at once (so it counts against maxBrowsers)
    // but starts only after the backoff
    const replacement = this.#blankEntry(entry.profileKey, entry.media);
    const [cam, va] = this.#profileOf(entry.profileKey);
    replacement.ready = sleep(backoffMs).then(() => {
      if (this.#closed) {
        replacement.state = 'dead';
        this.#remove(replacement);
        throw new PoolFailure('pool_closed', 'BrowserPool: closed before a relaunch');
      }
      return this.#startBrowser(replacement, cam, va).then(() => {
        this.#relaunches++;
        this.#opts.onEvent({ timeMs: Date.now(), type: 'browser_relaunch', message: `browser ${entry.id} replaced by ${replacement.id} (pid ${replacement.pid ?? '?'}) after ${backoffMs} ms backoff` });
        this.#notify();
      });
    });
    replacement.ready.catch(() => {});
    this.#track(replacement.ready);
    this.#notify();
  }

  #profileOf(key: string): [VideoSize | undefined, number] {
    const m = /^(\d+)x(\d+)@(\d+)\|va([\d.]+)$/.exec(key);
    if (m) return [{ width: Number(m[1]), height: Number(m[2]), fps: Number(m[3]) }, Number(m[4])];
    return [undefined, Number(/va([\d.]+)$/.exec(key)?.[1] ?? DEFAULT_VOICE_ACTIVITY)];
  }

  #onBlocked(what: BlockedKind, url: string, user: AcquireOptions): void {
    this.#blocked[what]++;
    if (this.#blockEvents++ < MAX_BLOCK_EVENTS) {
      this.#opts.onEvent({
        timeMs: Date.now(),
        type: 'warning',
        reason: 'blocked_host',
        message: `host guard refused a ${what === 'request' ? 'request' : what === 'websocket' ? 'WebSocket' : 'ICE server'} to ${url} (not in allowedHosts)`,
        tags: user.tags,
        data: { url, what, user: user.label },
      });
    }
  }

  #openConnections(): number {
    let n = 0;
    for (const e of this.#entries) for (const s of e.sessions) n += s.openConnections;
    return n;
  }

  #recordGauges(recorder: MetricsRecorder): void {
    const st = this.stats();
    recorder.record('generator.contexts', st.contexts);
    recorder.record('webrtc.connections', this.#openConnections());
  }

  #remove(entry: BrowserEntry): void {
    const i = this.#entries.indexOf(entry);
    if (i >= 0) this.#entries.splice(i, 1);
  }

  #notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  #waitForChange(deadline: number, label: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const remaining = deadline - Date.now();
      const cap = `maxBrowsers=${this.#opts.maxBrowsers} × contextsPerBrowser=${this.#opts.contextsPerBrowser}`;
      if (remaining <= 0) {
        reject(new PoolFailure('no_capacity', `BrowserPool.acquire(${label}): no browser slot free in time (${cap}, ${this.stats().contexts} users open); raise maxBrowsers/contextsPerBrowser, lower the users, or give acquire a longer timeoutMs`));
        return;
      }
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== wake);
        reject(new PoolFailure('no_capacity', `BrowserPool.acquire(${label}): waited the whole timeout for a browser slot (${cap}, ${this.stats().contexts} users open); raise maxBrowsers/contextsPerBrowser, lower the users, or give acquire a longer timeoutMs`));
      }, remaining);
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#waiters.push(wake);
    });
  }

  #track(p: Promise<unknown>): void {
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p)).catch(() => {});
  }

  async #closeEntry(entry: BrowserEntry): Promise<void> {
    const wasLaunching = entry.state === 'launching';
    entry.state = 'closing';
    this.#remove(entry);
    if (wasLaunching) await entry.ready.catch(() => {});
    if (entry.pid) entry.treePids = processTree(entry.pid);
    for (const s of entry.sessions) {
      if (!s.abort.signal.aborted) s.abort.abort(new PoolFailure('pool_closed', `the pool closed the browser of ${s.label}`));
      if (s.hangTimer) clearInterval(s.hangTimer);
    }
    if (entry.browser) {
      await withTimeout(entry.browser.close(), this.#opts.closeTimeoutMs, 'browser.close').catch(() => {});
    }
    await this.#killTree(entry);
  }

  /** SIGKILL whatever of the browser's process tree is left, then remove its temp profile. */
  async #killTree(entry: BrowserEntry): Promise<void> {
    const pids = new Set([...entry.treePids, ...(entry.pid ? processTree(entry.pid) : [])]);
    for (const pid of pids) {
      if (!isAlive(pid)) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    for (let i = 0; i < 20 && [...pids].some(isAlive); i++) await sleep(50);
    if (entry.userDataDir) await rm(entry.userDataDir, { recursive: true, force: true, maxRetries: 3 }).catch(() => {});
  }

  /** Closes every browser (bounded, then SIGKILL of the process trees) and removes temp profiles. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#notify();
    const entries = [...this.#entries];
    await Promise.all(entries.map((e) => this.#closeEntry(e)));
    // relaunches and background context closes still in flight
    await withTimeout(Promise.allSettled([...this.#pending]), this.#opts.closeTimeoutMs * 2, 'pending pool work').catch(() => {});
    for (const e of entries) await this.#killTree(e);
  }
}
