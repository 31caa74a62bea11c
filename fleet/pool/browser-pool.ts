// The browser pool: one session (its own context + page, or its own page of a context its browser's
// users share when their driver allows: fleet/pool/shared-context.ts) per browser user, on a browser process whose
// fake camera and mic match the user's media profile (fleet/pool/media-profile.ts). Bounded by
// maxBrowsers × contextsPerBrowser; a user waits in line (fleet/pool/waiting-line.ts) up to its
// acquire timeout. Faults stay local: a crashed or hung page fails only its user
// (fleet/pool/session.ts); a dead browser fails only its users and is relaunched with backoff;
// a relaunch storm marks the pool failing, a generator fault (fleet/pool/relaunch-policy.ts).
import { basename } from 'node:path';
import type { MessageLink } from '../../network/message-link.ts';
import { sleep, withTimeout } from '../../common/async.ts';
import { probeInitScript } from '../../in-page/bundle.ts';
import type { MetricsRecorder, Tags } from '../../metrics/types.ts';
import { HostGuard, type BlockedAttempt, type BlockedSummary } from '../guard/host-guard.ts';
import { BrowserProcess } from './browser-process.ts';
import { mediaProfileOf, profileKey, type MediaProfile, type VideoSize } from './media-profile.ts';
import { checkPoolOptions, resolvePoolOptions, type BrowserPoolOptions, type ResolvedPoolOptions } from './pool-options.ts';
import { RelaunchPolicy } from './relaunch-policy.ts';
import { keepNamesShim, PoolFailure, Session, sessionContextOptions, type PoolSession } from './session.ts';
import { SharedContext } from './shared-context.ts';
import { untilQuiet } from './until-quiet.ts';
import type { BrowserNeed, BrowserSlot } from './browser-slot.ts';
import { WaitingLine } from './waiting-line.ts';

export { PoolFailure, type BrowserNeed, type BrowserPoolOptions, type PoolSession, type VideoSize };

export interface AcquireOptions {
  /** the user's label ("vu-0042"): in events and on the fake screen share */
  readonly label: string;
  readonly media: { readonly camera?: VideoSize; readonly screen?: VideoSize; readonly voiceActivity?: number };
  readonly recorder: MetricsRecorder;
  readonly tags: Tags;
  readonly timeoutMs: number;
  /** the user may get its own page of a context shared with other users of its browser (its driver's isolation: 'page') */
  readonly shareContext?: boolean;
  /** the fleet's relay for an impaired user (network/relay/): it then gets a context of its own */
  readonly relay?: { readonly urls: string; readonly username: string; readonly credential: string };
  /** the user's network for its HTTP and WebSocket bytes (a context and proxy listener of its own) */
  readonly network?: MessageLink;
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

/** After a browser came up, the start-up burst (renderers, first pages) lasts about this long. */
const startUpSettleMs = 5_000;
const maxBlockEvents = 20;

export class BrowserPool {
  readonly #o: ResolvedPoolOptions;
  readonly #slots: BrowserSlot[] = [];
  readonly #line = new WaitingLine();
  readonly #relaunch: RelaunchPolicy;
  readonly #pending = new Set<Promise<unknown>>();
  #nextId = 1;
  #closed = false;
  #lastLaunchDoneMs = 0;
  readonly #counts = { crashes: 0, pageCrashes: 0, relaunches: 0, blockEvents: 0 };
  /** set right after construction (it reports refusals to this pool) */
  #guard!: HostGuard;
  readonly #openConnections = new Map<Session, number>();

  private constructor(options: BrowserPoolOptions) {
    this.#o = resolvePoolOptions(options);
    this.#relaunch = new RelaunchPolicy(this.#o.relaunch.maxPerMinute, this.#o.relaunch.backoffMs);
  }

  /** Addresses WebRTC peers of its pages may have (the host guard's): where the network relay may send. */
  get peerAddresses(): readonly string[] {
    return this.#guard.peerAddresses;
  }

