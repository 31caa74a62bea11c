// The reference Waddle end to end in Debian Chromium with ffmpeg-made fake media, driven
// with plain Playwright locators (not the driver): two users log in through the UI, chat
// both ways, call with cameras (getStats framesDecoded grows on both sides), one shares a
// screen the other decodes, one uploads 5 MiB that the other downloads with the same sha-256.
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchTestBrowser, makeTestMedia, type TestMedia } from '../clients/browser/test-support.ts';
import { startReferenceWaddle, type ReferenceWaddle } from '../reference-waddle/server.ts';

// Test-side probe: remember every RTCPeerConnection so the test can read getStats.
const RECORD_PCS = `(() => {
  const Native = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = class extends Native { constructor(...args) { super(...args); window.__pcs.push(this); } };
})()`;
// Frames decoded per transceiver mid ('1' camera, '2' screen) over all open connections.
const FRAMES_DECODED = `(async () => {
  const out = {};
  for (const pc of window.__pcs) {
    if (pc.connectionState === 'closed') continue;
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') out[s.mid] = (out[s.mid] || 0) + (s.framesDecoded || 0);
    });
  }
  return out;
})()`;

// Fault injection: every replaceTrack waits for window.__releaseHeld() before it runs.
const HOLD_REPLACE_TRACK = `(() => {
  const native = RTCRtpSender.prototype.replaceTrack;
  const held = new Promise((resolve) => (window.__releaseHeld = resolve));
  window.__held = 0;
  RTCRtpSender.prototype.replaceTrack = async function (track) {
    window.__held++;
    await held;
    return native.call(this, track);
  };
})()`;

// Fault injection: the next setLocalDescription fails, as a browser refusing a description would.
const FAIL_NEXT_LOCAL_DESCRIPTION = `(() => {
  const native = RTCPeerConnection.prototype.setLocalDescription;
  let armed = true;
  RTCPeerConnection.prototype.setLocalDescription = function (...args) {
    if (!armed) return native.apply(this, args);
    armed = false;
    return Promise.reject(new DOMException('injected failure', 'OperationError'));
  };
})()`;

let waddle: ReferenceWaddle;
let media: TestMedia;
let browser: Browser;
const contexts: BrowserContext[] = [];
let alice: Page;
let bob: Page;

async function loggedIn(username: string): Promise<Page> {
  const context = await browser.newContext({ acceptDownloads: true });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.addInitScript(RECORD_PCS);
  await page.goto(waddle.url);
  await page.getByLabel('Username').fill(username);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('connection-status').and(page.locator('[data-state="connected"]')).waitFor();
  await page.getByRole('button', { name: 'Open waddle Waddle HQ' }).click();
  await page.getByRole('button', { name: 'Open channel general' }).click();
  await page.getByTestId('channel-title').filter({ hasText: 'general' }).waitFor();
  return page;
}

async function framesDecoded(page: Page): Promise<Record<string, number>> {
  return (await page.evaluate(FRAMES_DECODED)) as Record<string, number>;
}

/** framesDecoded for a mid, twice one second apart: [before, after]. */
async function decodingGrowth(page: Page, mid: string): Promise<[number, number]> {
  const deadline = Date.now() + 20_000;
  let before = 0;
  // wait for the first decoded frames, then measure growth over a second
  while (Date.now() < deadline && !((before = (await framesDecoded(page))[mid] ?? 0) > 0)) await page.waitForTimeout(250);
  await page.waitForTimeout(1000);
  return [before, (await framesDecoded(page))[mid] ?? 0];
}

async function send(page: Page, text: string): Promise<void> {
  await page.getByLabel('Write a message').fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
}

beforeAll(async () => {
  waddle = await startReferenceWaddle({ port: 0 });
  media = await makeTestMedia();
  browser = await launchTestBrowser(media);
  alice = await loggedIn('alice');
  bob = await loggedIn('bob');
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await media?.remove();
  await waddle?.stop();
});

