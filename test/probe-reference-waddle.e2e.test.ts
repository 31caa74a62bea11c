// The in-page probe classifies a screen share received from ANOTHER page as kind 'screen',
// against the real reference Waddle (unchanged app) in real Chromium through the real pool.
// The reference Waddle never renegotiates (replaceTrack on fixed transceivers), so:
// - alice shares before bob joins: her answer carries the probe's a=content:slides on the screen
//   m-section (checked on the wire), and bob's probe learns it from that SDP;
// - bob shares after the call is up: no new SDP, alice's probe knows it from the in-band
//   inbound-rtp contentType 'screenshare'.
// Camera video must stay kind 'video' on both sides (told apart by frame height).
// A second case renegotiates between two plain pages (screen added, removed, camera swapped)
// and checks Chromium takes every marked description and the marks follow the screen.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserWaddleClient } from '../clients/browser/browser-waddle-client.ts';
import { BrowserPool, type PoolSession } from '../fleet/pool/browser-pool.ts';
import { slidesMids } from '../in-page/sdp-marks.ts';
import { TrendHistogram } from '../metrics/histogram.ts';
import type { RunEvent, Tags } from '../metrics/types.ts';
import { startReferenceWaddle, type ReferenceWaddle } from '../reference-waddle/server.ts';

const CAMERA = { width: 320, height: 180, fps: 15 };
const SCREEN = { width: 640, height: 360, fps: 5 };
// what the page sends on its WebSocket, kept for the test (SDP on the wire)
const RECORD_SENT = `(() => {
  const send = WebSocket.prototype.send;
  window.__sentSdp = [];
  WebSocket.prototype.send = function (data) {
    try { const f = JSON.parse(data); if (f && f.type === 'rtc.signal' && f.data && f.data.sdp) window.__sentSdp.push(f.data.sdp); } catch {}
    return send.call(this, data);
  };
})()`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface User {
  session: PoolSession;
  client: BrowserWaddleClient;
  samples: { metric: string; value: number; tags: Tags }[];
}

let waddle: ReferenceWaddle;
let pool: BrowserPool;
const events: RunEvent[] = [];

beforeAll(async () => {
  waddle = await startReferenceWaddle({ port: 0 });
  pool = await BrowserPool.launch({ maxBrowsers: 1, contextsPerBrowser: 2, mediaCacheDir: join(tmpdir(), 'waddle-fleet-test-media'), probeIntervalMs: 1000, allowedHosts: ['127.0.0.1'], onEvent: (e) => events.push(e) });
});
afterAll(async () => {
  await pool?.close();
  await waddle?.stop();
});

async function user(name: string): Promise<User> {
  const samples: User['samples'] = [];
  const session = await pool.acquire({ label: name, media: { camera: CAMERA, screen: SCREEN, voiceActivity: 0.5 }, recorder: { record: (metric, value, tags = {}) => void samples.push({ metric, value, tags }) }, tags: { journey: 'probe-screen' }, timeoutMs: 30_000 });
  await session.page.addInitScript(RECORD_SENT);
  const client = new BrowserWaddleClient(session.page, { baseUrl: waddle.url, username: name, actionTimeoutMs: 15_000 });
  await client.connect();
  await client.joinWaddle();
  return { session, client, samples };
}

const values = (u: User, metric: string, kind: string, direction: string) => u.samples.filter((s) => s.metric === metric && s.tags['kind'] === kind && s.tags['direction'] === direction).map((s) => s.value);
const sentSdp = async (u: User) => (await u.session.page.evaluate('window.__sentSdp')) as { type: string; sdp: string }[];

