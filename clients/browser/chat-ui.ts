// Chat on the real web UI: type and send through the composer (the ack comes from the page's
// observer, observed-events.ts), and react to a message with its reaction buttons.
import { randomUUID } from 'node:crypto';
import type { Locator } from 'playwright-core';
import type { SentMessage } from '../waddle-client.ts';
import { type ObservedEvents, tokenKey } from './observed-events.ts';
import type { PageUi } from './page-ui.ts';
import { type TypeResult, typeAndSend } from './composer.ts';
import { cssEscape, withTimeout } from './util.ts';

export async function sendMessage(ui: PageUi, events: ObservedEvents, text: string): Promise<SentMessage> {
  const { page, timeoutMs } = ui;
  const token = randomUUID(); // the page observer hands it to the message this send makes
  // keys and evaluates have no timeout of their own (a hung renderer would hold the input queue)
  const bounded = (typing: Promise<TypeResult>) => withTimeout(typing, timeoutMs * 2, () => `timed out after ${timeoutMs * 2} ms typing and sending (is the renderer hung?)`);
  // the composer still focused from the last send: keys only (composer.ts says why); else the full path
  let result = await ui.actNow('typing and sending in the focused composer', () => bounded(typeAndSend(page, text, token, timeoutMs)));
  const input = page.getByLabel('Write a message');
  if (result === 'not-ready') {
    await ui.waitFor('typing in the composer (is a text channel open?)', input); // outside the queue: holds up no one
    result = await ui.actNow('typing in the composer (is a text channel open?)', () => bounded(typeAndSend(page, text, token, timeoutMs, input)));
  }
  if (result === 'not-ready') throw ui.error('the composer was not ready right after Playwright filled it'); // typeAndSend with a locator never says so
  if (result !== 'typed') return refuseAlteredText(ui, input, text, result.held);
  const event = await events.waitForOwn(tokenKey(token), timeoutMs, (why) => ui.error(`${why} waiting for the server ack of the message sent by Enter ("${text.slice(0, 40)}")`));
  if (event.kind === 'failed') throw ui.error(`message ${event.nonce} was refused: ${event.error}`);
  // the composer kept every key so far (checked before typing); an app that rewrites input would show here
  if (event.text !== text) throw ui.error(`message sent altered: the composer changed "${text.slice(0, 40)}" into "${event.text.slice(0, 40)}"`);
  return { id: event.id, channelId: event.channelId, nonce: event.nonce ?? '', sentAtMs: event.sentAtMs ?? NaN, ackedAtMs: event.atMs };
}

/** The UI may cut (maxlength) or change (no line breaks in an input) what was typed: sending
 * that would pass a journey param the client cannot carry, so the step fails instead. */
async function refuseAlteredText(ui: PageUi, input: Locator, text: string, held: string): Promise<never> {
  const maxLength = Number((await input.getAttribute('maxlength', { timeout: ui.timeoutMs })) ?? NaN);
  await ui.fill('emptying the composer', input, '').catch(() => {}); // do not leave it for the next send
  const why =
    text.length > maxLength
      ? `it has ${text.length} characters and the composer accepts at most ${maxLength} (its maxlength); ` +
        `keep messages within ${maxLength} (a chat journey's sizeRange)`
      : `the composer changed it (it holds ${held.length} of ${text.length} characters; line breaks are dropped)`;
  throw ui.error(`message not sent: ${why}`);
}

const REACTION_CHOICES = '👍 🎉 ❤️ 😂 👀 and existing reactions';

export async function react(ui: PageUi, messageId: string, emoji: string): Promise<void> {
  const message = ui.byData('message', 'id', messageId);
  await ui.waitFor(`message ${messageId} in the open channel`, message);
  const mine = message.getByTestId('reaction').and(ui.page.locator(`[data-emoji="${cssEscape(emoji)}"][aria-pressed="true"]`));
  if ((await mine.count()) > 0) return;
  const button = message.locator(`button[data-emoji="${cssEscape(emoji)}"]`);
  if ((await button.count()) === 0) {
    throw ui.error(`the UI offers no reaction button for ${emoji} on message ${messageId} (choices: ${REACTION_CHOICES})`);
  }
  // A message list that scrolls as new messages arrive can move the button between Playwright's
  // hit-test and the click, so the click lands elsewhere (seen once in a smoke run). Click again
  // while it does not show as mine: adding a reaction is idempotent on the server.
  const deadline = Date.now() + ui.timeoutMs;
  for (;;) {
    await ui.click(`clicking reaction ${emoji}`, button.first(), Math.max(1, deadline - Date.now()));
    const wait = Math.min(3_000, deadline - Date.now());
    if (wait <= 0 || (await mine.waitFor({ timeout: wait }).then(() => true, () => false))) break;
    if ((await mine.count()) > 0) return;
  }
  await ui.step(`reaction ${emoji} to show as mine on ${messageId}`, () => mine.waitFor({ timeout: Math.max(1, deadline - Date.now()) }));
}
