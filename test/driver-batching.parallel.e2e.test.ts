// The browser driver's page observer reports others' messages to Node in batches (issue 18:
// one binding call per message cost the fleet's Node ~45 calls/s at 10 chat users). What must
// hold: every message arrives, in the page's order, stamped when the page rendered it (not when
// the batch left), and what the page still holds when the driver closes is not lost.
// A real Chromium page on the reference Waddle; a protocol user sends.
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserWaddleClient } from '../clients/browser/browser-waddle-client.ts';
import { DRIVER_FLUSH_MS } from '../clients/browser/page-scripts.ts';
import { BASE_CHROMIUM_ARGS } from '../clients/browser/test-support.ts';
import { ProtocolWaddleClient } from '../clients/protocol/protocol-waddle-client.ts';
import type { ReceivedMessage } from '../clients/waddle-client.ts';
import { startReferenceWaddle, type ReferenceWaddle } from '../reference-waddle/server.ts';

let waddle: ReferenceWaddle;
let browser: Browser;
let alice: ProtocolWaddleClient;

async function eventually<T>(read: () => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A browser user in the first channel; every message Node gets, with the Node time and the binding call it came in. */
async function browserUser(name: string): Promise<{ page: Page; client: BrowserWaddleClient; got: (ReceivedMessage & { nodeAtMs: number; call: number })[] }> {
  const page = await browser.newPage();
  const client = new BrowserWaddleClient(page, { baseUrl: waddle.url, username: name, actionTimeoutMs: 15_000 });
  const got: (ReceivedMessage & { nodeAtMs: number; call: number })[] = [];
  let calls = 0;
  let inCall = false;
  // the events of one binding call are handed over synchronously: a new call starts after a microtask
  client.onMessage((m) => {
    if (!inCall) {
      calls++;
      inCall = true;
      queueMicrotask(() => (inCall = false));
    }
    got.push({ ...m, nodeAtMs: Date.now(), call: calls });
  });
  await client.connect();
  await client.joinWaddle();
  await client.openTextChannel();
  return { page, client, got };
}

beforeAll(async () => {
  waddle = await startReferenceWaddle({ port: 0 });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: [...BASE_CHROMIUM_ARGS] });
  alice = new ProtocolWaddleClient({ baseUrl: waddle.url, username: 'alice', actionTimeoutMs: 15_000 });
  await alice.connect();
  await alice.joinWaddle();
  await alice.openTextChannel();
});

afterAll(async () => {
  await alice?.close();
  await browser?.close();
  await waddle?.stop();
});

describe('browser driver: received messages reach Node in batches', () => {
  it('delivers every message, in order, in fewer calls than messages, each stamped at render in the page', async () => {
    const bob = await browserUser('bob');
    const texts = Array.from({ length: 12 }, (_, i) => `batched ${i}`);
    for (const text of texts) await alice.sendMessage(text); // each awaits its ack: a few ms apart
    await eventually(() => (bob.got.length >= texts.length ? true : undefined), 'bob to get all 12 messages');
    expect(bob.got.map((m) => m.text)).toEqual(texts);
    const calls = new Set(bob.got.map((m) => m.call)).size;
    expect(calls).toBeLessThan(texts.length); // batched: a call per message would be 12
    for (const [i, m] of bob.got.entries()) {
      expect(m.sentAtMs).toBeDefined();
      expect(m.receivedAtMs).toBeGreaterThanOrEqual(m.sentAtMs!);
      expect(m.receivedAtMs).toBeLessThanOrEqual(m.nodeAtMs + 5); // the page's clock, before Node had it (same machine clock)
      if (i > 0) expect(m.receivedAtMs).toBeGreaterThanOrEqual(bob.got[i - 1]!.receivedAtMs);
    }
    // the first message of a batch waited in the page for the flush: its stamp is its render, not the flush
    const firstOfCalls = bob.got.filter((m, i) => i === 0 || bob.got[i - 1]!.call !== m.call);
    expect(Math.max(...firstOfCalls.map((m) => m.nodeAtMs - m.receivedAtMs))).toBeGreaterThanOrEqual(DRIVER_FLUSH_MS * 0.5);
    await bob.client.close();
    await bob.page.close();
  });

  it('hands over at close what the page still held (a run\'s last messages)', async () => {
    const bob = await browserUser('carol');
    // fault injection: a page whose timers never fire (as a throttled background page's may), so
    // only the driver's close can take the queue
    await bob.page.evaluate('window.setTimeout = () => 0');
    // presence changes go at once and carry the queue: let the first test's user be seen gone first
    await bob.page.locator('[data-testid="member"][data-online="true"][data-username="bob"]').waitFor({ state: 'detached', timeout: 15_000 });
    const texts = ['last 0', 'last 1', 'last 2'];
    for (const text of texts) await alice.sendMessage(text);
    await bob.page.getByTestId('message').filter({ hasText: 'last 2' }).waitFor({ timeout: 15_000 });
    await new Promise((r) => setTimeout(r, DRIVER_FLUSH_MS * 2));
    expect(bob.got).toEqual([]); // still in the page
    const closing = Date.now();
    await bob.client.close();
    expect(bob.got.map((m) => m.text)).toEqual(texts);
    for (const m of bob.got) expect(m.receivedAtMs).toBeLessThan(closing - DRIVER_FLUSH_MS); // stamped at render, long before the close
    await bob.page.close();
  });
});