  /** Validates the options and the machine; browsers start in prelaunch, or on the first acquire of each media profile. */
  static async launch(options: BrowserPoolOptions): Promise<BrowserPool> {
    await checkPoolOptions(options);
    // build the probe now, so a broken bundle is a start-up error, not a per-user one
    await probeInitScript({ intervalMs: 2000, allowedHosts: [] });
    const pool = new BrowserPool(options);
    pool.#guard = await HostGuard.start({
      allowedHosts: options.allowedHosts,
      ...(options.allowNonLoopbackHosts ? { allowNonLoopbackHosts: true } : {}),
      onBlocked: (attempt) => pool.#onBlocked(attempt),
    });
    return pool;
  }

  get isFailing(): boolean {
    return this.#relaunch.isFailing;
  }

  /** requests and WebSockets the host guard refused (ICE is counted apart) */
  get blockedRequests(): number {
    const s = this.stats();
    return s.blockedRequests + s.blockedWebSockets;
  }

  /** every attempt the host guard refused: per host, per kind, the first URLs (summary.json "blocked") */
  blocked(): BlockedSummary {
    return this.#guard.blocked();
  }

  /** True while a browser launches and for a few seconds after: the start-up burst, judged apart. */
  isStartingUp(nowMs = Date.now()): boolean {
    return this.#slots.some((s) => s.state === 'launching') || nowMs - this.#lastLaunchDoneMs < startUpSettleMs;
  }

  /** Browser process ids (the roots of their process trees). */
  pids(): number[] {
    return this.#slots.filter((s) => s.state === 'up' && s.process?.pid !== undefined).map((s) => s.process!.pid!);
  }

  stats(): PoolStats {
    const c = this.#counts;
    const byKind = this.#guard.blocked().byKind;
    const kinds = (...names: (keyof typeof byKind)[]) => names.reduce((n, k) => n + (byKind[k] ?? 0), 0);
    return {
      browsers: this.#slots.filter((s) => s.state === 'up').length,
      contexts: this.#slots.reduce((n, s) => n + s.sessions.size, 0),
      crashes: c.crashes,
      pageCrashes: c.pageCrashes,
      relaunches: c.relaunches,
      blockedRequests: kinds('request', 'redirect', 'navigation', 'iframe', 'worker', 'tunnel', 'webtransport'),
      blockedWebSockets: kinds('websocket'),
      strippedIceServers: kinds('ice_server', 'ice_candidate'),
    };
  }

  async acquire(options: AcquireOptions): Promise<PoolSession> {
    const deadlineMs = Date.now() + options.timeoutMs;
    const profile = mediaProfileOf(options.media);
    for (;;) {
      if (this.#closed) throw new PoolFailure('pool_closed', `BrowserPool.acquire(${options.label}): the pool is closed`);
      if (this.isFailing) throw new PoolFailure('pool_failing', `BrowserPool.acquire(${options.label}): browsers crashed and were relaunched more than ${this.#o.relaunch.maxPerMinute} times a minute; the generator is failing`);
      const slot = this.#reserve(profile);
      if (!slot) {
        await this.#line.wait(deadlineMs, () => this.#noCapacityMessage(options.label)).catch((error: Error) => {
          throw new PoolFailure('no_capacity', error.message);
        });
        continue;
      }
      try {
        await withTimeout(slot.ready, Math.max(1, deadlineMs - Date.now()), `launching a browser for ${options.label}`);
      } catch (error) {
        slot.reserved--;
        this.#line.wakeAll();
        if (Date.now() >= deadlineMs) throw new PoolFailure('no_capacity', `BrowserPool.acquire(${options.label}): ${(error as Error).message}`);
        if (slot.state === 'dead') throw error;
        continue;
      }
      slot.reserved--;
      if (slot.state !== 'up' || !slot.process) {
        this.#line.wakeAll();
        continue; // died while we waited: try again
      }
      return await this.#openSession(slot, slot.process, options);
    }
  }

  /** Finds or makes room on a browser of this profile and reserves a place on it, or undefined. */
  #reserve(profile: MediaProfile): BrowserSlot | undefined {
    const key = profileKey(profile);
    const live = this.#slots.filter((s) => s.state === 'launching' || s.state === 'up');
    const free = live.find((s) => s.key === key && s.sessions.size + s.reserved < this.#o.contextsPerBrowser);
    if (free) {
      free.reserved++;
      return free;
    }
    if (live.length >= this.#o.maxBrowsers) {
      // an idle browser of another profile gives its place up
      const idle = live.find((s) => s.state === 'up' && s.key !== key && s.sessions.size === 0 && s.reserved === 0);
      if (!idle) return undefined;
      this.#track(this.#closeSlot(idle));
    }
    const slot = this.#newSlot(profile, 0);
    slot.reserved++;
    return slot;
  }

  /**
   * Starts the browsers a run's users will need (fleet/pool/prelaunch.ts counts them) before its
   * load, so no Chromium start lands among the users' measurements; a browser whose users share a
   * context gets it now, with its first window and a window per user it will hold at once
   * (fleet/pool/shared-context.ts warm), and waits until they are quiet. Launches made
   * here end the start-up time: what the load does next is measured as load.
   */
  async prelaunch(needs: readonly BrowserNeed[]): Promise<void> {
    for (const need of needs) {
      for (let i = 0; i < need.browsers && this.#slots.length < this.#o.maxBrowsers; i++) {
        const slot = this.#newSlot(mediaProfileOf(need.media), 0, true);
        await slot.ready;
        if (need.shareContext && slot.process) await (await this.#sharedContext(slot, slot.process)).warm(need.windowsPerBrowser);
      }
    }
    // what Chromium still does for those windows is start-up too (fleet/pool/until-quiet.ts)
    await untilQuiet(this.#slots.flatMap((slot) => (slot.process?.pid !== undefined ? [slot.process.pid] : [])));
    this.#lastLaunchDoneMs = 0;
  }

  /** A registered slot whose browser starts after delayMs (a relaunch's backoff). */
  #newSlot(profile: MediaProfile, delayMs: number, prelaunched = false): BrowserSlot {
    const slot: BrowserSlot = { id: this.#nextId++, profile, key: profileKey(profile), prelaunched, state: 'launching', sessions: new Set(), reserved: 0, ready: Promise.resolve() };
    this.#slots.push(slot);
    slot.ready = sleep(delayMs).then(() => this.#start(slot));
    slot.ready.catch(() => {});
    return slot;
  }

  async #start(slot: BrowserSlot): Promise<void> {
    try {
      if (this.#closed) throw new PoolFailure('pool_closed', 'BrowserPool: closed before a browser could start');
      const startedMs = Date.now();
      const launched = await BrowserProcess.launch(slot.profile, { ...this.#o, proxy: this.#guard.launchProxy() });
      slot.process = launched;
      if (this.#closed || slot.state !== 'launching') {
        await launched.close();
        throw new PoolFailure('pool_closed', 'BrowserPool: closed while a browser was starting');
      }
      slot.state = 'up';
      this.#lastLaunchDoneMs = Date.now();
      const [pid, launchMs, before] = [launched.pid ?? '?', this.#lastLaunchDoneMs - startedMs, slot.prelaunched ? ' before load' : ''];
      // which binary and version ran (the shell and the full browser differ by a third in memory); paced: its paint follows the pacer
      const [executable, version, paced] = [this.#o.executablePath, launched.browser.version(), this.#o.frameRate > 0 ? `, pages paced at ${this.#o.frameRate} frames/s` : ''];
      this.#o.onEvent({ timeMs: this.#lastLaunchDoneMs, type: 'browser_launch', message: `browser ${slot.id} (pid ${pid}, ${basename(executable)} ${version}, media ${slot.key}${paced}) started${before} in ${launchMs} ms`,
        data: { browser: slot.id, pid, executable, version, media: slot.key, launchMs, prelaunched: slot.prelaunched, frameRate: this.#o.frameRate } });
      launched.onDisconnected(() => this.#onBrowserGone(slot));
    } catch (error) {
      slot.state = 'dead';
      this.#remove(slot);
      this.#line.wakeAll();
      if (error instanceof PoolFailure) throw error;
      throw new Error(`BrowserPool: could not start Chromium (${this.#o.executablePath}): ${(error as Error).message}`, { cause: error });
    }
  }

  /** The browser's shared context, made once (a failed attempt is forgotten, so the next user tries again). */
  #sharedContext(slot: BrowserSlot, browser: BrowserProcess): Promise<SharedContext> {
    slot.shared ??= SharedContext.open(browser.browser, this.#guard, sessionContextOptions, [keepNamesShim]);
    slot.shared.catch(() => (slot.shared = undefined));
    return slot.shared;
  }

  async #openSession(slot: BrowserSlot, browser: BrowserProcess, options: AcquireOptions): Promise<PoolSession> {
    let session: Session;
    try {
      // a relay is set per context (the guard's init script), so an impaired user never shares one
      const shared = options.shareContext && !options.relay && !options.network ? await this.#sharedContext(slot, browser) : undefined;
      session = await Session.open(browser.browser, browser.pid, {
        label: options.label,
        ...(options.media.screen ? { screen: options.media.screen } : {}),
        recorder: options.recorder,
        tags: options.tags,
        guard: this.#guard,
        ...(options.relay ? { relay: options.relay } : {}),
        ...(options.network ? { network: options.network } : {}),
        probeIntervalMs: this.#o.probeIntervalMs,
        audioProcessing: this.#o.audioProcessing,
        ...(this.#o.mediaMarks ? { marks: { ...this.#o.mediaMarks, source: browser.source, camera: slot.profile.camera } } : {}),
        hangCheck: this.#o.hangCheck,
        ...(browser.pacer ? { pacer: browser.pacer } : {}),
        closeTimeoutMs: this.#o.closeTimeoutMs,
        onEvent: this.#o.onEvent,
        onOpenConnections: (open) => {
          this.#openConnections.set(session, open);
          options.recorder.record('webrtc.connections', this.#totalOpenConnections());
        },
        onPageFailure: () => this.#counts.pageCrashes++,
      }, shared);
    } catch (error) {
      this.#line.wakeAll();
      throw new Error(`BrowserPool.acquire(${options.label}): could not open a context: ${(error as Error).message}`, { cause: error });
    }
    slot.sessions.add(session);
    browser.refreshTree();
    this.#recordGauges(options.recorder);
    return {
      page: session.page,
      context: session.context,
      probe: session.probe,
      signal: session.signal,
      browserPid: session.browserPid,
      release: () => this.#release(slot, session, options.recorder),
    };
  }

  async #release(slot: BrowserSlot, session: Session, recorder: MetricsRecorder): Promise<void> {
    if (session.isReleased) return;
    await session.release(slot.state === 'up');
    slot.sessions.delete(session);
    this.#openConnections.delete(session);
    this.#recordGauges(recorder);
    this.#line.wakeAll();
  }

  #onBrowserGone(slot: BrowserSlot): void {
    if (slot.state !== 'up') return; // we closed it
    slot.state = 'dead';
    this.#counts.crashes++;
    const pid = slot.process?.pid;
    const users = [...slot.sessions];
    this.#o.onEvent({
      timeMs: Date.now(),
      type: 'browser_crash',
      reason: 'browser_crash',
      message: `browser ${slot.id} (pid ${pid ?? '?'}) disconnected; its ${users.length} user(s) fail`,
      data: { pid, users: users.length },
    });
    for (const session of users) session.fail('browser_crash', `the browser of this user died (pid ${pid ?? '?'})`);
    // sessions stay until their users release them; the dead browser no longer counts
    this.#remove(slot);
    if (slot.process) this.#track(slot.process.kill());
    const decision = this.#relaunch.onDeath();
    if (!decision.relaunch) {
      this.#o.onEvent({
        timeMs: Date.now(),
        type: 'warning',
        reason: 'relaunch_storm',
        message: `browsers died more than ${this.#o.relaunch.maxPerMinute} times within a minute; not relaunching: the generator is failing (run ends INCONCLUSIVE)`,
      });
      this.#line.wakeAll();
      return;
    }
    // the replacement takes the dead one's place at once (so it counts against maxBrowsers) but starts after the backoff
    const replacement = this.#newSlot(slot.profile, decision.backoffMs);
    this.#track(
      replacement.ready.then(() => {
        this.#counts.relaunches++;
        this.#o.onEvent({ timeMs: Date.now(), type: 'browser_relaunch', message: `browser ${slot.id} replaced by ${replacement.id} (pid ${replacement.process?.pid ?? '?'}) after ${decision.backoffMs} ms backoff` });
        this.#line.wakeAll();
      }),
    );
    this.#line.wakeAll();
  }

  /** A refused attempt: a warning event for the first few (the summary counts them all). */
  #onBlocked(attempt: BlockedAttempt): void {
    if (attempt.source === 'browser' || this.#counts.blockEvents++ >= maxBlockEvents) return;
    this.#o.onEvent({
      timeMs: Date.now(),
      type: 'warning',
      reason: 'blocked_host',
      message: `host guard refused a ${attempt.kind} to ${attempt.url} (only the target and --allow-host hosts may be reached)`,
      data: { ...attempt },
    });
  }

  #totalOpenConnections(): number {
    let n = 0;
    for (const open of this.#openConnections.values()) n += open;
    return n;
  }

  #recordGauges(recorder: MetricsRecorder): void {
    recorder.record('generator.contexts', this.stats().contexts);
    recorder.record('webrtc.connections', this.#totalOpenConnections());
  }

  #noCapacityMessage(label: string): string {
    const cap = `maxBrowsers=${this.#o.maxBrowsers} × contextsPerBrowser=${this.#o.contextsPerBrowser}`;
    return `BrowserPool.acquire(${label}): no browser slot free in time (${cap}, ${this.stats().contexts} users open); raise maxBrowsers/contextsPerBrowser, lower the users, or give acquire a longer timeoutMs`;
  }

  #remove(slot: BrowserSlot): void {
    const i = this.#slots.indexOf(slot);
    if (i >= 0) this.#slots.splice(i, 1);
  }

  #track(p: Promise<unknown>): void {
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p)).catch(() => {});
  }

  async #closeSlot(slot: BrowserSlot): Promise<void> {
    const wasLaunching = slot.state === 'launching';
    slot.state = 'closing';
    this.#remove(slot);
    if (wasLaunching) await slot.ready.catch(() => {});
    for (const session of slot.sessions) session.fail('pool_closed', 'the pool closed the browser of this user');
    await slot.process?.close();
  }

  /** Closes every browser (bounded, then SIGKILL of the process trees) and removes temp profiles. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#line.wakeAll();
    const slots = [...this.#slots];
    await Promise.all(slots.map((s) => this.#closeSlot(s)));
    // relaunches and background context closes still in flight
    await withTimeout(Promise.allSettled([...this.#pending]), this.#o.closeTimeoutMs * 2, 'pending pool work').catch(() => {});
    for (const s of slots) await s.process?.kill();
    await this.#guard.close();
  }
}
