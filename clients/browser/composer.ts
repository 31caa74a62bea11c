// Typing and sending in the composer with as few CDP round trips as a real user's keys allow
// (issue 18). Playwright's locator.fill and locator.press re-check the element before each action
// (resolve, visible, enabled, editable, box, focus: ~25 CDP messages per message sent, each one
// Playwright work in the fleet's Node). The composer is the same element every send and a chat user
// keeps it focused, so after the first send the driver checks in one evaluate that it still is
// (focused, connected, visible, enabled, editable, empty, and keeps this text as typed), then types
// with the keyboard: one Input.insertText (what fill sends too) and Enter's keydown and keyup,
// trusted events the app handles as a person's; one more evaluate reads the pending message.
// 6 CDP requests per message sent. Anything else (first send, a click moved the focus, text left
// over, a text the composer would cut or change) takes Playwright's full path, which also marks
// the composer for the next send.
import type { Locator, Page } from 'playwright-core';

/** The composer element fill last typed into, held by the page (a WeakRef: never keeps a node alive). */
const COMPOSER_GLOBAL = '__waddleDriverComposer';
/** The last own message before this send's keys (a WeakRef or null), so the pending one is told apart. */
const LAST_OWN_GLOBAL = '__waddleDriverLastOwn';

/** Marks the element fill just typed into as the composer, notes the last own message, returns what the composer holds (runs in the page). */
const markComposer = (el: { value: string; ownerDocument: { querySelectorAll(s: string): ArrayLike<object> } }): string => {
  const g = globalThis as unknown as Record<string, unknown>;
  g['__waddleDriverComposer'] = new WeakRef(el); // COMPOSER_GLOBAL
  const own = el.ownerDocument.querySelectorAll('[data-testid="message"][data-own="true"]');
  g['__waddleDriverLastOwn'] = own.length ? new WeakRef(own[own.length - 1]!) : null; // LAST_OWN_GLOBAL
  return el.value;
};

/**
 * Whether the marked composer takes these keys now as a person would type them: focused, shown,
 * enabled, empty, and the text one it keeps as typed (within maxlength, no line breaks in an
 * input): Playwright's path refuses the others with what the composer made of them. Notes the
 * last own message when it is.
 */
function readyScript(text: string): string {
  return `(() => {
  const el = window.${COMPOSER_GLOBAL} && window.${COMPOSER_GLOBAL}.deref();
  const text = ${JSON.stringify(text)};
  const ready = !!el && el.isConnected && document.activeElement === el && !el.disabled && !el.readOnly &&
    el.value === '' && el.checkVisibility() && (el.maxLength < 0 || text.length <= el.maxLength) &&
    !(el.tagName === 'INPUT' && /[\\r\\n]/.test(text));
  if (!ready) return false;
  const own = document.querySelectorAll('[data-testid="message"][data-own="true"]');
  window.${LAST_OWN_GLOBAL} = own.length ? new WeakRef(own[own.length - 1]) : null;
  return true;
})()`;
}

/**
 * After Enter: the own message the submit handler rendered (its nonce, page-clock send time and
 * text), once the composer emptied and a new own message shows; null after limitMs.
 */
function pendingScript(limitMs: number): string {
  return `new Promise((resolve) => {
    const el = window.${COMPOSER_GLOBAL} && window.${COMPOSER_GLOBAL}.deref();
    const before = window.${LAST_OWN_GLOBAL} ? window.${LAST_OWN_GLOBAL}.deref() : undefined;
    const started = performance.now();
    const check = () => {
      const own = document.querySelectorAll('[data-testid="message"][data-own="true"]');
      const li = own[own.length - 1];
      if (el && el.value === '' && li && li !== before) {
        const shown = li.querySelector('[data-testid="message-text"]');
        resolve({ nonce: li.dataset.nonce || '', sentAt: li.dataset.sentAt || '', text: shown ? shown.textContent : '' });
      } else if (performance.now() - started > ${limitMs}) resolve(null);
      else setTimeout(check, 5);
    };
    check();
  })`;
}

export interface Pending {
  nonce: string;
  sentAt: string;
  /** as the pending message shows it */
  text: string;
}
export type TypeResult = { sent: Pending | null } | { held: string } | 'not-ready';

/**
 * Types text and presses Enter; run it inside the page's input queue so nothing moves the focus
 * between the keys. With composer: Playwright's fill into it first (the full checks) and a read of
 * what it holds ({ held } when other than typed: nothing was sent); else the marked composer must
 * be ready for this text ('not-ready' when not, having typed nothing). { sent: null } when no
 * pending message showed.
 */
export async function typeAndSend(page: Page, text: string, timeoutMs: number, composer?: Locator): Promise<TypeResult> {
  if (composer) {
    await composer.fill(text, { timeout: timeoutMs });
    const held = await composer.evaluate(markComposer, undefined, { timeout: timeoutMs });
    if (held !== text) return { held };
  } else {
    if ((await page.evaluate(readyScript(text))) !== true) return 'not-ready';
    await page.keyboard.insertText(text);
  }
  await page.keyboard.press('Enter');
  return { sent: (await page.evaluate(pendingScript(timeoutMs))) as Pending | null };
}
