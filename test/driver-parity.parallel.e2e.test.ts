// The two drivers in one waddle and channel: a browser user (BrowserWaddleClient on a real
// Debian Chromium page with fake media) and a protocol user (ProtocolWaddleClient). Each sees the
// other's messages with the sender's sentAtMs, so cross-driver delivery latency is measurable both
// ways; each sees the other come and go; and in a voice room the protocol user skips and counts the
// browser's real SDP offer while the browser ignores the protocol user's synthetic one.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserWaddleClient } from '../clients/browser/browser-waddle-client.ts';
import { launchTestBrowser, makeTestMedia, type TestMedia } from '../clients/browser/test-support.ts';
import { ProtocolWaddleClient } from '../clients/protocol/protocol-waddle-client.ts';
import type { PresenceChange, ReceivedMessage } from '../clients/waddle-client.ts';
import { startReferenceWaddle, type ReferenceWaddle } from '../reference-waddle/server.ts';

let waddle: ReferenceWaddle;
let media: TestMedia;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let web: BrowserWaddleClient;
let proto: ProtocolWaddleClient;
const atWeb: ReceivedMessage[] = [];
const atProto: ReceivedMessage[] = [];
const presenceAtWeb: PresenceChange[] = [];
const presenceAtProto: PresenceChange[] = [];

async function eventually<T>(read: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  waddle = await startReferenceWaddle({ port: 0 });
  media = await makeTestMedia();
  browser = await launchTestBrowser(media);
  context = await browser.newContext();
  page = await context.newPage();
  web = new BrowserWaddleClient(page, { baseUrl: waddle.url, username: 'webby', actionTimeoutMs: 10_000 });
  proto = new ProtocolWaddleClient({ baseUrl: waddle.url, username: 'proto', actionTimeoutMs: 10_000 });
  web.onMessage((m) => atWeb.push(m));
  proto.onMessage((m) => atProto.push(m));
  web.onPresence((p) => presenceAtWeb.push(p));
  proto.onPresence((p) => presenceAtProto.push(p));
});

afterAll(async () => {
  await proto?.close();
  await web?.close();
  await context?.close().catch(() => {});
  await browser?.close();
  await media?.remove();
  await waddle?.stop();
});

describe('browser and protocol drivers together', () => {
  it('see each other online as they join and go offline as they leave', async () => {
    await proto.connect();
    await proto.joinWaddle('hq');
    await proto.openTextChannel('hq-general');
    await web.connect();
    await web.joinWaddle('hq');
    await web.openTextChannel('hq-general');
    const webOnline = await eventually(() => presenceAtProto.find((p) => p.username === 'webby' && p.online), 'the protocol user to see the browser user online');
    expect(webOnline.seenAtMs).toBeGreaterThan(0);

    const since = presenceAtWeb.length;
    await proto.leaveWaddle();
    await eventually(() => presenceAtWeb.slice(since).find((p) => p.username === 'proto' && !p.online), 'the browser user to see the protocol user offline');
    const rejoinedAtMs = Date.now();
    await proto.joinWaddle('hq');
    await proto.openTextChannel('hq-general');
    const back = await eventually(() => presenceAtWeb.slice(since).find((p) => p.username === 'proto' && p.online), 'the browser user to see the protocol user online again');
    const propagationMs = back.seenAtMs - rejoinedAtMs;
    expect(propagationMs).toBeGreaterThanOrEqual(0);
    expect(propagationMs).toBeLessThan(5_000);
    console.log(`parity: presence protocol→browser ${propagationMs.toFixed(0)} ms (server coalesces over 250 ms)`);
  });

  it('deliver messages both ways with the sender stamp, so latency is measurable in both directions', async () => {
    const fromProto = await proto.sendMessage('hello from the protocol user');
    const seenByWeb = await eventually(() => atWeb.find((m) => m.nonce === fromProto.nonce), 'the browser user to render the protocol message');
    expect(seenByWeb).toMatchObject({ id: fromProto.id, author: 'proto', text: 'hello from the protocol user', sentAtMs: fromProto.sentAtMs });

    const fromWeb = await web.sendMessage('hello from the browser user');
    const seenByProto = await eventually(() => atProto.find((m) => m.nonce === fromWeb.nonce), 'the protocol user to receive the browser message');
    expect(seenByProto).toMatchObject({ id: fromWeb.id, author: 'webby', text: 'hello from the browser user', sentAtMs: fromWeb.sentAtMs });

    const protoToWebMs = seenByWeb.receivedAtMs - fromProto.sentAtMs;
    const webToProtoMs = seenByProto.receivedAtMs - fromWeb.sentAtMs;
    for (const ms of [protoToWebMs, webToProtoMs]) {
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThan(5_000);
    }
    console.log(`parity: delivery protocol→browser ${protoToWebMs.toFixed(1)} ms, browser→protocol ${webToProtoMs.toFixed(1)} ms`);
  });

  it('in one voice room: the browser offer is skipped and counted, the synthetic offer is ignored by the browser', async () => {
    await proto.joinVoice('hq-voice-1');
    await web.joinVoice('hq-voice-1'); // the browser is the newcomer: it sends a real SDP offer
    await eventually(() => (proto.signallingStats.realOffersSkipped === 1 ? true : undefined), 'the protocol user to skip the real offer');
    await expect(proto.waitForRemoteMedia('audio', 300)).rejects.toThrow(/webby\(p\w+\) announces audio, browser peer \(its real SDP offer was skipped\)/);

    await proto.leaveVoice();
    await proto.joinVoice('hq-voice-1'); // now the protocol user is the newcomer: a synthetic offer to the browser
    expect(proto.signallingStats.syntheticOffersSent).toBe(1);
    await new Promise((r) => setTimeout(r, 500)); // let the browser handle it
    expect(((await page.getByTestId('error').textContent()) ?? '').trim()).toBe('');
    expect(await page.getByTestId('voice-panel').getAttribute('data-state')).toBe('joined');
    await proto.leaveVoice();
    await web.leaveVoice();
  });
});
