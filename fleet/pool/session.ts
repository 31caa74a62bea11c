// A user's browser session: its own context and page on a pool browser, with the host guard,
// the WebRTC probe (init script + binding) and a watch for a crashed or hung renderer. A failure
// fails only this user: its signal aborts with a classified PoolFailure and its context is closed
// in the background. release() flushes the probe's last samples (bounded) and closes the context.
import type { FramePacer } from './frame-pacer.ts';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { TimeoutError, withTimeout } from '../../common/async.ts';
import { probeInitScript } from '../../in-page/bundle.ts';
import { PROBE_BINDING, PROBE_FLUSH_GLOBAL, type MarksConfig } from '../../in-page/probe-protocol.ts';
import type { MetricsRecorder, RunEvent, Tags } from '../../metrics/types.ts';
import type { GuardConfig } from '../../in-page/guard-protocol.ts';
import type { HostGuard } from '../guard/host-guard.ts';
import type { MessageLink } from '../../network/message-link.ts';
import { startShapedListener } from '../../network/shaped-listener.ts';
import { ProbeBridge } from './probe-bridge.ts';
import type { SourceVideo } from './quality-score.ts';
import type { VideoSize } from './media-profile.ts';
import type { SharedContext } from './shared-context.ts';

export type SessionFailureReason = 'page_crash' | 'page_hung' | 'browser_crash' | 'pool_closed';

/** Why a user's page stopped working, or why it could not get one; `session.signal.reason` holds one. */
export class PoolFailure extends Error {
  override readonly name = 'PoolFailure';
  constructor(
    readonly reason: SessionFailureReason | 'pool_failing' | 'no_capacity',
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

export interface SessionOptions {
  /** the user's label ("vu-0042"): in events and on the fake screen share */
  readonly label: string;
  readonly screen?: VideoSize;
  /** makes the page's frames (--frame-rate: frame-pacer.ts); none: the browser's own */
  readonly pacer?: FramePacer;
  readonly recorder: MetricsRecorder;
  readonly tags: Tags;
  /** every request, WebSocket and ICE attempt of the session goes through it (fleet/host-guard.ts) */
  readonly guard: HostGuard;
  readonly probeIntervalMs: number;
  /** the user's pages use only this relay (an impaired network, network/relay/); needs a context of its own */
  readonly relay?: GuardConfig['relay'];
  /** the user's network for its HTTP and WebSocket bytes: its context's proxy is a shaped listener of its own (network/shaped-listener.ts) */
  readonly network?: MessageLink;
  /** false: the fake mic skips echo cancellation, noise suppression and AGC (in-page/fake-mic.ts) */
  readonly audioProcessing: boolean;
  /** glass-to-glass marks and quality samples: the fake camera file (scored against) and its size */
  readonly marks?: { readonly source: SourceVideo | undefined; readonly camera: VideoSize | undefined; readonly video?: boolean; readonly sampleEveryMs?: number; readonly qualityEveryMs?: number };
  /** a page that does not answer a trivial evaluate within timeoutMs is hung */
  readonly hangCheck: { readonly intervalMs: number; readonly timeoutMs: number } | false;
  readonly closeTimeoutMs: number;
  readonly onEvent: (event: RunEvent) => void;
  /** this page's open peer connections changed */
  readonly onOpenConnections: (open: number) => void;
  /** the page crashed or hung (counted by the pool) */
  readonly onPageFailure: () => void;
}

// tsx/esbuild compile with keepNames, which wraps named functions in __name(fn, "name"). A
// function a driver passes to page.evaluate is serialised with those calls inside and would fail
// in the page with "__name is not defined": give every page a harmless __name.
export const keepNamesShim = 'globalThis.__name ??= (fn) => fn;';

/** Every user's page: 1280x720 CSS pixels, device scale 1 (bench:density: a device scale of 0.5 saved nothing measurable). */
// Camera and microphone granted, as for a user who clicked "Allow": --use-fake-ui-for-media-stream
// answers the prompt, but the headless shell still reads the permission as not granted when WebRTC
// asks whether it may list the machine's interfaces, so its sockets bound the any-address, its
// packets to a loopback TURN relay left from 127.0.0.1, not from its candidate's address, and the
// relay (rightly) dropped them: no impaired call connected (network-relay.e2e, network-cli.e2e).
export const sessionContextOptions = { viewport: { width: 1280, height: 720 }, permissions: ['camera', 'microphone'] };

function marksConfig(m: NonNullable<SessionOptions['marks']>): MarksConfig {
  return {
    video: m.video ?? false,
    audio: true,
    ...(m.sampleEveryMs !== undefined ? { sampleEveryMs: m.sampleEveryMs } : {}),
    ...(m.qualityEveryMs !== undefined ? { qualityEveryMs: m.qualityEveryMs } : {}),
    ...(m.camera ? { source: { width: m.camera.width, height: m.camera.height } } : {}),
  };
}

/** The probe with this user's config (its screen share's label). */
function userProbeScript(options: SessionOptions): Promise<string> {
  return probeInitScript({
    intervalMs: options.probeIntervalMs,
    allowedHosts: [], // the host guard refuses and counts; the probe only measures
    audioProcessing: options.audioProcessing,
    ...(options.marks ? { marks: marksConfig(options.marks) } : {}),
    ...(options.screen ? { screen: { ...options.screen, label: options.label } } : {}),
  });
}

export class Session implements PoolSession {
  readonly #abort = new AbortController();
  #hangTimer: NodeJS.Timeout | undefined;
  #released = false;

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    readonly probe: ProbeBridge,
    readonly browserPid: number | undefined,
    private readonly options: SessionOptions,
    /** the context is shared with other users: closing this user closes its page only */
    readonly sharesContext: boolean,
  ) {}

  /** A session on its own context, or (shared given) on its own page of a context shared by users. */
  static async open(browser: Browser, browserPid: number | undefined, options: SessionOptions, shared?: SharedContext): Promise<Session> {
    const probe = new ProbeBridge({
      recorder: options.recorder,
      tags: options.tags,
      onEvent: options.onEvent,
      onOpenConnections: options.onOpenConnections,
      ...(options.marks?.source ? { source: options.marks.source } : {}),
    });
    if (shared) return Session.#openShared(shared, browserPid, options, probe);
    const shaped = options.network ? await startShapedListener(options.guard.contextProxy().server, options.network) : undefined;
    const context = await browser.newContext({ ...sessionContextOptions, proxy: shaped ? { server: shaped.url } : options.guard.contextProxy() }).catch(async (error: unknown) => {
      await shaped?.close();
      throw error;
    });
    if (shaped) context.once('close', () => void shaped.close());
    try {
      // the guard's in-page half first, so it wraps RTCPeerConnection innermost
      await options.guard.attach(context, options.label, options.relay);
      await context.exposeBinding(PROBE_BINDING, (_source, batch: unknown) => probe.handle(batch));
      await context.addInitScript({ content: keepNamesShim });
      await context.addInitScript({ content: await userProbeScript(options) });
      const page = await context.newPage();
      return await Session.#started(new Session(context, page, probe, browserPid, options, false));
    } catch (error) {
      await withTimeout(context.close(), options.closeTimeoutMs, 'context.close').catch(() => {});
      throw error;
    }
  }

  static async #openShared(shared: SharedContext, browserPid: number | undefined, options: SessionOptions, probe: ProbeBridge): Promise<Session> {
    const page = await shared.newPage(options.label, probe, await userProbeScript(options));
    try {
      return await Session.#started(new Session(shared.context, page, probe, browserPid, options, true));
    } catch (error) {
      await withTimeout(page.close(), options.closeTimeoutMs, 'page.close').catch(() => {});
      throw error;
    }
  }

