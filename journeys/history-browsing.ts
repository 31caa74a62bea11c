// historyBrowsing (the volume test's reader): open a channel with a long history and time until
// its latest page is shown, then scroll up through `pages` older pages, timing each and — on
// drivers that render — how smooth scrolling stayed (the share of animation frames over 50 ms,
// a visible stutter). Then read for `readMs` and start again.
import { connectAndJoin, hold, required } from './common.ts';
import { defineJourney } from './define-journey.ts';
import { historyMethods, longChannelFor } from './history.ts';

export type HistoryBrowsingParams = {
  /** the first `channels` text channels hold the long histories; user i reads channel i % channels */
  channels: number;
  /** older pages to scroll up through per iteration */
  pages: number;
  /** read after scrolling, before the next iteration */
  readMs: number;
};

/** An animation frame longer than this is a stutter a user sees (the Long Animation Frames threshold). */
export const LONG_FRAME_MS = 50;

export const historyBrowsing = defineJourney<HistoryBrowsingParams>({
  name: 'historyBrowsing',
  description: 'open a channel with a long history and scroll up through it, timing pages and frames',
  requires: ['chat', 'history'],
  defaults: { channels: 1, pages: 20, readMs: 5_000 },
  async run(ctx) {
    const { pages, readMs } = ctx.params;
    const history = historyMethods(ctx);
    const channel = longChannelFor(ctx, await connectAndJoin(ctx), ctx.params.channels);
    const view = required(await ctx.step('open_history', () => history.open(channel)), 'openChannelHistory');
    ctx.metrics.record('chat.history_load_ms', view.loadMs);
    if (view.total !== undefined) ctx.metrics.record('chat.history_messages', view.total);
    const scroll = required(
      await ctx.step('scroll_history', () => history.scroll(pages), { timeoutMs: 30_000 + pages * 3_000 }),
      'scrollHistory',
    );
    for (const page of scroll.pages) ctx.metrics.record('chat.history_page_ms', page.loadMs);
    ctx.metrics.record('chat.history_pages', scroll.pages.length);
    for (const intervalMs of scroll.frameIntervalsMs ?? []) {
      ctx.metrics.record('chat.scroll_frame_ms', intervalMs);
      ctx.metrics.record('chat.scroll_long_frames', intervalMs > LONG_FRAME_MS ? 1 : 0);
    }
    await hold(ctx, readMs);
  },
});
