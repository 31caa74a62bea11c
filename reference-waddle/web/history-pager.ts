// Paging through a channel's history as the user scrolls up, as real chat apps do: opening a
// channel shows its latest page; when the view comes within a screen of the top, the page before
// the oldest message shown is fetched and prepended. What happens is written on the message list
// as data attributes (page clock, ms), so a driver can measure what the user waited for:
//   data-history-state   more (older messages on the server) | loading | start (first message shown) | error
//   data-history-total   messages the channel keeps on the server
//   data-open-requested-at, data-latest-shown-at   the channel was clicked / its latest page was shown
//   data-older-pages     older pages shown since the channel was opened
//   data-older-requested-at, data-older-shown-at, data-older-count   the last older page
// "Shown" is stamped in the first animation frame after the DOM change: the frame that paints it.
import type { ServerFrame } from '../protocol.ts';
import { pageNowMs } from './dom.ts';
import type { MessageList } from './messages.ts';

type HistoryFrame = Extract<ServerFrame, { type: 'channel.history' }>;
export type FetchOlder = (channelId: string, before: string) => Promise<HistoryFrame>;

export class HistoryPager {
  private channelId: string | undefined;
  /** bumped on every open: an older page that arrives for an earlier open is dropped */
  private generation = 0;
  private pages = 0;

  constructor(
    private readonly list: MessageList,
    private readonly fetchOlder: FetchOlder,
    private readonly reportError: (message: string) => void,
  ) {
    list.el.style.setProperty('overflow-anchor', 'none'); // prependOlder keeps the view in place itself
    list.el.addEventListener('scroll', () => this.maybeLoadOlder(), { passive: true });
    list.onTrimmedOldest = () => {
      if (this.channelId !== undefined && this.state !== 'loading') this.state = 'more';
    };
  }

  private get state(): string {
    return this.list.el.dataset.historyState ?? '';
  }

  private set state(value: string) {
    this.list.el.dataset.historyState = value;
  }

  /** A channel was opened: its latest page is shown. */
  opened(channelId: string, page: HistoryFrame, requestedAtMs: number): void {
    const data = this.list.el.dataset;
    this.channelId = channelId;
    this.generation += 1;
    this.pages = 0;
    for (const key of ['olderRequestedAt', 'olderShownAt', 'olderCount', 'historyError', 'latestShownAt']) delete data[key];
    data.olderPages = '0';
    data.historyTotal = String(page.total);
    data.openRequestedAt = String(requestedAtMs);
    this.state = page.hasMore ? 'more' : 'start';
    const generation = this.generation;
    requestAnimationFrame(() => {
      if (generation !== this.generation) return;
      data.latestShownAt = String(pageNowMs());
      this.maybeLoadOlder(); // a short first page may not fill the view
    });
  }

  closed(): void {
    this.channelId = undefined;
    this.generation += 1;
    delete this.list.el.dataset.historyState;
  }

  private maybeLoadOlder(): void {
    const el = this.list.el;
    if (this.channelId === undefined || this.state !== 'more' || el.scrollTop > el.clientHeight) return;
    const before = this.list.oldestId();
    if (before === undefined) return;
    void this.loadOlder(this.channelId, before);
  }

  private async loadOlder(channelId: string, before: string): Promise<void> {
    const data = this.list.el.dataset;
    const generation = this.generation;
    this.state = 'loading';
    data.olderRequestedAt = String(pageNowMs());
    let page: HistoryFrame;
    try {
      page = await this.fetchOlder(channelId, before);
    } catch (error) {
      if (generation !== this.generation) return;
      // the oldest message shown was evicted meanwhile (the server keeps its latest N): so was
      // everything older, and the view shows the start of what is kept
      if ((error as Error).message.startsWith('not_found:')) {
        this.state = 'start';
        return;
      }
      this.state = 'error';
      data.historyError = (error as Error).message;
      this.reportError(`older messages: ${(error as Error).message}`);
      return;
    }
    if (generation !== this.generation) return;
    const count = this.list.prependOlder(page.messages);
    data.historyTotal = String(page.total);
    requestAnimationFrame(() => {
      if (generation !== this.generation) return;
      this.pages += 1;
      data.olderShownAt = String(pageNowMs());
      data.olderCount = String(count);
      data.olderPages = String(this.pages); // last: a driver waiting for the count reads the times above
      this.state = page.hasMore ? 'more' : 'start';
      this.maybeLoadOlder(); // still within a screen of the top: keep going, as a user holding the scroll would
    });
  }
}
