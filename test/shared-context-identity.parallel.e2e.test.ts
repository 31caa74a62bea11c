// Users of the built-in browser driver share one browser context (isolation: 'page'), so the
// session cookie of the last one to log in is sent with every request of every page. Each user
// must still be itself at the server: its WebSocket carries its own token (?token=), which the
// reference Waddle takes before the ambient cookie. Real Chromium, the real web client, a
// protocol observer that sees who wrote each message. (With the cookie first, a socket opened
// after another user's login, by a reconnect or a login racing another in the same context,
// became that other user.)
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserWaddleClient } from '../clients/browser/browser-waddle-client.ts';
import { launchTestBrowser, makeTestMedia, type TestMedia } from '../clients/browser/test-support.ts';
import { ProtocolWaddleClient } from '../clients/protocol/protocol-waddle-client.ts';
import type { ReceivedMessage } from '../clients/waddle-client.ts';
import { startReferenceWaddle, type ReferenceWaddle } from '../reference-waddle/server.ts';

let waddle: ReferenceWaddle;
let media: TestMedia;
let browser: Browser;
let context: BrowserContext;
const clients: BrowserWaddleClient[] = [];
let observer: ProtocolWaddleClient;
const seen: ReceivedMessage[] = [];

beforeAll(async () => {
  waddle = await startReferenceWaddle({ port: 0 });
  media = await makeTestMedia();
  browser = await launchTestBrowser(media);
  context = await browser.newContext();
  observer = new ProtocolWaddleClient({ baseUrl: waddle.url, username: 'observer', actionTimeoutMs: 10_000 });
  observer.onMessage((m) => seen.push(m));
});

afterAll(async () => {
  await observer?.close();
  for (const c of clients) await c.close().catch(() => {});
  await context?.close().catch(() => {});
  await browser?.close();
  await media?.remove();
  await waddle?.stop();
});

describe('browser users sharing a context', () => {
  it("a socket opened after another user's login is still its own user's", async () => {
    const page = await context.newPage();
    await page.goto(waddle.url);
    // what the web client does (reference-waddle/web/main.ts, connection.ts): log in, then open
    // /ws?token=<its token>; here carol's socket opens after dave's login set the context's cookie
    const helloAs = (me: string, other: string) => `(async () => {
      const login = async (username) => (await (await fetch('/api/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username }) })).json()).token;
      const mine = await login(${JSON.stringify(me)});
      await login(${JSON.stringify(other)});
      const url = new URL('/ws', location.href);
      url.protocol = 'ws:';
      url.searchParams.set('token', mine);
      const socket = new WebSocket(url);
      const hello = await new Promise((resolve, reject) => {
        socket.onmessage = (e) => resolve(JSON.parse(e.data));
        socket.onerror = () => reject(new Error('socket error'));
      });
      socket.close();
      return hello.username;
    })()`;
    expect(await page.evaluate(helloAs('carol', 'dave'))).toBe('carol');
    await page.close();
  });

  it('are each themselves at the server: an observer sees every message under its sender', async () => {
    await observer.connect();
    await observer.joinWaddle('hq');
    await observer.openTextChannel('hq-general');
    // alice logs in first, bob second: bob's cookie is the context's from then on
    for (const username of ['alice', 'bob']) {
      const client = new BrowserWaddleClient(await context.newPage(), { baseUrl: waddle.url, username, actionTimeoutMs: 10_000 });
      clients.push(client);
      await client.connect();
      await client.joinWaddle('hq');
      await client.openTextChannel('hq-general');
    }
    const cookies = await context.cookies();
    expect(cookies.filter((c) => c.name === 'waddle_session')).toHaveLength(1);

    const [alice, bob] = clients as [BrowserWaddleClient, BrowserWaddleClient];
    const fromAlice = await alice.sendMessage('written by alice');
    const fromBob = await bob.sendMessage('written by bob');
    const deadline = Date.now() + 10_000;
    while (seen.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const authorOf = (nonce: string) => seen.find((m) => m.nonce === nonce)?.author;
    expect(authorOf(fromAlice.nonce)).toBe('alice');
    expect(authorOf(fromBob.nonce)).toBe('bob');
  });
});