describe('reference Waddle in the browser', () => {
  it('shows presence and delivers chat both ways with ids, nonces and timestamps', async () => {
    await alice.getByTestId('member').and(alice.locator('[data-username="bob"]')).waitFor();
    await send(alice, 'hello from alice');
    const atBob = bob.getByTestId('message').filter({ hasText: 'hello from alice' });
    await atBob.waitFor();
    const data = await atBob.evaluate((el: { dataset: Record<string, string> }) => ({ ...el.dataset }));
    expect(data).toMatchObject({ author: 'alice', state: 'acked', channelId: 'hq-general' });
    expect(data.id).toMatch(/^m/);
    expect(data.nonce).toMatch(/^[0-9a-f-]{36}$/);
    const deliveryMs = Number(data.renderedAt) - Number(data.sentAt);
    expect(deliveryMs).toBeGreaterThan(0);
    expect(deliveryMs).toBeLessThan(5000);
    const own = alice.getByTestId('message').filter({ hasText: 'hello from alice' });
    await expect.poll(() => own.getAttribute('data-id')).toBe(data.id);

    await send(bob, 'hello from bob');
    await alice.getByTestId('message').filter({ hasText: 'hello from bob' }).and(alice.locator('[data-author="bob"]')).waitFor();
    await bob.getByTestId('message').filter({ hasText: 'hello from alice' }).getByRole('button', { name: 'React 🎉' }).click();
    await alice.getByTestId('message').filter({ hasText: 'hello from alice' }).getByTestId('reaction').and(alice.locator('[data-emoji="🎉"][data-count="1"]')).waitFor();
  });

  it('calls with cameras: each side decodes the other\'s video', async () => {
    for (const page of [alice, bob]) {
      await page.getByRole('button', { name: 'Join voice Voice 1', exact: true }).click();
      await page.getByTestId('voice-panel').and(page.locator('[data-state="joined"]')).waitFor();
    }
    for (const page of [alice, bob]) await page.getByRole('button', { name: 'Camera', exact: true }).click();
    for (const page of [alice, bob]) {
      await page.getByTestId('voice-tile').and(page.locator('[data-camera="true"]')).waitFor();
      const [before, after] = await decodingGrowth(page, '1');
      expect(before).toBeGreaterThan(0);
      expect(after).toBeGreaterThan(before + 5); // 15 fps file: ~15 more in a second
    }
  });

  it('shares a screen that the other side receives', async () => {
    await bob.getByRole('button', { name: 'Share screen' }).click();
    await expect.poll(() => bob.getByRole('button', { name: 'Share screen' }).getAttribute('aria-pressed')).toBe('true');
    const [before, after] = await decodingGrowth(alice, '2');
    expect(after).toBeGreaterThan(before);
    const screen = alice.getByTestId('voice-tile').getByTestId('remote-screen');
    const size = await screen.evaluate((v: { videoWidth: number; videoHeight: number }) => [v.videoWidth, v.videoHeight]);
    expect(size[0]).toBeGreaterThan(0);
    console.log(`headless Chromium screen capture at the receiver: ${size[0]}x${size[1]}, ${after - before} frames/s decoded`);
    await bob.getByRole('button', { name: 'Share screen' }).click();
    await alice.getByTestId('voice-tile').and(alice.locator('[data-screen="false"]')).waitFor();
  });

  it('uploads 5 MiB that the other user downloads with the same sha-256', async () => {
    const path = join(media.dir, 'five-mib.bin');
    const bytes = randomBytes(5 * 1024 * 1024);
    await writeFile(path, bytes);
    const expected = createHash('sha256').update(bytes).digest('hex');
    await alice.getByLabel('Upload file').setInputFiles(path);
    const status = alice.getByTestId('upload-status');
    await status.and(alice.locator('[data-state="done"], [data-state="error"]')).waitFor({ timeout: 60_000 });
    expect(await status.getAttribute('data-error')).toBeNull();
    expect(await status.getAttribute('data-sha256')).toBe(expected);
    const took = Number(await status.getAttribute('data-finished-at')) - Number(await status.getAttribute('data-started-at'));
    expect(await alice.getByTestId('upload-progress').evaluate((p: { value: number }) => p.value)).toBe(1);

    const link = bob.getByTestId('attachment').filter({ hasText: 'five-mib.bin' });
    const [download] = await Promise.all([bob.waitForEvent('download'), link.click()]);
    const saved = await download.path();
    const received = await readFile(saved);
    expect(received.length).toBe(bytes.length);
    expect(createHash('sha256').update(received).digest('hex')).toBe(expected);
    console.log(`5 MiB upload through the UI in ${took.toFixed(0)} ms (${((5 * 8 * 1.048576) / (took / 1000)).toFixed(0)} Mbit/s)`);
  });
});

