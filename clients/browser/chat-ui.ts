// Chat on the real web UI: type and send through the composer (the ack comes from the page's
// observer, observed-events.ts), and react to a message with its reaction buttons.
import type { Locator } from 'playwright-core';
import type { SentMessage } from '../waddle-client.ts';
import type { ObservedEvents } from './observed-events.ts';
import type { PageUi } from './page-ui.ts';
import { type TypeResult, typeAndSend } from './composer.ts';
import { cssEscape, withTimeout } from './util.ts';

export async function sendMessage(ui: PageUi, events: ObservedEvents, text: string): Promise<SentMessage> {
  const { page, timeoutMs } = ui;
  // keys and evaluates have no timeout of their own (a hung renderer would hold the input queue)
  const bounded = (typing: Promise<TypeResult>) => withTimeout(typing, timeoutMs * 3, () => `timed out after ${timeoutMs * 3} ms typing and sending (is the renderer hung?)`);
  // the composer still focused from the last send: keys only (composer.ts says why); else the full path
  let result = await ui.actNow('typing and sending in the focused composer', () => bounded(typeAndSend(page, text, timeoutMs)));
  const input = page.getByLabel('Write a message');
  if (result === 'not-ready') {
    await ui.waitFor('typing in the composer (is a text channel open?)', input); // outside the queue: holds up no one
    result = await ui.actNow('typing in the composer (is a text channel open?)', () => bounded(typeAndSend(page, text, timeoutMs, input)));
  }
  if (result === 'not-ready') throw ui.error('the composer was not ready right after Playwright filled it'); // typeAndSend with a locator never says so
  if ('held' in result) return refuseAlteredText(ui, input, text, result.held);
  if (!result.sent) throw ui.error(`failed waiting for the pending message after pressing Enter in the composer (limit ${timeoutMs} ms)`);
  // the composer kept every key so far (checked before typing); an app that rewrites input would show here
  if (result.sent.text !== text) throw ui.error(`message sent altered: the composer changed "${text.slice(0, 40)}" into "${result.sent.text.slice(0, 40)}"`);
  const { nonce } = result.sent;
  const event = await events.waitForOwn(nonce, timeoutMs, (why) => ui.error(`${why} waiting for the server ack of message ${nonce}`));
  if (event.kind === 'failed') throw ui.error(`message ${nonce} was refused: ${event.error}`);
  return { id: event.id, channelId: event.channelId, nonce, sentAtMs: Number(result.sent.sentAt), ackedAtMs: event.atMs };
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
