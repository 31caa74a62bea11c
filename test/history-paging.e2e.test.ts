// History paging on both drivers against the real reference Waddle: a browser user (real Chromium,
// the real web UI, mouse-wheel scrolling) and a protocol user open a 400-message channel, see its
// latest page, and scroll up page by page to its first message; the browser shows every message
// exactly once and in order, keeps the older pages it scrolled to when a live message arrives, and
// its frame sampler saw the scrolling.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserWaddleClient } from '../clients/browser/browser-waddle-client.ts';
import { launchTestBrowser, makeTestMedia, type TestMedia } from '../clients/browser/test-support.ts';
import { ProtocolWaddleClient } from '../clients/protocol/protocol-waddle-client.ts';
import { startReferenceWaddle, type ReferenceWaddle } from '../reference-waddle/server.ts';

const SEEDED = 400;
let waddle: ReferenceWaddle;
let media: TestMedia;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let web: BrowserWaddleClient;
let proto: ProtocolWaddleClient;
const seededIds: string[] = [];

beforeAll(async () => {
  waddle = await startReferenceWaddle({ port: 0, historyLimit: 100_000, chatRatePerSec: 100_000, chatBurst: 100_000 });
  proto = new ProtocolWaddleClient({ baseUrl: waddle.url, username: 'seeder', actionTimeoutMs: 10_000 });
  await proto.connect();
  await proto.joinWaddle('hq');
  await proto.openTextChannel('hq-random');
  for (let n = 0; n < SEEDED; n++) seededIds.push((await proto.sendMessage(`history message ${n}`)).id);
  media = await makeTestMedia();
  browser = await launchTestBrowser(media);
  context = await browser.newContext();
  page = await context.newPage();
  web = new BrowserWaddleClient(page, { baseUrl: waddle.url, username: 'reader', actionTimeoutMs: 10_000 });
  await web.connect();
  await web.joinWaddle('hq');
});

afterAll(async () => {
  await proto?.close();
  await web?.close();
  await context?.close().catch(() => {});
  await browser?.close();
  await media?.remove();
  await waddle?.stop();
});

const shownIds = () => page.getByTestId('message').evaluateAll((els: { dataset: Record<string, string | undefined> }[]) => els.map((e) => e.dataset.id ?? ''));

describe('history paging', () => {
  it('browser: the latest page is painted and timed, then wheel scrolling loads every older page to the first message', async () => {
    const view = await web.openChannelHistory('hq-random');
    expect(view).toMatchObject({ channelId: 'hq-random', hasMore: true, total: SEEDED });
    expect(view.messages).toBeGreaterThanOrEqual(50); // the latest page (and any page it prefetched to fill the view)
    expect(view.loadMs).toBeGreaterThan(0);
    expect(view.loadMs).toBeLessThan(5_000);
    expect((await shownIds()).slice(-50)).toEqual(seededIds.slice(-50));

    const scroll = await web.scrollHistory(20);
    expect(scroll.reachedStart).toBe(true);
    expect(scroll.pages.length).toBeGreaterThanOrEqual(1);
    for (const p of scroll.pages) {
      expect(p.messages).toBeGreaterThan(0);
      expect(p.loadMs).toBeGreaterThan(0);
      expect(p.loadMs).toBeLessThan(5_000);
    }
    expect(await shownIds()).toEqual(seededIds); // each once, in order, none missing
    expect(scroll.frameIntervalsMs!.length).toBeGreaterThan(10);
    for (const ms of scroll.frameIntervalsMs!) expect(ms).toBeGreaterThan(0);

    // at the start there is nothing older: scrolling again loads nothing
    expect(await web.scrollHistory(3)).toMatchObject({ pages: [], reachedStart: true });
  });

  it('browser: a live message while scrolled up keeps the older pages (more than the 300 kept at the bottom)', async () => {
    const live = await proto.sendMessage('a live message while the reader is up in history');
    await page.getByTestId('message').and(page.locator(`[data-id="${live.id}"]`)).waitFor({ state: 'attached', timeout: 10_000 });
    expect(await shownIds()).toEqual([...seededIds, live.id]);
  });

  it('protocol: the latest page with the channel open, then older pages back to the first message', async () => {
    const reader = new ProtocolWaddleClient({ baseUrl: waddle.url, username: 'proto-reader', actionTimeoutMs: 10_000 });
    try {
      await reader.connect();
      await reader.joinWaddle('hq');
      const view = await reader.openChannelHistory('hq-random');
      expect(view).toMatchObject({ channelId: 'hq-random', messages: 50, hasMore: true, total: SEEDED + 1 });
      const first = await reader.scrollHistory(3);
      expect(first.pages.map((p) => p.messages)).toEqual([50, 50, 50]);
      expect(first.reachedStart).toBe(false);
      expect(first.frameIntervalsMs).toBeUndefined();
      const rest = await reader.scrollHistory(100);
      expect(rest.pages.map((p) => p.messages)).toEqual([50, 50, 50, 50, 1]);
      expect(rest.reachedStart).toBe(true);
      for (const p of [...first.pages, ...rest.pages]) expect(p.loadMs).toBeGreaterThan(0);
    } finally {
      await reader.close();
    }
  });

  it('browser: when the oldest message shown was evicted meanwhile, the view is at the start of what is kept (no error)', async () => {
    const small = await startReferenceWaddle({ port: 0, historyLimit: 120, chatRatePerSec: 100_000, chatBurst: 100_000 });
    const writer = new ProtocolWaddleClient({ baseUrl: small.url, username: 'writer', actionTimeoutMs: 10_000 });
    const smallPage = await context.newPage();
    const reader = new BrowserWaddleClient(smallPage, { baseUrl: small.url, username: 'small-reader', actionTimeoutMs: 10_000 });
    try {
      await writer.connect();
      await writer.joinWaddle('hq');
      await writer.openTextChannel('hq-general');
      for (let n = 0; n < 120; n++) await writer.sendMessage(`kept for now ${n}`);
      await reader.connect();
      await reader.joinWaddle('hq');
      expect(await reader.openChannelHistory('hq-general')).toMatchObject({ total: 120, hasMore: true });
      for (let n = 0; n < 120; n++) await writer.sendMessage(`pushes the old ones out ${n}`); // evicts all that was shown at open
      const scroll = await reader.scrollHistory(5);
      expect(scroll).toMatchObject({ pages: [], reachedStart: true });
      expect(await smallPage.getByTestId('message-list').getAttribute('data-history-state')).toBe('start');
      expect((await smallPage.getByTestId('error').textContent())?.trim()).toBe('');
    } finally {
      await reader.close();
      await smallPage.close();
      await writer.close();
      await small.stop();
    }
  });
});
