// Why the browser driver queues its input: in real Chromium, clicks started together on one page
// interleave (one mouse per page, microsoft/playwright#22339) and some are lost while Playwright
// reports success; through an InputQueue every one lands, and a failing action does not block the next.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputQueue } from './input-queue.ts';
import { launchTestBrowser, makeTestMedia, type TestMedia } from './test-support.ts';

let media: TestMedia;
let browser: Browser;
let page: Page;
const BUTTONS = ['a', 'b', 'c', 'd', 'e', 'f'];

beforeAll(async () => {
  media = await makeTestMedia();
  browser = await launchTestBrowser(media);
  page = await browser.newPage();
  // buttons far apart, each counting its own clicks
  await page.setContent(`<body style="margin:0">${BUTTONS.map((id, i) => `<button id="${id}" style="position:absolute;left:${40 + i * 150}px;top:${40 + i * 90}px" onclick="this.dataset.clicks=Number(this.dataset.clicks||0)+1">${id}</button>`).join('')}</body>`);
});

afterAll(async () => {
  await browser?.close();
  await media?.remove();
});

const clicks = (): Promise<number[]> => Promise.all(BUTTONS.map(async (id) => Number((await page.locator(`#${id}`).getAttribute('data-clicks')) ?? 0)));
const reset = (): Promise<void> => page.evaluate('document.querySelectorAll("button").forEach((b) => delete b.dataset.clicks)');

describe('input on one page', () => {
  it('loses clicks started together without a queue (the hazard), and none through an InputQueue', async () => {
    let lost = 0;
    for (let round = 0; round < 5; round++) {
      await reset();
      await Promise.all(BUTTONS.map((id) => page.locator(`#${id}`).click()));
      lost += (await clicks()).filter((n) => n !== 1).length;
    }
    console.log(`unqueued: ${lost} of ${5 * BUTTONS.length} clicks lost`);
    expect(lost, 'unqueued clicks all landed: the hazard this queue exists for did not show').toBeGreaterThan(0);

    const queue = new InputQueue();
    for (let round = 0; round < 5; round++) {
      await reset();
      await Promise.all(BUTTONS.map((id) => queue.run(() => page.locator(`#${id}`).click())));
      expect(await clicks()).toEqual(BUTTONS.map(() => 1));
    }
  });

  it('runs actions in the order asked, and a failed one does not block the ones after it', async () => {
    const queue = new InputQueue();
    const order: string[] = [];
    const failed = queue.run(() => page.locator('#nowhere').click({ timeout: 200 }));
    const next = queue.run(async () => order.push('next'));
    await expect(failed).rejects.toThrow(/Timeout/);
    await next;
    expect(order).toEqual(['next']);
  });
});