describe('probe against the reference Waddle', () => {
  it("reports the other user's screen share as inbound 'screen' and cameras as 'video'", async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    try {
      await alice.client.joinVoice();
      await alice.client.enableVideo();
      await alice.client.startScreenShare(); // before bob is there: it is in alice's answer
      await bob.client.joinVoice();
      await bob.client.enableVideo();
      await bob.client.startScreenShare(); // after: replaceTrack, no new SDP
      const deadline = Date.now() + 20_000;
      const ready = (u: User) => values(u, 'webrtc.bitrate_kbps', 'screen', 'inbound').filter((v) => v > 0).length >= 3 && values(u, 'webrtc.bitrate_kbps', 'video', 'inbound').filter((v) => v > 0).length >= 3;
      while (Date.now() < deadline && !(ready(alice) && ready(bob))) await sleep(250);

      // on the wire: bob's offer has no mark (nothing shared yet), alice's answer marks mid 2 (the screen transceiver)
      const [bobOffer] = (await sentSdp(bob)).filter((d) => d.type === 'offer');
      const [aliceAnswer] = (await sentSdp(alice)).filter((d) => d.type === 'answer');
      expect(bobOffer && [...slidesMids(bobOffer.sdp)]).toEqual([]);
      expect(aliceAnswer && [...slidesMids(aliceAnswer.sdp)]).toEqual(['2']);

      for (const [who, u] of [['alice', alice], ['bob', bob]] as const) {
        const screenKbps = values(u, 'webrtc.bitrate_kbps', 'screen', 'inbound');
        const screenFps = values(u, 'webrtc.fps', 'screen', 'inbound');
        const screenHeights = values(u, 'webrtc.frame_height_px', 'screen', 'inbound');
        const videoHeights = values(u, 'webrtc.frame_height_px', 'video', 'inbound');
        console.log(`${who}: inbound screen kbps ${JSON.stringify(screenKbps)} fps ${JSON.stringify(screenFps)} height ${JSON.stringify(screenHeights)}; inbound video heights ${JSON.stringify(videoHeights)}; counts ${JSON.stringify(u.session.probe.counts())}`);
        expect(Math.max(0, ...screenKbps), `${who} inbound screen bitrate`).toBeGreaterThan(0);
        expect(Math.max(0, ...screenFps), `${who} inbound screen fps`).toBeGreaterThan(0);
        expect(Math.max(0, ...screenHeights), `${who} inbound screen is the 360p slides`).toBe(SCREEN.height);
        // the camera stays 'video': every inbound video sample that has a height is the 180p camera
        expect(videoHeights.length, `${who} inbound video`).toBeGreaterThan(0);
        expect(new Set(videoHeights.filter((h) => h > 0)), `${who} inbound video heights`).toEqual(new Set([CAMERA.height]));
        expect(u.session.probe.hasReported('screen', 'outbound')).toBe(true);
      }
      expect(events.filter((e) => e.reason === 'probe_error')).toEqual([]);
      expect(await alice.session.page.getByTestId('error').textContent()).toBeFalsy();
    } finally {
      await alice.session.release();
      await bob.session.release();
    }
  }, 60_000);
});

// Issue 9: each video user of the reference Waddle has a screen transceiver that carries nothing
// unless someone shares (a padding packet, no payload). It must not pull webrtc.fps to 0 (it read
// mean 7.5 and p50 0 on a 15 fps call); it is counted in webrtc.idle_streams instead.
describe('idle receivers against the reference Waddle', () => {
  it('inbound video fps p50 is the camera fps; the idle screen transceiver is counted apart', async () => {
    const alice = await user('alice-cam');
    const bob = await user('bob-cam');
    try {
      await alice.client.joinVoice();
      await alice.client.enableVideo();
      await bob.client.joinVoice();
      await bob.client.enableVideo();
      const deadline = Date.now() + 20_000;
      const decoded = (u: User) => values(u, 'webrtc.fps', 'video', 'inbound').filter((v) => v > 0).length;
      while (Date.now() < deadline && !(decoded(alice) >= 6 && decoded(bob) >= 6)) await sleep(250);
    } finally {
      await alice.session.release(); // the pool's flush: the idle streams end here
      await bob.session.release();
    }
    for (const [who, u] of [['alice', alice], ['bob', bob]] as const) {
      const fps = values(u, 'webrtc.fps', 'video', 'inbound');
      const histogram = new TrendHistogram();
      for (const v of fps) histogram.record(v);
      const idle = u.samples.filter((s) => s.metric === 'webrtc.idle_streams');
      const idleBy = (direction: string) => idle.filter((s) => s.tags['kind'] === 'video' && s.tags['direction'] === direction).reduce((a, s) => a + s.value, 0);
      console.log(`${who}: inbound video fps p50 ${histogram.percentile(50)} mean ${histogram.mean().toFixed(2)} of ${JSON.stringify(fps)}; idle video streams inbound ${idleBy('inbound')} outbound ${idleBy('outbound')}`);
      expect(fps.length, `${who} inbound video fps samples`).toBeGreaterThanOrEqual(6);
      expect(histogram.percentile(50), `${who} inbound video fps p50`).toBeGreaterThanOrEqual(CAMERA.fps * 0.8);
      expect(histogram.percentile(50), `${who} inbound video fps p50`).toBeLessThanOrEqual(CAMERA.fps * 1.1);
      expect(histogram.mean(), `${who} inbound video fps mean`).toBeGreaterThanOrEqual(CAMERA.fps * 0.8);
      // the screen transceiver idles both ways: nothing shared, nothing received
      expect(idleBy('inbound'), `${who} idle inbound video streams`).toBe(1);
      expect(idleBy('outbound'), `${who} idle outbound video streams`).toBe(1);
      for (const s of idle) expect(Object.keys(s.tags).sort()).toEqual(['direction', 'journey', 'kind']);
      // no quality sample comes from the idle stream: the one camera stream gives at most one
      // jitter sample per batch, where the idle stream used to add one more to each
      const jitter = values(u, 'webrtc.jitter_ms', 'video', 'inbound');
      expect(jitter.length, `${who} inbound video jitter samples, of ${u.session.probe.stats().batches} batches`).toBeLessThanOrEqual(u.session.probe.stats().batches);
    }
    expect(events.filter((e) => e.reason === 'probe_error')).toEqual([]);
  }, 60_000);
});

