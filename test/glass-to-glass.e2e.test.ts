// Glass-to-glass latency and the quality score on a WebRTC app that is not ours
// (test/fixtures/loopback-call: two connections in one page, plain JS), real Chromium, real fake
// media, real WebRTC on loopback, through the real pool. Known causes move the figures:
// - the same call twice: video and audio e2e present, plausible and close between the runs;
// - jitterBufferTarget = 300 ms on the receiving connection: both rise by about that much
//   (Chromium's jitter buffer then holds ~300 ms instead of its usual few tens);
// - a sender capped at a low bitrate and half the resolution: PSNR and SSIM fall.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserPool, type PoolSession } from '../fleet/pool/browser-pool.ts';
import type { RunEvent, Tags } from '../metrics/types.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : NaN;
};

let server: http.Server;
let url: string;
beforeAll(async () => {
  const html = await readFile(new URL('./fixtures/loopback-call/index.html', import.meta.url));
  server = http.createServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(html);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});

type Sample = { metric: string; value: number; tags: Tags; atMs: number };

/** The samples of `metric` that arrived between two instants. */
function between(samples: readonly Sample[], metric: string, from: number, to: number): number[] {
  return samples.filter((s) => s.metric === metric && s.atMs >= from && s.atMs < to).map((s) => s.value);
}

/** Holds the call for ms and returns the window's bounds (batches arrive every probe interval). */
async function window(ms: number): Promise<[number, number]> {
  const from = Date.now();
  await sleep(ms);
  return [from, Date.now()];
}

async function callStarted(session: PoolSession): Promise<void> {
  await session.page.goto(url);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const state = (await session.page.evaluate('window.callState')) as Record<string, unknown>;
    if (state['phase'] === 'calling' && state['firstFrame']) return;
    if (state['phase'] === 'error' || Date.now() > deadline) throw new Error(`loopback call did not start: ${JSON.stringify(state)}`);
    await sleep(200);
  }
}