describe('reference Waddle calls while participants come and go', () => {
  it('turns the camera on while the other side leaves the call (no hang on the closed connection)', async () => {
    // Both are still in the call from the camera test. Fault injection: alice's replaceTrack is
    // held (a slow media thread) until bob has left and his connection is closed.
    const camera = alice.getByRole('button', { name: 'Camera', exact: true });
    if ((await camera.getAttribute('aria-pressed')) === 'true') await camera.click();
    await expect.poll(() => camera.getAttribute('aria-pressed')).toBe('false');
    const errorsBefore = (await alice.getByTestId('error').textContent()) ?? '';
    await alice.evaluate(HOLD_REPLACE_TRACK);
    await camera.click();
    await expect.poll(() => alice.evaluate('window.__held')).toBeGreaterThan(0);
    await bob.getByRole('button', { name: 'Leave voice' }).click();
    await alice.getByTestId('voice-panel').and(alice.locator('[data-participants="1"]')).waitFor();
    await alice.evaluate('window.__releaseHeld()');
    await expect.poll(() => camera.getAttribute('aria-pressed'), { timeout: 5_000 }).toBe('true');
    expect((await alice.getByTestId('error').textContent()) ?? '').toBe(errorsBefore);
    // a newcomer after that still gets alice's camera
    await bob.getByRole('button', { name: 'Join voice Voice 1', exact: true }).click();
    await bob.getByTestId('voice-tile').and(bob.locator('[data-camera="true"]')).waitFor();
    const [before, after] = await decodingGrowth(bob, '1');
    expect(after).toBeGreaterThan(before);
  });

  it('keeps a participant who joined while the newcomer was still calling the others', async () => {
    // bob is in the call; alice joins and her calls are held (a slow machine) while carol joins
    // and offers to her; released, alice must keep carol, not apply the member list she joined with
    await alice.getByRole('button', { name: 'Leave voice' }).click();
    await alice.getByTestId('voice-panel').and(alice.locator('[data-state="idle"]')).waitFor();
    await alice.evaluate(HOLD_REPLACE_TRACK);
    await alice.getByRole('button', { name: 'Join voice Voice 1', exact: true }).click();
    await alice.getByTestId('voice-panel').and(alice.locator('[data-state="joined"]')).waitFor();
    await expect.poll(() => alice.evaluate('window.__held')).toBeGreaterThan(0);
    const carol = await loggedIn('carol');
    await carol.getByRole('button', { name: 'Join voice Voice 1', exact: true }).click();
    await alice.getByTestId('voice-panel').and(alice.locator('[data-participants="3"]')).waitFor();
    await expect.poll(() => alice.evaluate('window.__held')).toBeGreaterThan(1); // her answer to carol is held too
    await alice.evaluate('window.__releaseHeld()');
    for (const [page, other] of [[alice, 'carol'], [alice, 'bob'], [carol, 'alice']] as const) {
      await page.getByTestId('voice-tile').and(page.locator(`[data-username="${other}"][data-connection="connected"]`)).waitFor({ timeout: 10_000 });
    }
    await alice.waitForTimeout(500); // the member list applied after her calls end
    expect(await alice.getByTestId('voice-tile').and(alice.locator('[data-username="carol"]')).count()).toBe(1);
  });

  it('leaves the call cleanly when joining fails part-way, so joining again works', async () => {
    // alice's call to the first participant fails after the server let her in
    await alice.getByRole('button', { name: 'Leave voice' }).click();
    await bob.getByTestId('voice-panel').and(bob.locator('[data-participants="2"]')).waitFor();
    await alice.evaluate(FAIL_NEXT_LOCAL_DESCRIPTION);
    const join = alice.getByRole('button', { name: 'Join voice Voice 1', exact: true });
    await join.click();
    await alice.getByTestId('error').filter({ hasText: /Could not join voice: injected failure/ }).waitFor();
    await expect.poll(() => alice.getByTestId('voice-panel').getAttribute('data-state')).toBe('idle');
    // the server forgot her: the others see two in the call, not a ghost alice
    await bob.getByTestId('voice-panel').and(bob.locator('[data-participants="2"]')).waitFor();
    expect(await bob.getByTestId('voice-tile').and(bob.locator('[data-username="alice"]')).count()).toBe(0);
    // and a second click joins afresh
    await join.click();
    await alice.getByTestId('voice-panel').and(alice.locator('[data-state="joined"][data-participants="3"]')).waitFor();
    for (const other of ['bob', 'carol']) await alice.getByTestId('voice-tile').and(alice.locator(`[data-username="${other}"][data-connection="connected"]`)).waitFor({ timeout: 10_000 });
  });
});
