// The in-page probe against a WebRTC app that is not ours (test/fixtures/loopback-call):
// real Chromium, real fake media, a real peer-to-peer call on loopback.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserPool } from '../fleet/browser-pool.ts';
import type { RunEvent, Tags } from '../metrics/types.ts';

const fixture = new URL('./fixtures/loopback-call/index.html', import.meta.url);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: http.Server;
let baseUrl: string;
beforeAll(async () => {
  const html = await readFile(fixture);
  server = http.createServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(html);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});

describe('in-page WebRTC probe', () => {
  it('reports inbound and outbound audio, video and screen with sane values and leaves the app working', async () => {
    const samples: { metric: string; value: number; tags: Tags }[] = [];
    const recorder = { record: (metric: string, value: number, tags: Tags = {}) => void samples.push({ metric, value, tags }) };
    const events: RunEvent[] = [];
    const pool = await BrowserPool.launch({ maxBrowsers: 1, contextsPerBrowser: 1, mediaCacheDir: join(tmpdir(), 'waddle-fleet-test-media'), probeIntervalMs: 1000, allowedHosts: ['127.0.0.1'], onEvent: (e) => events.push(e) });
    try {
      const session = await pool.acquire({
        label: 'vu-probe',
        media: { camera: { width: 320, height: 180, fps: 15 }, screen: { width: 640, height: 360, fps: 5 }, voiceActivity: 0.5 },
        recorder,
        tags: { journey: 'loopback' },
        timeoutMs: 60_000,
      });
      try {
        await session.page.goto(`${baseUrl}?screen=1`);
        const deadline = Date.now() + 30_000;
        let state: Record<string, unknown> = {};
        while (Date.now() < deadline) {
          state = (await session.page.evaluate('window.callState')) as Record<string, unknown>;
          if (state['phase'] === 'error' || (state['firstFrame'] && state['callerState'] === 'connected')) break;
          await sleep(200);
        }
        // the app's own code works through the wrapper
        expect(state).toMatchObject({ phase: 'calling', callerState: 'connected', firstFrame: true, instanceOk: true, tracks: 3, screenSurface: 'monitor', remoteHeight: 180 });
        await sleep(5000); // several probe intervals of a running call
        await session.release();
      } finally {
        await session.release();
      }
      const probe = session.probe;
      for (const kind of ['audio', 'video', 'screen'] as const) {
        expect(probe.hasReported(kind, 'outbound'), `${kind}/outbound in ${JSON.stringify(probe.counts())}`).toBe(true);
      }
      expect(probe.hasReported('audio', 'inbound')).toBe(true);
      expect(probe.hasReported('video', 'inbound')).toBe(true);
      // inbound screen: from getStats contentType 'screenshare', or the a=content:slides mark the
      // sending probe adds to its SDP (in-page/sdp-marks.ts); across pages see probe-reference-waddle.e2e
      expect(probe.hasReported('screen', 'inbound')).toBe(true);

      const values = (metric: string, kind: string, direction: string) => samples.filter((s) => s.metric === metric && s.tags['kind'] === kind && s.tags['direction'] === direction).map((s) => s.value);
      const last = (xs: number[]) => xs.at(-1) ?? NaN;
      for (const direction of ['inbound', 'outbound']) {
        expect(last(values('webrtc.bitrate_kbps', 'video', direction)), `video ${direction} bitrate`).toBeGreaterThan(0);
        expect(last(values('webrtc.bitrate_kbps', 'audio', direction)), `audio ${direction} bitrate`).toBeGreaterThan(0);
        expect(last(values('webrtc.fps', 'video', direction)), `video ${direction} fps`).toBeGreaterThan(2);
        for (const loss of values('webrtc.packets_lost_pct', 'audio', direction)) expect(loss).toBeGreaterThanOrEqual(0);
        const mos = values('webrtc.audio.mos', 'audio', direction);
        expect(mos.length, `audio ${direction} MOS`).toBeGreaterThan(0);
        for (const m of mos) {
          expect(m).toBeGreaterThanOrEqual(1);
          expect(m).toBeLessThanOrEqual(4.5);
        }
      }
      expect(last(values('webrtc.frame_height_px', 'video', 'inbound'))).toBe(180);
      expect(last(values('webrtc.fps', 'screen', 'outbound'))).toBeGreaterThan(0);
      expect(values('webrtc.audio.concealed_pct', 'audio', 'inbound').length).toBeGreaterThan(0);
      expect(values('webrtc.quality_limited_cpu', 'video', 'outbound').every((v) => v === 0 || v === 1)).toBe(true);
      expect(values('webrtc.quality_limited_cpu', 'video', 'outbound').length).toBeGreaterThan(0);
      const firstFrames = samples.filter((s) => s.metric === 'webrtc.first_frame_ms');
      expect(firstFrames.length).toBeGreaterThanOrEqual(1);
      for (const f of firstFrames) expect(f.value).toBeGreaterThanOrEqual(0);
      expect(samples.some((s) => s.metric === 'webrtc.connections' && s.value === 2)).toBe(true);
      // journey tag kept, connection ids never tags
      for (const s of samples.filter((x) => x.metric.startsWith('webrtc.bitrate'))) expect(Object.keys(s.tags).sort()).toEqual(['direction', 'journey', 'kind']);
      expect(events.filter((e) => e.reason === 'probe_error')).toEqual([]);
    } finally {
      await pool.close();
    }
  });
});