describe('glass-to-glass and quality on an independent call page', () => {
  it('are plausible and stable, rise with a 300 ms jitter buffer, and the score falls with a capped sender', async () => {
    const samples: Sample[] = [];
    const events: RunEvent[] = [];
    const pool = await BrowserPool.launch({
      maxBrowsers: 1, contextsPerBrowser: 1, mediaCacheDir: join(tmpdir(), 'waddle-fleet-test-media'), probeIntervalMs: 1000,
      allowedHosts: ['127.0.0.1'], onEvent: (e) => events.push(e), mediaMarks: { qualityEveryMs: 1000 },
    });
    try {
      const session = await pool.acquire({
        label: 'vu-g2g', media: { camera: { width: 320, height: 180, fps: 15 }, voiceActivity: 0.5 },
        recorder: { record: (metric, value, tags = {}) => void samples.push({ metric, value, tags, atMs: Date.now() }) },
        tags: { journey: 'loopback' }, timeoutMs: 60_000,
      });
      try {
        await callStarted(session);
        await sleep(3000); // the first seconds: jitter buffer and A/V sync settling
        const runA = await window(8000);
        // the app still owns its camera: settings, constraints and the label reach the device track
        const camera = (await session.page.evaluate(`(async () => {
          const track = window.pcs.caller.getSenders().find((s) => s.track && s.track.kind === 'video').track;
          const before = track.getSettings();
          await track.applyConstraints({ width: 320, height: 180, frameRate: 15 });
          return { width: before.width, height: before.height, label: track.label, marked: track instanceof MediaStreamTrackGenerator };
        })()`)) as Record<string, unknown>;
        expect(camera).toMatchObject({ width: 320, height: 180, marked: true });
        expect(String(camera['label'])).not.toBe('');
        await callStarted(session); // the same call again (a new page load, new connections)
        await sleep(3000);
        const runB = await window(8000);
        await session.page.evaluate(`window.pcs.callee.getReceivers().forEach((r) => (r.jitterBufferTarget = 300))`);
        await sleep(6000); // the buffers grow towards the target over seconds
        const delayed = await window(8000);
        await session.page.evaluate(`(async () => {
          window.pcs.callee.getReceivers().forEach((r) => (r.jitterBufferTarget = null));
          const sender = window.pcs.caller.getSenders().find((s) => s.track && s.track.kind === 'video');
          const p = sender.getParameters();
          p.encodings[0].maxBitrate = 40_000;
          p.encodings[0].scaleResolutionDownBy = 2;
          await sender.setParameters(p);
        })()`);
        await sleep(5000);
        const capped = await window(8000);
        await session.release();

        const report: Record<string, unknown> = {};
        /** the receiver's own jitter buffer delay (getStats jitterBufferDelay / emitted), median over a window */
        const jbOf = (kind: string, w: [number, number]) => median(samples.filter((x) => x.metric === 'webrtc.jitter_buffer_ms' && x.tags['kind'] === kind && x.tags['direction'] === 'inbound' && x.atMs >= w[0] && x.atMs < w[1]).map((x) => x.value));
        const figures = (name: string, w: [number, number]) => {
          const f = {
            video: between(samples, 'media.video_e2e_ms', ...w),
            audio: between(samples, 'media.audio_e2e_ms', ...w),
            psnr: between(samples, 'media.video_psnr_db', ...w),
            ssim: between(samples, 'media.video_ssim', ...w),
          };
          report[name] = { video: median(f.video), audio: median(f.audio), psnr: median(f.psnr), ssim: median(f.ssim), n: [f.video.length, f.audio.length, f.psnr.length], jb: [jbOf('video', w), jbOf('audio', w)] };
          return f;
        };
        const a = figures('runA', runA);
        const b = figures('runB', runB);
        const d = figures('delayed', delayed);
        const c = figures('capped', capped);
        const why = JSON.stringify({ report, errors: events.filter((e) => e.type === 'warning').map((e) => e.message) });
        console.log(`glass-to-glass figures: ${JSON.stringify(report)}`);
        for (const run of [a, b]) {
          expect(run.video.length, why).toBeGreaterThanOrEqual(16); // 4 a second asked for, most frames readable
          expect(run.audio.length, why).toBeGreaterThanOrEqual(3); // a burst every 2 s
          expect(median(run.video), why).toBeGreaterThan(10);
          expect(median(run.video), why).toBeLessThan(300);
          expect(median(run.audio), why).toBeGreaterThan(10);
          expect(median(run.audio), why).toBeLessThan(300);
          expect(median(run.psnr), why).toBeGreaterThan(30);
        }
        // stable run to run: what is not the jitter buffer (which adapts to the network and, on a
        // loaded generator, to its own jitter) stays within 30 ms
        for (const kind of ['video', 'audio'] as const) {
          const rest = (f: typeof a, w: [number, number]) => median(f[kind]) - jbOf(kind, w);
          report[`${kind}BesidesJitterBuffer`] = [rest(a, runA), rest(b, runB)];
          expect(Math.abs(rest(a, runA) - rest(b, runB)), `${kind} ${JSON.stringify(report)}`).toBeLessThan(30);
        }
        // a 300 ms jitter buffer target: the buffer grows to ~300 ms from what it held, and the
        // delays rise by that growth, as getStats' own jitterBufferDelay says (webrtc.jitter_buffer_ms)
        for (const kind of ['video', 'audio'] as const) {
          const jbRise = jbOf(kind, delayed) - jbOf(kind, runB);
          const e2eRise = median(d[kind]) - median(b[kind]);
          report[`${kind}Rise`] = { e2e: e2eRise, jitterBuffer: jbRise };
          expect(jbRise, `${kind} ${why}`).toBeGreaterThan(100);
          expect(Math.abs(e2eRise - jbRise), `${kind} ${JSON.stringify(report)}`).toBeLessThan(40);
        }
        console.log(`glass-to-glass rises: ${JSON.stringify({ video: report['videoRise'], audio: report['audioRise'] })}`);
        expect(c.psnr.length, why).toBeGreaterThanOrEqual(2);
        expect(median(c.psnr), why).toBeLessThan(median([...a.psnr, ...b.psnr]) - 2);
        expect(median(c.ssim), why).toBeLessThan(median([...a.ssim, ...b.ssim]));
        expect((await session.probe.scored()).rejected.length, why).toBeLessThanOrEqual(2);
      } finally {
        await session.release();
      }
    } finally {
      await pool.close();
    }
  }, 120_000);
});
