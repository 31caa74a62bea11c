// Typing and sending in the composer with as few CDP round trips as a real user's keys allow
// (issue 18). Playwright's locator.fill and locator.press re-check the element before each action
// (resolve, visible, enabled, editable, box, focus: ~25 CDP messages per message sent, each one
// Playwright work in the fleet's Node). The composer is the same element every send and a chat user
// keeps it focused, so after the first send the driver checks in one evaluate that it still is
// (focused, connected, visible, enabled, editable, empty, and keeps this text as typed), then types
// with the keyboard: one Input.insertText (what fill sends too) and Enter's keydown and keyup,
// trusted events the app handles as a person's. The message it makes comes back through the page
// observer's ack with the send's token (page-scripts.ts): 5 CDP requests per message sent. Anything else (first send, a click moved the focus, text left
// over, a text the composer would cut or change) takes Playwright's full path, which also marks
// the composer for the next send.
import type { Locator, Page } from 'playwright-core';
import { DRIVER_SEND_TOKEN_GLOBAL } from './page-scripts.ts';

/** The composer element fill last typed into, held by the page (a WeakRef: never keeps a node alive). */
const COMPOSER_GLOBAL = '__waddleDriverComposer';
/** Marks the element fill just typed into as the composer, sets the send's token, returns what the composer holds (runs in the page). */
const markComposer = (el: { value: string }, token: string): string => {
  const g = globalThis as unknown as Record<string, unknown>;
  g['__waddleDriverComposer'] = new WeakRef(el); // COMPOSER_GLOBAL
  g['__waddleDriverSendToken'] = token; // DRIVER_SEND_TOKEN_GLOBAL
  return el.value;
};

/**
 * Whether the marked composer takes these keys now as a person would type them: focused, shown,
 * enabled, empty, and the text one it keeps as typed (within maxlength, no line breaks in an
 * input): Playwright's path refuses the others with what the composer made of them. Sets the
 * send's token when it is (the page observer hands it to the message this send makes).
 */
function readyScript(text: string, token: string): string {
  return `(() => {
  const el = window.${COMPOSER_GLOBAL} && window.${COMPOSER_GLOBAL}.deref();
  const text = ${JSON.stringify(text)};
  const ready = !!el && el.isConnected && document.activeElement === el && !el.disabled && !el.readOnly &&
    el.value === '' && el.checkVisibility() && (el.maxLength < 0 || text.length <= el.maxLength) &&
    !(el.tagName === 'INPUT' && /[\\r\\n]/.test(text));
  if (ready) window.${DRIVER_SEND_TOKEN_GLOBAL} = ${JSON.stringify(token)};
  return ready;
})()`;
}

export type TypeResult = 'typed' | { held: string } | 'not-ready';

/**
 * Types text and presses Enter; run it inside the page's input queue so nothing moves the focus
 * between the keys. With composer: Playwright's fill into it first (the full checks) and a read of
 * what it holds ({ held } when other than typed: nothing was sent); else the marked composer must
 * be ready for this text ('not-ready' when not, having typed nothing). The message the Enter makes
 * comes back through the page observer with token (its ack or failure).
 */
export async function typeAndSend(page: Page, text: string, token: string, timeoutMs: number, composer?: Locator): Promise<TypeResult> {
  if (composer) {
    await composer.fill(text, { timeout: timeoutMs });
    const held = await composer.evaluate(markComposer, token, { timeout: timeoutMs });
    if (held !== text) return { held };
  } else {
    if ((await page.evaluate(readyScript(text, token))) !== true) return 'not-ready';
    await page.keyboard.insertText(text);
  }
  await page.keyboard.press('Enter');
  return 'typed';
}
