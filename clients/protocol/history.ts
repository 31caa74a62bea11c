// History paging for protocol users: the latest page comes with channel.open, older pages with
// channel.history {before: the oldest message held}, as the web client pages when its user scrolls
// up (reference-waddle/web/history-pager.ts). A protocol user renders nothing, so a page's time is
// from the request to its answer, and there are no frame timings.
import type { ServerFrame } from '../../reference-waddle/protocol.ts';
import type { HistoryPageLoad, HistoryScroll } from '../waddle-client.ts';
import type { FrameBody } from './socket.ts';

type HistoryFrame = Extract<ServerFrame, { type: 'channel.history' }>;
type Ask = (frame: FrameBody, what: string) => Promise<{ frame: ServerFrame }>;

/** Where paging back in the open channel goes on from. */
export interface HistoryCursor {
  readonly channelId: string;
  /** the oldest message held; undefined in an empty channel */
  oldestId: string | undefined;
  hasMore: boolean;
}

export function cursorOf(channelId: string, page: HistoryFrame): HistoryCursor {
  return { channelId, oldestId: page.messages[0]?.id, hasMore: page.hasMore };
}

/** Ask for up to `pages` older pages, one after the other, moving the cursor back. */
export async function pageBack(ask: Ask, cursor: HistoryCursor, pages: number): Promise<HistoryScroll> {
  const loaded: HistoryPageLoad[] = [];
  while (loaded.length < pages && cursor.hasMore && cursor.oldestId !== undefined) {
    const startedMs = performance.now();
    const { frame } = await ask({ type: 'channel.history', channelId: cursor.channelId, before: cursor.oldestId }, `the history of ${cursor.channelId} before message ${cursor.oldestId}`);
    if (frame.type !== 'channel.history') throw new Error(`expected a channel.history answer, got ${frame.type}`);
    loaded.push({ messages: frame.messages.length, loadMs: performance.now() - startedMs });
    cursor.oldestId = frame.messages[0]?.id ?? cursor.oldestId;
    cursor.hasMore = frame.hasMore && frame.messages.length > 0;
  }
  return { pages: loaded, reachedStart: !cursor.hasMore };
}
