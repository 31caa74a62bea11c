// The Node end of the page observer's batches (page-scripts.ts, DRIVER_FLUSH_MS says why they
// are batched): each binding call carries an array of events, and the driver's close takes what
// the page still holds, so the last messages of a run are counted like the others.
import type { Page } from 'playwright-core';
import { DRIVER_BINDING, DRIVER_TAKE_GLOBAL, OBSERVER_SCRIPT, type ObserverEvent } from './page-scripts.ts';
import { withTimeout } from './util.ts';

/** Bound on the last take at close: a busy page still answers within it, a hung one is left. */
const TAKE_TIMEOUT_MS = 2_000;

/** Installs the observer in the page (before it navigates) and hands each event Node receives to handle. */
export async function installObserver(page: Page, handle: (event: ObserverEvent) => void): Promise<void> {
  await page.exposeBinding(DRIVER_BINDING, (_source, batch: unknown) => eachObserved(batch, handle));
  await page.addInitScript(OBSERVER_SCRIPT);
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
