// The real reference Waddle under the HostGuard, wired as the pool should wire it (launch and
// context proxy, the guard's init script before the probe's): two users log in, chat (WebSocket
// through the proxy's CONNECT tunnel) and hold a P2P voice call (ICE candidates from this
// machine's own addresses must pass the in-page candidate check) — and nothing is refused.
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserWaddleClient } from '../clients/browser/browser-waddle-client.ts';
import { chromiumArgs, disabledFeaturesFlag } from '../fake-media/chromium-flags.ts';
import { HostGuard, runAllowList } from '../fleet/guard/host-guard.ts';
import { probeInitScript } from '../in-page/bundle.ts';
import { startReferenceWaddle, type ReferenceWaddle } from '../reference-waddle/server.ts';

// Chromium's own per-profile services (Autofill's server on every login form) are off in the house flags
const quietChromium = disabledFeaturesFlag;

let waddle: ReferenceWaddle;
let guard: HostGuard;
let browser: Browser;

beforeAll(async () => {
  waddle = await startReferenceWaddle({ port: 0 });
  guard = await HostGuard.start({ allowedHosts: runAllowList(waddle.url) });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs(undefined, [quietChromium]), proxy: guard.launchProxy() });
});
afterAll(async () => {
  await browser?.close();
  await guard?.close();
  await waddle?.stop();
});

async function user(name: string): Promise<BrowserWaddleClient> {
  const context = await browser.newContext({ proxy: guard.contextProxy() });
  await guard.attach(context, name);
  await context.addInitScript({ content: await probeInitScript({ intervalMs: 2000, allowedHosts: [] }) });
  const page = await context.newPage();
  const client = new BrowserWaddleClient(page, { baseUrl: waddle.url, username: name });
  await client.connect();
  await guard.verify(page);
  await client.joinWaddle();
  await client.openTextChannel();
  return client;
}

describe('host guard with the reference Waddle', () => {
  it('chat and a P2P voice call work through the guard, with nothing refused', async () => {
    const [alice, bob] = [await user('guard-alice'), await user('guard-bob')];
    const received = new Promise<string>((resolve) => bob.onMessage((m) => resolve(m.text)));
    await alice.sendMessage('through the guard proxy');
    expect(await received).toBe('through the guard proxy');
    await alice.joinVoice();
    await bob.joinVoice();
    await bob.waitForRemoteMedia('audio', 30_000);
    await alice.waitForRemoteMedia('audio', 30_000);
    const blocked = guard.blocked();
    expect(blocked.total, JSON.stringify(blocked)).toBe(0);
    // what Chromium itself still tries (component updates, sign-in) is refused on the browser-wide listener
    expect(Object.keys(blocked.browser.byHost).every((h) => /\.google(apis)?\.com:\d+$/.test(h)), JSON.stringify(blocked.browser)).toBe(true);
  }, 120_000);
});
