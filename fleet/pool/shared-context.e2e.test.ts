// Users sharing one browser context (their driver's isolation: 'page'): each has its own page,
// its own probe and its own guard label; one leaving closes its page only. Real Chromium, a real
// loopback page; two pages in a loopback WebRTC call prove each page's probe batches reach its
// own user. Also: the fake mic comes without audio processing by default.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent, Tags } from '../../metrics/types.ts';
import { BrowserPool, type PoolSession } from './browser-pool.ts';

const mediaCacheDir = join(tmpdir(), 'waddle-fleet-test-media');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let server: http.Server;
let baseUrl: string;
beforeAll(async () => {
  server = http.createServer((_req, res) => res.end('<!doctype html><title>shared</title>'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise((r) => server.close(r)));

async function until(what: string, cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

// page code as strings: this file is typechecked without the DOM lib
const offer = `(async () => {
  window.pc = new RTCPeerConnection();
  window.pc.createDataChannel('x');
  await window.pc.setLocalDescription(await window.pc.createOffer());
  while (window.pc.iceGatheringState !== 'complete') await new Promise((r) => setTimeout(r, 50));
  return window.pc.localDescription.toJSON();
})()`;
const answer = (o: unknown) => `(async () => {
  window.pc = new RTCPeerConnection();
  await window.pc.setRemoteDescription(${JSON.stringify(o)});
  await window.pc.setLocalDescription(await window.pc.createAnswer());
  while (window.pc.iceGatheringState !== 'complete') await new Promise((r) => setTimeout(r, 50));
  return window.pc.localDescription.toJSON();
})()`;
const micSettings = `(async () => {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  const s = stream.getAudioTracks()[0].getSettings();
  stream.getTracks().forEach((t) => t.stop());
  return { echoCancellation: s.echoCancellation, noiseSuppression: s.noiseSuppression, autoGainControl: s.autoGainControl };
})()`;

describe('BrowserPool: users sharing a context', () => {
  it('gives each its own page, probe and guard label in one context; a release closes only its page', async () => {
    const events: RunEvent[] = [];
    const pool = await BrowserPool.launch({ maxBrowsers: 1, contextsPerBrowser: 3, mediaCacheDir, probeIntervalMs: 300, allowedHosts: ['127.0.0.1'], onEvent: (e) => events.push(e), hangCheck: false, closeTimeoutMs: 3000 });
    try {
      const samples: { metric: string; tags?: Tags }[] = [];
      const recorder = { record: (metric: string, _value: number, tags?: Tags) => void samples.push({ metric, ...(tags ? { tags } : {}) }) };
      const acquire = (label: string) => pool.acquire({ label, media: {}, recorder, tags: { journey: label }, timeoutMs: 60_000, shareContext: true });
      const [a, b, c] = [await acquire('vu-a'), await acquire('vu-b'), await acquire('vu-c')] as [PoolSession, PoolSession, PoolSession];
      expect(a.context).toBe(b.context);
      expect(b.context).toBe(c.context);
      expect(new Set([a.page, b.page, c.page]).size).toBe(3);
      expect(pool.stats().contexts).toBe(3);
      for (const s of [a, b, c]) await s.page.goto(baseUrl);
      // each in a window of its own: background tabs of one window render no frames, and
      // Playwright's actionability checks wait for frames (clicks took 1-2 s)
      const windowOf = async (s: PoolSession) => {
        const cdp = await s.context.newCDPSession(s.page);
        const { windowId } = (await cdp.send('Browser.getWindowForTarget')) as { windowId: number };
        await cdp.detach();
        return windowId;
      };
      expect(new Set(await Promise.all([a, b, c].map(windowOf))).size).toBe(3);

      // a loopback call between a and b: each page's batches reach its own probe
      const o = await a.page.evaluate(offer);
      const ans = await b.page.evaluate(answer(o));
      await a.page.evaluate(`window.pc.setRemoteDescription(${JSON.stringify(ans)})`);
      await until('both probes to see their connection open', () => a.probe.stats().openConnections === 1 && b.probe.stats().openConnections === 1);
      expect(c.probe.stats().batches).toBe(0);

      // the guard's in-page half charges a refusal to the page's own user
      await c.page.evaluate(`new RTCPeerConnection({ iceServers: [{ urls: 'stun:10.0.0.1:3478' }] }).close()`);
      await until('the stripped ICE server to be counted', () => pool.stats().strippedIceServers >= 1);
      expect(events.filter((e) => e.reason === 'blocked_host').map((e) => (e.data as { user?: string }).user)).toEqual(['vu-c']);

      // the fake mic without echo cancellation, noise suppression and gain control (the pool's default)
      expect(await c.page.evaluate(micSettings)).toEqual({ echoCancellation: false, noiseSuppression: false, autoGainControl: false });

      await a.release();
      expect(a.page.isClosed()).toBe(true);
      expect(b.page.isClosed()).toBe(false);
      expect(await b.page.evaluate('document.title')).toBe('shared');
      expect(pool.stats().contexts).toBe(2);
      // a new user joins the same context
      const d = await acquire('vu-d');
      expect(d.context).toBe(b.context);
      await Promise.all([b, c, d].map((s) => s.release()));
      expect(pool.stats().contexts).toBe(0);
    } finally {
      await pool.close();
    }
  });
});
