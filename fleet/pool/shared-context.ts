// One browser context shared by the users of a browser process, each on its own page, for drivers
// that declare their users may share one (clients/driver.ts `isolation: 'page'`: the app keeps no
// per-user state in cookies or storage that another user's login would overwrite). Pages of one
// context can share renderer processes (--process-per-site), so a user costs about half the
// memory (bench:density idle). The host guard's in-page half and the probe binding are installed
// once per context; the binding routes each batch to the probe of the page that sent it. Each
// page is a window of its own (see #newWindow). The context lives as long as its browser: users
// come and go as pages.
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { PROBE_BINDING } from '../../in-page/probe-protocol.ts';
import type { HostGuard } from '../guard/host-guard.ts';
import type { ProbeBridge } from './probe-bridge.ts';

/** Bound on making one page (a window) of the shared context. */
const newPageTimeoutMs = 30_000;

export class SharedContext {
  readonly #probes = new Map<Page, ProbeBridge>();
  readonly #labels = new Map<Page, string>();
  #making: Promise<unknown> = Promise.resolve();
  /** blank windows opened before load (warm), taken by users before any new one is made */
  readonly #spares: Page[] = [];
  #contextId: string | undefined;

  private constructor(
    readonly context: BrowserContext,
    private readonly browserSession: CDPSession,
  ) {}

  static async open(browser: Browser, guard: HostGuard, contextOptions: Parameters<Browser['newContext']>[0], initScripts: readonly string[]): Promise<SharedContext> {
    const context = await browser.newContext({ ...contextOptions, proxy: guard.contextProxy() });
    const shared = new SharedContext(context, await browser.newBrowserCDPSession());
    try {
      await guard.attach(context, (page) => shared.#labels.get(page));
      await context.exposeBinding(PROBE_BINDING, (source, batch: unknown) => shared.#probes.get(source.page)?.handle(batch));
      for (const content of initScripts) await context.addInitScript({ content });
      return shared;
    } catch (error) {
      await context.close().catch(() => {});
      throw error;
    }
  }

  /** A page for one user, its probe bound to it; `pageScript` runs in it before any app code. */
  async newPage(label: string, probe: ProbeBridge, pageScript: string): Promise<Page> {
    const page = this.#takeSpare() ?? (await this.#made(() => this.#newWindow()));
    this.#probes.set(page, probe);
    this.#labels.set(page, label);
    page.once('close', () => {
      this.#probes.delete(page);
      this.#labels.delete(page);
    });
    await page.addInitScript({ content: pageScript });
    return page;
  }

  /**
   * Each user's page in a window of its own. context.newPage() opens every page after the first
   * as a tab of the context's one window, and only the front tab renders: Playwright's
   * actionability checks wait for animation frames, so concurrent clicks on background tabs took
   * 1-2 s each (measured: send_message p50 221 ms vs 98 ms, p95 2064 ms vs 130 ms for 5 chat
   * users). A target made with newWindow: true renders like a page of its own context.
   */
  async #newWindow(): Promise<Page> {
    if (this.#contextId === undefined) return await this.#firstWindow();
    const next = this.context.waitForEvent('page', { timeout: newPageTimeoutMs });
    next.catch(() => {}); // awaited below; not left unhandled should createTarget fail first
    await this.browserSession.send('Target.createTarget', { url: 'about:blank', browserContextId: this.#contextId, newWindow: true });
    return await next;
  }

  /** The context's first page opens its own window, and tells the context's id for the next ones. */
  async #firstWindow(): Promise<Page> {
    const first = await this.context.newPage();
    const session = await this.context.newCDPSession(first);
    this.#contextId = ((await session.send('Target.getTargetInfo')) as { targetInfo: { browserContextId: string } }).targetInfo.browserContextId;
    await session.detach().catch(() => {});
    return first;
  }

  /**
   * Opens the context's first window now, before load, and keeps it blank for the context's life.
   * A context's first page cost ~1 CPU-s, each next one ~0.3 (2 cores, the reference Waddle's page;
   * a first page closed again left the next one paying the ~1 s): kept, no user pays it.
   * Then `windows` blank windows for the users to come: opening a window costs ~1.1 CPU-s, its
   * navigation to the reference Waddle ~0.2 (measured on 2 cores), so a user who opened it at its
   * start put a burst among the others' measurements (the demo's CPU peak while the last users
   * start). A person's browser window is open before they visit the app; `connect` still measures
   * the navigation and the app's start.
   */
  async warm(windows = 0): Promise<void> {
    await this.#made(async () => (this.#contextId === undefined ? await this.#firstWindow() : undefined));
    for (let i = this.#spares.length; i < windows; i++) this.#spares.push(await this.#made(() => this.#newWindow()));
  }

  /** Pages are made one at a time: each is told apart by the context's next 'page' event. */
  #made<T>(make: () => Promise<T>): Promise<T> {
    const made = this.#making.then(make);
    this.#making = made.catch(() => {});
    return made;
  }

  /** A window opened before load, if one is left (one that closed meanwhile is dropped). */
  #takeSpare(): Page | undefined {
    for (let page = this.#spares.shift(); page; page = this.#spares.shift()) if (!page.isClosed()) return page;
    return undefined;
  }

  get pages(): number {
    return this.#probes.size;
  }
}
