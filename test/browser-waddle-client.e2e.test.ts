// The browser driver against the real reference Waddle in Debian Chromium with fake media:
// two users chat, react, see each other's presence, call with camera and screen, and move a
// file. Proves BrowserWaddleClient works only through the UI and measures on the page clock.
import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserWaddleClient } from '../clients/browser/browser-waddle-client.ts';
import { launchTestBrowser, makeTestMedia, type TestMedia } from '../clients/browser/test-support.ts';
import type { PresenceChange, ReceivedMessage } from '../clients/waddle-client.ts';
import { startReferenceWaddle, type ReferenceWaddle } from '../reference-waddle/server.ts';

let waddle: ReferenceWaddle;
let media: TestMedia;
let browser: Browser;
const contexts: BrowserContext[] = [];
let alice: BrowserWaddleClient;
let bob: BrowserWaddleClient;

async function client(username: string): Promise<BrowserWaddleClient> {
  const context = await browser.newContext();
  contexts.push(context);
  return new BrowserWaddleClient(await context.newPage(), { baseUrl: waddle.url, username, actionTimeoutMs: 10_000 });
}

async function eventually<T>(read: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  waddle = await startReferenceWaddle({ port: 0 });
  media = await makeTestMedia();
  browser = await launchTestBrowser(media);
  alice = await client('alice');
  bob = await client('bob');
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await media?.remove();
  await waddle?.stop();
});

describe('BrowserWaddleClient: login, chat, presence', () => {
  it('logs in, lists and joins waddles, chats both ways with nonce, timestamps and presence', async () => {
    const alicePresence: PresenceChange[] = [];
    alice.onPresence((p) => alicePresence.push(p));
    await alice.connect();
    await bob.connect();
    const waddles = await alice.listWaddles();
    expect(waddles.map((w) => w.id)).toEqual(['hq', 'sandbox']);
    expect(waddles[0]?.voiceChannels).toHaveLength(10);
    const joined = await alice.joinWaddle();
    expect(joined.id).toBe('hq');
    await alice.openTextChannel();
    await bob.joinWaddle('hq');
    await bob.openTextChannel('hq-general');
    const bobOnline = await eventually(() => alicePresence.find((p) => p.username === 'bob' && p.online), 'alice to see bob online');
    expect(bobOnline.seenAtMs).toBeGreaterThan(0);

    const atBob: ReceivedMessage[] = [];
    const atAlice: ReceivedMessage[] = [];
    bob.onMessage((m) => atBob.push(m));
    alice.onMessage((m) => atAlice.push(m));
    const sent = await alice.sendMessage('hello bob');
    expect(sent.id).toMatch(/^m/);
    expect(sent.nonce).not.toBe('');
    expect(sent.ackedAtMs).toBeGreaterThanOrEqual(sent.sentAtMs);
    const got = await eventually(() => atBob.find((m) => m.nonce === sent.nonce), 'bob to render alice\'s message');
    expect(got).toMatchObject({ id: sent.id, author: 'alice', text: 'hello bob', channelId: 'hq-general', sentAtMs: sent.sentAtMs });
    const deliveryMs = got.receivedAtMs - sent.sentAtMs;
    expect(deliveryMs).toBeGreaterThan(0);
    expect(deliveryMs).toBeLessThan(5000);

    const reply = await bob.sendMessage('hi alice');
    const back = await eventually(() => atAlice.find((m) => m.id === reply.id), 'alice to render bob\'s reply');
    expect(back.author).toBe('bob');

    await bob.react(sent.id, '👍');
    await expect(bob.react(sent.id, '🦆')).rejects.toThrow(/no reaction button for 🦆/);
    console.log(`driver: send→ack ${(sent.ackedAtMs - sent.sentAtMs).toFixed(1)} ms, delivery ${deliveryMs.toFixed(1)} ms`);
  });

  it('fails the send of a message the composer would cut (maxlength 4000) or change, and sends nothing', async () => {
    const atBob: ReceivedMessage[] = [];
    const stop = bob.onMessage((m) => atBob.push(m));
    await expect(alice.sendMessage('x'.repeat(5000))).rejects.toThrow(/message not sent: it has 5000 characters and the composer accepts at most 4000 \(its maxlength\)/);
    await expect(alice.sendMessage('two\nlines')).rejects.toThrow(/message not sent: the composer changed it/);
    const next = await alice.sendMessage('x'.repeat(4000));
    await eventually(() => atBob.find((m) => m.id === next.id), 'bob to get the 4000-character message');
    expect(atBob.map((m) => m.text.length)).toEqual([4000]); // nothing cut or changed went out
    stop();
  });

  it('loses no click when a journey acts in parallel on one page (Playwright has one mouse per page)', async () => {
    // mixedUsage joins voice while it reacts and chats; two clicks started together used to
    // interleave their mouse moves and presses, and the voice click went to the reaction button
    const target = await alice.sendMessage('react to me while you join');
    const atAlice: ReceivedMessage[] = [];
    const stop = alice.onMessage((m) => atAlice.push(m));
    // each resolves only when the app shows it done: in the call, the reaction as bob's, the message acked
    const [, , sent] = await Promise.all([bob.joinVoice('hq-voice-9'), bob.react(target.id, '🎉'), bob.sendMessage('typed while joining')]);
    expect((await eventually(() => atAlice.find((m) => m.id === sent.id), 'alice to get the message')).text).toBe('typed while joining');
    stop();
    await bob.leaveVoice();
  });
});

