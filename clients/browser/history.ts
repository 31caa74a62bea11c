// History on the real web UI: open a channel by clicking it and time until its latest page is
// painted; scroll its message list up with the mouse wheel, as a user would, and time each older
// page from the app's request to the frame that painted it, while an animation-frame sampler in
// the page records how smooth the scrolling stayed. The web client writes what it did on the
// message list (reference-waddle/web/history-pager.ts); only data attributes and real input are
// used, never the app's internals.
import type { Locator, Page } from 'playwright-core';
import type { ChannelHistoryView, HistoryPageLoad, HistoryScroll } from '../waddle-client.ts';
import { isPaced, withFrames } from './frame-demand.ts';
import { FRAME_SAMPLER_START, FRAME_SAMPLER_STOP } from './page-scripts.ts';
import { cssEscape } from './util.ts';

export interface HistoryUi {
  readonly page: Page;
  /** bound on every single wait */
  readonly timeoutMs: number;
  /** runs an action, rewriting its error so it says what was awaited */
  step<T>(what: string, action: () => Promise<T>): Promise<T>;
  /** clicks target through the page's input queue (input-queue.ts) */
  click(what: string, target: Locator): Promise<void>;
  /** runs raw mouse work through the page's input queue */
  input<T>(action: () => Promise<T>): Promise<T>;
  /** page.evaluate bounded in time */
  evaluate(script: string, timeoutMs: number, what: string): Promise<unknown>;
}

/** One mouse-wheel notch of a fast human scroll, and the pause between notches. */
const WHEEL_DELTA_PX = 400;
const WHEEL_PAUSE_MS = 50;

type ListData = Record<string, string | undefined>;

const listOf = (page: Page): Locator => page.getByTestId('message-list');

async function listData(ui: HistoryUi): Promise<ListData> {
  return ui.step('reading the message list', () => listOf(ui.page).evaluate((el: { dataset: ListData }) => ({ ...el.dataset }), undefined, { timeout: ui.timeoutMs }));
}

/** Click the channel (the first one when no id is given) and wait until its latest page is painted. */
export function openChannelHistory(ui: HistoryUi, channelId: string | undefined): Promise<ChannelHistoryView> {
  return withFrames(ui.page, () => openAndTime(ui, channelId)); // its timing ends at a paint: frames throughout
}

async function openAndTime(ui: HistoryUi, channelId: string | undefined): Promise<ChannelHistoryView> {
  const { page } = ui;
  const buttons = page.getByTestId('text-channel');
  const button = channelId === undefined ? buttons.first() : buttons.and(page.locator(`[data-channel-id="${cssEscape(channelId)}"]`));
  const id = channelId ?? (await ui.step('the first text channel', () => button.getAttribute('data-channel-id', { timeout: ui.timeoutMs }))) ?? '';
  const before = (await listData(ui)).openRequestedAt ?? '';
  await ui.click(`clicking text channel ${id}`, button);
  const shown = page.locator(`[data-testid="message-list"][data-latest-shown-at]:not([data-open-requested-at="${cssEscape(before)}"])`);
  await ui.step(`the latest page of ${id} to be shown`, () => shown.waitFor({ timeout: ui.timeoutMs, state: 'attached' }));
  await ui.step(`the channel title to show ${id}`, () => page.getByTestId('channel-title').and(page.locator(`[data-channel-id="${cssEscape(id)}"]`)).waitFor({ timeout: ui.timeoutMs }));
  const data = await listData(ui);
  const messages = await listOf(page).getByTestId('message').count();
  return {
    channelId: id,
    messages,
    hasMore: data.historyState === 'more' || data.historyState === 'loading',
    ...(data.historyTotal !== undefined ? { total: Number(data.historyTotal) } : {}),
    loadMs: Number(data.latestShownAt) - Number(data.openRequestedAt),
  };
}

/** Wheel the message list up through `pages` older pages (fewer at the channel's start). */
export function scrollHistory(ui: HistoryUi, pages: number): Promise<HistoryScroll> {
  return withFrames(ui.page, () => scrollAndSample(ui, pages)); // the page's own loads end at a paint
}

async function scrollAndSample(ui: HistoryUi, pages: number): Promise<HistoryScroll> {
  const list = listOf(ui.page);
  const box = await ui.step('the message list on screen', () => list.boundingBox({ timeout: ui.timeoutMs }));
  if (!box) throw new Error('the message list is not visible: open a text channel first');
  const over = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const shownBefore = Number((await listData(ui)).olderPages ?? 0);
  // a paced page's frames come on the pacer's clock (fleet/pool/frame-pacer.ts), not the page's:
  // their intervals would say nothing of its smoothness, so there are none
  const sampled = !isPaced(ui.page);
  if (sampled) await ui.evaluate(FRAME_SAMPLER_START, ui.timeoutMs, 'starting the frame sampler');
  const loaded: HistoryPageLoad[] = [];
  try {
    for (;;) {
      const data = await listData(ui);
      if (data.historyState === 'start' || Number(data.olderPages ?? 0) - shownBefore >= pages) break;
      const page = await wheelToOlderPage(ui, data, over);
      if (page) loaded.push(page);
    }
  } catch (error) {
    if (sampled) await ui.evaluate(FRAME_SAMPLER_STOP, ui.timeoutMs, 'the frame sampler').catch(() => {});
    throw error;
  }
  const frameIntervalsMs = sampled ? ((await ui.evaluate(FRAME_SAMPLER_STOP, ui.timeoutMs, 'the frame sampler')) as number[]) : undefined;
  const reachedStart = (await listData(ui)).historyState === 'start';
  return frameIntervalsMs ? { pages: loaded, reachedStart, frameIntervalsMs } : { pages: loaded, reachedStart };
}

/**
 * Wheel up until the app has shown one more older page (or more, when it chained them): the last
 * one, timed; undefined when the app found there is nothing older (the start of what is kept).
 */
async function wheelToOlderPage(ui: HistoryUi, start: ListData, over: { x: number; y: number }): Promise<HistoryPageLoad | undefined> {
  const pagesBefore = Number(start.olderPages ?? 0);
  const deadline = Date.now() + ui.timeoutMs;
  for (let now = start; ; ) {
    if (now.historyState === 'error') throw new Error(`the app could not load older messages: ${now.historyError ?? 'unknown error'}`);
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${ui.timeoutMs} ms scrolling up for an older page (history state ${now.historyState ?? 'none'}, ${now.olderPages ?? 0} older page(s) shown)`);
    }
    // the wheel scrolls what is under the mouse: move there in the same turn, as another action may have moved it
    await ui.input(async () => {
      await ui.page.mouse.move(over.x, over.y);
      await ui.page.mouse.wheel(0, -WHEEL_DELTA_PX);
    });
    await new Promise((resolve) => setTimeout(resolve, WHEEL_PAUSE_MS));
    now = await listData(ui);
    if (Number(now.olderPages ?? 0) > pagesBefore) return { messages: Number(now.olderCount ?? 0), loadMs: Number(now.olderShownAt) - Number(now.olderRequestedAt) };
    if (now.historyState === 'start') return undefined;
  }
}
