// One browser context shared by the users of a browser process, each on its own page, for drivers
// that declare their users may share one (clients/driver.ts `isolation: 'page'`: the app keeps no
// per-user state in cookies or storage that another user's login would overwrite). Pages of one
// context can share renderer processes (--process-per-site), so a user costs about half the
// memory (bench:density idle). The host guard's in-page half and the probe binding are installed
// once per context; the binding routes each batch to the probe of the page that sent it. The
// context lives as long as its browser: users come and go as pages.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PROBE_BINDING } from '../../in-page/probe-protocol.ts';
import type { HostGuard } from '../host-guard.ts';
import type { ProbeBridge } from '../probe-bridge.ts';

export class SharedContext {
  readonly #probes = new Map<Page, ProbeBridge>();
  readonly #labels = new Map<Page, string>();

  private constructor(readonly context: BrowserContext) {}

  static async open(browser: Browser, guard: HostGuard, contextOptions: Parameters<Browser['newContext']>[0], initScripts: readonly string[]): Promise<SharedContext> {
    const context = await browser.newContext({ ...contextOptions, proxy: guard.contextProxy() });
    const shared = new SharedContext(context);
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
    const page = await this.context.newPage();
    this.#probes.set(page, probe);
    this.#labels.set(page, label);
    page.once('close', () => {
      this.#probes.delete(page);
      this.#labels.delete(page);
    });
    await page.addInitScript({ content: pageScript });
    return page;
  }

  get pages(): number {
    return this.#probes.size;
  }
}