  /** Proves the page is guarded, paces its frames (--frame-rate), then watches it for a crash or a hang. */
  static async #started(session: Session): Promise<Session> {
    await session.options.guard.verify(session.page);
    await session.options.pacer?.add(session.page); // before the user's first action: clicks wait for frames
    session.page.on('crash', () => session.fail('page_crash', `page of ${session.options.label} crashed`));
    session.#watchForHang();
    return session;
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  get isReleased(): boolean {
    return this.#released;
  }

  /** Fail this user (the page or its browser is gone): classify, tell, stop watching. */
  fail(reason: SessionFailureReason, message: string): void {
    if (this.#abort.signal.aborted || this.#released) return;
    this.#abort.abort(new PoolFailure(reason, message));
    clearInterval(this.#hangTimer);
    if (reason === 'page_crash' || reason === 'page_hung') {
      this.options.onPageFailure();
      this.options.onEvent({ timeMs: Date.now(), type: 'page_crash', reason, message, tags: this.options.tags, data: { user: this.options.label } });
      void withTimeout(this.#closeOwn(), this.options.closeTimeoutMs, 'context.close').catch(() => {});
    }
  }

  /** What this user owns: its context, or its page of a shared one. */
  #closeOwn(): Promise<void> {
    return this.sharesContext ? this.page.close() : this.context.close();
  }

  /** Last probe samples (bounded: the page may be busy), then close the context. */
  async release(browserUp = true): Promise<void> {
    if (this.#released) return;
    clearInterval(this.#hangTimer);
    const alive = !this.#abort.signal.aborted && browserUp;
    if (alive) await withTimeout(this.page.evaluate(`globalThis[${JSON.stringify(PROBE_FLUSH_GLOBAL)}]?.()`), 1500, 'probe flush').catch(() => {});
    await withTimeout(this.probe.scored(), 2000, 'quality scores').catch(() => {}); // frames the flush brought
    this.#released = true;
    this.options.onOpenConnections(0);
    if (!browserUp) return;
    try {
      await withTimeout(this.#closeOwn(), this.options.closeTimeoutMs, `closing the ${this.sharesContext ? 'page' : 'context'} of ${this.options.label}`);
    } catch (error) {
      this.options.onEvent({ timeMs: Date.now(), type: 'warning', reason: 'context_close', message: `${(error as Error).message}; it is left to the browser's close`, tags: this.options.tags });
    }
  }

  #watchForHang(): void {
    const hang = this.options.hangCheck;
    if (!hang) return;
    let checking = false;
    this.#hangTimer = setInterval(() => {
      if (checking || this.#released || this.#abort.signal.aborted) return;
      checking = true;
      // page.evaluate has no timeout of its own: a busy-looping renderer never answers
      withTimeout(this.page.evaluate('1'), hang.timeoutMs, 'hang check')
        .catch((error: unknown) => {
          if (error instanceof TimeoutError) this.fail('page_hung', `page of ${this.options.label} did not answer for ${hang.timeoutMs} ms (renderer hung)`);
        })
        .finally(() => (checking = false));
    }, hang.intervalMs);
    this.#hangTimer.unref();
  }
}
