// Typing and sending in the composer with as few CDP round trips as a real user's keys allow
// (issue 18). Playwright's locator.fill and locator.press re-check the element before each action
// (resolve, visible, enabled, editable, box, focus: ~25 CDP messages per message sent, each one
// Playwright work in the fleet's Node). The composer is the same element every send and a chat user
// keeps it focused, so after the first send the driver checks in one evaluate that it still is
// (focused, connected, visible, enabled, editable, empty), then types with the keyboard: one
// Input.insertText (what fill sends too) and Enter's keydown and keyup, trusted events the app
// handles as a person's. Anything else (first send, a click moved the focus, text left over)
// takes Playwright's full path, which also marks the composer for the next send.
import type { Locator, Page } from 'playwright-core';

/** The composer element fill last typed into, held by the page (a WeakRef: never keeps a node alive). */
const COMPOSER_GLOBAL = '__waddleDriverComposer';

/** Marks the element fill just typed into as the composer and returns what it holds (runs in the page). */
const markComposer = (el: { value: string }): string => {
  (globalThis as unknown as Record<string, unknown>)['__waddleDriverComposer'] = new WeakRef(el); // COMPOSER_GLOBAL
  return el.value;
};

/** Whether the marked composer can take keys now as a person would type them: focused, shown, enabled, empty. */
const COMPOSER_READY = `(() => {
  const el = window.${COMPOSER_GLOBAL} && window.${COMPOSER_GLOBAL}.deref();
  return !!el && el.isConnected && document.activeElement === el && !el.disabled && !el.readOnly &&
    el.value === '' && el.checkVisibility();
})()`;

const COMPOSER_VALUE = `(() => { const el = window.${COMPOSER_GLOBAL} && window.${COMPOSER_GLOBAL}.deref(); return el ? el.value : null; })()`;

/**
 * After Enter: the own message the submit handler rendered (its nonce and page-clock send time),
 * once the composer emptied and the last own message carries this text; null after limitMs.
 */
function pendingScript(testIdAttribute: string, text: string, limitMs: number): string {
  return `new Promise((resolve) => {
    const el = window.${COMPOSER_GLOBAL} && window.${COMPOSER_GLOBAL}.deref();
    const started = performance.now();
    const check = () => {
      const own = document.querySelectorAll('[${testIdAttribute}="message"][data-own="true"]');
      const li = own[own.length - 1];
      const shown = li && li.querySelector('[${testIdAttribute}="message-text"]');
      if (el && el.value === '' && shown && shown.textContent === ${JSON.stringify(text)}) resolve({ nonce: li.dataset.nonce || '', sentAt: li.dataset.sentAt || '' });
      else if (performance.now() - started > ${limitMs}) resolve(null);
      else setTimeout(check, 5);
    };
    check();
  })`;
}

export type TypeResult = { sent: { nonce: string; sentAt: string } | null } | { held: string } | 'not-ready';

/**
 * Types text and presses Enter; run it inside the page's input queue so nothing moves the focus
 * between the keys. With composer: Playwright's fill into it first (the full checks), else the
 * marked composer must be ready ('not-ready' when not, having typed nothing). { held } when the
 * composer holds other text than typed (nothing was sent); { sent: null } when no pending message showed.
 */
export async function typeAndSend(page: Page, text: string, timeoutMs: number, composer?: Locator): Promise<TypeResult> {
  let held: string | null;
  if (composer) {
    await composer.fill(text, { timeout: timeoutMs });
    held = await composer.evaluate(markComposer, undefined, { timeout: timeoutMs });
  } else {
    if ((await page.evaluate(COMPOSER_READY)) !== true) return 'not-ready';
    await page.keyboard.insertText(text);
    held = (await page.evaluate(COMPOSER_VALUE)) as string | null;
  }
  if (held !== text) return { held: held ?? '' };
  await page.keyboard.press('Enter');
  return { sent: (await page.evaluate(pendingScript('data-testid', text, timeoutMs))) as { nonce: string; sentAt: string } | null };
}