describe('BrowserWaddleClient: calls, files, failures', () => {
  it('joins voice, gets remote audio, camera video and screen share decoding', async () => {
    await expect(alice.waitForRemoteMedia('video', 500)).rejects.toThrow(/timed out after 500 ms waiting for remote video/);
    await alice.joinVoice('hq-voice-1');
    await bob.joinVoice('hq-voice-1');
    await alice.enableVideo();
    await bob.enableVideo();
    const audioMs = await bob.waitForRemoteMedia('audio', 20_000);
    const videoAtBob = await bob.waitForRemoteMedia('video', 20_000);
    const videoAtAlice = await alice.waitForRemoteMedia('video', 20_000);
    await alice.startScreenShare();
    const screenMs = await bob.waitForRemoteMedia('screen', 20_000);
    await alice.setMuted(true);
    await alice.stopScreenShare();
    await expect(bob.waitForRemoteMedia('screen', 1500)).rejects.toThrow(/remote screen/);
    await alice.disableVideo();
    console.log(`driver: remote audio after ${audioMs.toFixed(0)} ms, video ${videoAtBob.toFixed(0)}/${videoAtAlice.toFixed(0)} ms, screen ${screenMs.toFixed(0)} ms`);
    for (const ms of [audioMs, videoAtBob, videoAtAlice, screenMs]) expect(ms).toBeGreaterThanOrEqual(0);
    await alice.leaveVoice();
    await bob.leaveVoice();
  });

  it('uploads a file that the other user downloads with the same sha-256', async () => {
    const path = join(media.dir, 'payload.bin');
    const bytes = randomBytes(300 * 1024);
    await writeFile(path, bytes);
    const uploaded = await alice.upload(path);
    const expected = createHash('sha256').update(bytes).digest('hex');
    expect(uploaded).toMatchObject({ bytes: bytes.length, sha256: expected });
    expect(uploaded.durationMs).toBeGreaterThan(0);
    const downloaded = await bob.download(uploaded.attachmentId);
    expect(downloaded).toMatchObject({ bytes: bytes.length, sha256: expected });
    await expect(bob.download('nope')).rejects.toThrow(/HTTP 404/);
  });

  it('says what it waited for when the server refuses a message or the renderer hangs', async () => {
    const strict = await startReferenceWaddle({ port: 0, chatRatePerSec: 0.01, chatBurst: 1 });
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    const carol = new BrowserWaddleClient(page, { baseUrl: strict.url, username: 'carol', actionTimeoutMs: 1500 });
    try {
      await carol.connect();
      await carol.joinWaddle();
      await expect(carol.sendMessage('no channel open yet')).rejects.toThrow(/typing in the composer \(is a text channel open\?\)/);
      await carol.openTextChannel();
      await carol.sendMessage('first');
      await expect(carol.sendMessage('second')).rejects.toThrow(/was refused: rate_limited/);
      // a busy loop in the page: page.evaluate alone would wait forever
      await page.evaluate('setTimeout(() => { for (;;) {} }, 0)');
      const startedAt = Date.now();
      await expect(carol.waitForRemoteMedia('video', 2000)).rejects.toThrow(/timed out after \d+ ms waiting for remote video state \(page.evaluate; is the renderer hung\?\)/);
      expect(Date.now() - startedAt).toBeLessThan(5000);
    } finally {
      await carol.close();
      await Promise.race([context.close(), new Promise((r) => setTimeout(r, 5000))]);
      await strict.stop();
    }
  });

  it('leaves the waddle, and the other user sees it go offline', async () => {
    const seen: PresenceChange[] = [];
    bob.onPresence((p) => seen.push(p));
    await alice.leaveWaddle();
    await eventually(() => seen.find((p) => p.username === 'alice' && !p.online), 'bob to see alice offline');
    await alice.close();
    await bob.close();
  });
});
