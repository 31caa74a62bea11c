// The browser driver types a send into the composer still focused from the last one with the
// keyboard alone (clients/browser/composer.ts; issue 18: Playwright's fill and press re-checked the
// element each time, ~25 CDP messages per message sent). What must hold: the first send and any
// send after the focus moved take Playwright's fill, the others the keys, and every message reaches
// another member as typed, with the page's send stamp. A real Chromium page on the reference Waddle.
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BrowserWaddleClient } from '../clients/browser/browser-waddle-client.ts';
import { BASE_CHROMIUM_ARGS } from '../clients/browser/test-support.ts';
import { ProtocolWaddleClient } from '../clients/protocol/protocol-waddle-client.ts';
import type { ReceivedMessage } from '../clients/waddle-client.ts';
import { startReferenceWaddle, type ReferenceWaddle } from '../reference-waddle/server.ts';

let waddle: ReferenceWaddle;
let browser: Browser;

beforeAll(async () => {
  waddle = await startReferenceWaddle({ port: 0 });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: [...BASE_CHROMIUM_ARGS] });
});

afterAll(async () => {
  await browser?.close();
  await waddle?.stop();
});

describe('browser driver: sends after the first type into the focused composer', () => {
  it('uses the keys while the composer keeps the focus, Playwright\'s fill when it moved, and delivers each as typed', async () => {
    const alice = new ProtocolWaddleClient({ baseUrl: waddle.url, username: 'alice', actionTimeoutMs: 15_000 });
    await alice.connect();
    await alice.joinWaddle();
    await alice.openTextChannel();
    const got: ReceivedMessage[] = [];
    alice.onMessage((m) => void (m.author === 'bob' && got.push(m)));
    const page = await browser.newPage();
    const bob = new BrowserWaddleClient(page, { baseUrl: waddle.url, username: 'bob', actionTimeoutMs: 15_000 });
    try {
      await bob.connect();
      await bob.joinWaddle();
      await bob.openTextChannel();
      const keys = vi.spyOn(page.keyboard, 'insertText');
      await bob.sendMessage('first, by fill');
      expect(keys).toHaveBeenCalledTimes(0);
      const second = await bob.sendMessage('second, by keys');
      await bob.sendMessage('third, by keys');
      expect(keys).toHaveBeenCalledTimes(2);
      await page.getByTestId('message-list').click(); // the focus leaves the composer
      await bob.sendMessage('fourth, by fill again');
      expect(keys).toHaveBeenCalledTimes(2);
      await bob.sendMessage('fifth, by keys');
      expect(keys).toHaveBeenCalledTimes(3);
      const texts = ['first, by fill', 'second, by keys', 'third, by keys', 'fourth, by fill again', 'fifth, by keys'];
      for (let i = 0; i < 100 && got.length < texts.length; i++) await new Promise((r) => setTimeout(r, 50));
      expect(got.map((m) => m.text)).toEqual(texts);
      const mine = got.find((m) => m.nonce === second.nonce);
      expect(mine?.sentAtMs).toBe(second.sentAtMs); // the stamp the page took at send, carried to alice
      expect(second.ackedAtMs).toBeGreaterThanOrEqual(second.sentAtMs);
    } finally {
      await bob.close();
      await page.close();
      await alice.close();
    }
  });
});
