// What every part of the browser driver does on its page: bounded waits whose errors say what was
// awaited, input through the page's one input queue (input-queue.ts), a bounded page.evaluate, and
// the app's own error line. The parts (chat-ui.ts, call-ui.ts, files-ui.ts, history.ts) take one
// PageUi; BrowserWaddleClient owns it.
import type { Locator, Page } from 'playwright-core';
import { withFrames } from './frame-demand.ts';
import type { HistoryUi } from './history.ts';
import { InputQueue } from './input-queue.ts';
import { cssEscape, withTimeout } from './util.ts';

export type ToggleLabel = 'Mute' | 'Camera' | 'Share screen';

export class PageUi implements HistoryUi {
  /** every click, fill and file choice on this page, one at a time (input-queue.ts says why) */
  readonly #input = new InputQueue();

  constructor(
    readonly page: Page,
    /** who acts, for error messages */
    readonly username: string,
    /** bound on every single UI action and wait */
    readonly timeoutMs: number,
  ) {}

  /** An Error that names this client, e.g. "BrowserWaddleClient(alice): login refused: …". */
  error(message: string, cause?: unknown): Error {
    return new Error(`BrowserWaddleClient(${this.username}): ${message}`, cause === undefined ? undefined : { cause });
  }

  /** Elements with this test id whose data attribute has this value. */
  byData(testId: string, attribute: string, value: string): Locator {
    return this.page.getByTestId(testId).and(this.page.locator(`[data-${attribute}="${cssEscape(value)}"]`));
  }

  /** Runs raw mouse or keyboard work through the page's input queue. */
  input<T>(action: () => Promise<T>): Promise<T> {
    return this.#input.run(action);
  }

  /** A click waits for its target to hold still over two animation frames: a paced page gets them at the full rate (frame-demand.ts). */
  click(what: string, target: Locator, timeoutMs = this.timeoutMs): Promise<void> {
    return withFrames(this.page, () => this.act(what, target, (t) => t.click({ timeout: timeoutMs }), 'visible', timeoutMs));
  }

  /** An input action through the page's input queue; the wait for target is outside it, so it holds up no one. */
  act<T>(
    what: string,
    target: Locator,
    action: (target: Locator) => Promise<T>,
    state: 'visible' | 'attached' = 'visible',
    timeoutMs = this.timeoutMs,
  ): Promise<T> {
    return this.step(what, async () => {
      await target.waitFor({ state, timeout: timeoutMs });
      return this.#input.run(() => action(target));
    }, timeoutMs);
  }

  /** An input action through the queue with no wait for a target first (one just acted on). */
  actNow<T>(what: string, action: () => Promise<T>): Promise<T> {
    return this.step(what, () => this.#input.run(action));
  }

  /** Fills a field through the input queue. */
  fill(what: string, field: Locator, text: string): Promise<void> {
    return this.act(what, field, (f) => f.fill(text, { timeout: this.timeoutMs }));
  }

  /** Runs a Playwright action and rewrites its error so it says what we waited for. */
  async step<T>(what: string, action: () => Promise<T>, timeoutMs = this.timeoutMs): Promise<T> {
    try {
      return await action();
    } catch (error) {
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      throw this.error(`failed waiting for ${what} (limit ${Math.round(timeoutMs)} ms): ${reason}`, error);
    }
  }

  /** An attribute of target, waiting for it; the error names what was awaited. */
  attribute(what: string, target: Locator, name: string): Promise<string | null> {
    return this.step(what, () => target.getAttribute(name, { timeout: this.timeoutMs }));
  }

  /** Waits for target (visible), naming it in the error. */
  waitFor(what: string, target: Locator, state: 'visible' | 'attached' = 'visible'): Promise<void> {
    return this.step(what, () => target.waitFor({ timeout: this.timeoutMs, state }));
  }

  /** page.evaluate has no timeout of its own (a hung renderer would hang us): bound it. */
  evaluate(script: string, timeoutMs: number, what: string): Promise<unknown> {
    return withTimeout(this.page.evaluate(script), timeoutMs, () =>
      this.error(`timed out after ${Math.round(timeoutMs)} ms waiting for ${what} (page.evaluate; is the renderer hung?)`).message,
    );
  }

  /** The error line the app shows, or a note that it shows none. */
  async appError(): Promise<string> {
    const text = await this.page.getByTestId('error').textContent({ timeout: 1000 }).catch(() => null);
    return text?.trim() || '(no error shown)';
  }

  /** Presses a toggle button (mute, camera, screen) into the wanted state and waits until the app shows it. */
  async toggle(label: ToggleLabel, on: boolean): Promise<void> {
    const button = this.page.getByRole('button', { name: label, exact: true });
    const pressed = await this.attribute(`the "${label}" button (are you in a voice channel?)`, button, 'aria-pressed');
    if ((pressed === 'true') !== on) await this.click(`clicking "${label}"`, button);
    try {
      await button.and(this.page.locator(`[aria-pressed="${on}"]`)).waitFor({ timeout: this.timeoutMs });
    } catch (error) {
      const wanted = `"${label}" to turn ${on ? 'on' : 'off'}`;
      throw this.error(`timed out after ${this.timeoutMs} ms waiting for ${wanted}; the app says: ${await this.appError()}`, error);
    }
  }
}