// A bare two-party app for the renegotiation case: the test carries SDP between the pages.
// sdp(mode): 'result' sends what createOffer/createAnswer returned, 'implicit' calls
// setLocalDescription() and sends pc.localDescription (both ways apps do it).
const RENEGOTIATE_PAGE = `<!doctype html><script>
const pc = new RTCPeerConnection({ iceServers: [] });
const senders = {};
const gathered = () => new Promise((r) => { if (pc.iceGatheringState === 'complete') r(); else pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r()); });
async function local(made, mode) {
  if (mode === 'implicit') { await pc.setLocalDescription(); await gathered(); return pc.localDescription.toJSON(); }
  await pc.setLocalDescription(made); await gathered(); return { type: made.type, sdp: made.sdp };
}
window.add = async (what) => {
  const stream = what === 'screen' ? await navigator.mediaDevices.getDisplayMedia({ video: true }) : await navigator.mediaDevices.getUserMedia({ video: true });
  const track = stream.getVideoTracks()[0];
  // 'motion' keeps the encoder out of screen-content mode: no in-band contentType, so the
  // receiver can only know the screen from the SDP mark
  if (what === 'screen') track.contentHint = 'motion';
  senders[what] = pc.addTrack(track, stream);
};
window.remove = (what) => { senders[what].track.stop(); pc.removeTrack(senders[what]); };
window.offer = async (mode) => local(mode === 'implicit' ? undefined : await pc.createOffer(), mode);
window.answer = async (offer, mode) => { await pc.setRemoteDescription(offer); return local(mode === 'implicit' ? undefined : await pc.createAnswer(), mode); };
window.accept = (answer) => pc.setRemoteDescription(answer);
window.contentTypes = async () => { const out = []; (await pc.getStats()).forEach((s) => s.type === 'inbound-rtp' && s.kind === 'video' && out.push(s.contentType || 'none')); return out; };
</script>`;

describe('probe SDP marks through renegotiation', () => {
  it('marks the screen m-section when it is added, not after it is removed; Chromium takes every description', async () => {
    const server = http.createServer((_req, res) => res.end(RENEGOTIATE_PAGE));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const received: User['samples'] = [];
    const acquire = (label: string, samples: User['samples']) => pool.acquire({ label, media: { camera: CAMERA, screen: SCREEN, voiceActivity: 0.5 }, recorder: { record: (metric, value, tags = {}) => void samples.push({ metric, value, tags }) }, tags: {}, timeoutMs: 30_000 });
    const a = await acquire('sender', []);
    const b = await acquire('receiver', received);
    try {
      await Promise.all([a.page.goto(url), b.page.goto(url)]);
      const negotiate = async (mode: 'result' | 'implicit'): Promise<string[]> => {
        const offer = (await a.page.evaluate(`offer(${JSON.stringify(mode)})`)) as { sdp: string };
        const answer = await b.page.evaluate(`answer(${JSON.stringify(offer)}, ${JSON.stringify(mode)})`);
        await a.page.evaluate(`accept(${JSON.stringify(answer)})`);
        return [...slidesMids(offer.sdp)];
      };
      const screenSamples = () => received.filter((s) => s.metric === 'webrtc.bitrate_kbps' && s.tags['kind'] === 'screen' && s.tags['direction'] === 'inbound').length;

      await a.page.evaluate(`add('camera')`);
      expect(await negotiate('implicit')).toEqual([]);
      await a.page.evaluate(`add('screen')`);
      expect(await negotiate('result')).toEqual(['1']); // the second m-section: the screen
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && screenSamples() < 2) await sleep(250);
      expect(screenSamples(), 'receiver reports the screen as screen from the SDP mark alone').toBeGreaterThanOrEqual(2);
      expect(await b.page.evaluate('contentTypes()')).toEqual(['none', 'none']); // no in-band help here

      await a.page.evaluate(`remove('screen')`);
      expect(await negotiate('result')).toEqual([]);
      await a.page.evaluate(`remove('camera')`);
      expect(await negotiate('implicit')).toEqual([]);
      await a.page.evaluate(`add('camera')`);
      expect(await negotiate('implicit')).toEqual([]);
      await a.page.evaluate(`add('screen')`);
      const marked = await negotiate('implicit');
      expect(marked).toHaveLength(1);
      expect(['0', '1']).not.toContain(marked[0]); // a new m-section (the stopped ones are not reused with a mark)
      expect(events.filter((e) => e.reason === 'probe_error')).toEqual([]);
    } finally {
      await a.release();
      await b.release();
      await new Promise((r) => server.close(r));
    }
  }, 60_000);
});
