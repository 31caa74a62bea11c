// The Node end of the page observer's batches (page-scripts.ts, DRIVER_FLUSH_MS says why they
// are batched): each binding call carries an array of events, and the driver's close takes what
// the page still holds, so the last messages of a run are counted like the others.
import type { Page } from 'playwright-core';
import { DRIVER_BINDING, DRIVER_TAKE_GLOBAL, OBSERVER_SCRIPT, type ObserverEvent } from './page-scripts.ts';
import { withTimeout } from './util.ts';

/** Bound on the last take at close: a busy page still answers within it, a hung one is left. */
const TAKE_TIMEOUT_MS = 2_000;

/**
 * Installs the observer in the page (before it navigates) and hands each event Node receives to handle.
 * The binding is a raw CDP one on a session of the driver's own, not page.exposeBinding: Playwright's
 * binding answers every call (a BindingCall object on each side and a CDP request back to the page
 * with its result: one per message sent, since own acks go at once), and the observer wants no
 * answer (issue 18). The session's Runtime domain is on (a binding reports only then); the
 * reference client logs nothing to the console, so it adds no events per message.
 */
export async function installObserver(page: Page, handle: (event: ObserverEvent) => void): Promise<void> {
  const session = await page.context().newCDPSession(page);
  session.on('Runtime.bindingCalled', (call) => {
    if (call.name === DRIVER_BINDING) eachObserved(parseBatch(call.payload), handle);
  });
  await session.send('Runtime.enable');
  await session.send('Runtime.addBinding', { name: DRIVER_BINDING });
  await page.addInitScript(OBSERVER_SCRIPT);
}

function parseBatch(payload: string): unknown {
  try {
    return JSON.parse(payload);
  } catch {
    return undefined; // not the observer's (a page may call any global): nothing to count
  }
}

/** Hands each event of a batch from the page to handle, in the page's order. */
export function eachObserved(batch: unknown, handle: (event: ObserverEvent) => void): void {
  if (Array.isArray(batch)) for (const event of batch as ObserverEvent[]) handle(event);
}

/** Empties the page's queue and returns what it held; [] when the page is gone or does not answer. */
export async function takeObserved(page: Page): Promise<ObserverEvent[]> {
  if (page.isClosed()) return [];
  const script = `window.${DRIVER_TAKE_GLOBAL} ? window.${DRIVER_TAKE_GLOBAL}() : []`;
  const taken = await withTimeout(page.evaluate(script), TAKE_TIMEOUT_MS, () => `the page's last observed messages (${TAKE_TIMEOUT_MS} ms)`).catch(() => []);
  return Array.isArray(taken) ? (taken as ObserverEvent[]) : [];
}
