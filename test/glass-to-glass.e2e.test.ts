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

type Window = [number, number];

type Phases = { runA: Window; runB: Window; delayed: Window; capped: Window; camera: Record<string, unknown> };

/** The call through its phases: two unimpaired runs, a 300 ms jitter buffer, a capped sender. */
async function playPhases(session: PoolSession): Promise<Phases> {
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
  return { runA, runB, delayed, capped, camera };
}

/** The receiver's own jitter buffer delay (getStats jitterBufferDelay / emitted), median over a window. */
function jitterBufferOf(samples: readonly Sample[], kind: string, w: Window): number {
  return median(samples.filter((x) => x.metric === 'webrtc.jitter_buffer_ms' && x.tags['kind'] === kind && x.tags['direction'] === 'inbound' && x.atMs >= w[0] && x.atMs < w[1]).map((x) => x.value));
}

function figuresOf(samples: readonly Sample[], w: Window) {
  return {
    video: between(samples, 'media.video_e2e_ms', ...w),
    audio: between(samples, 'media.audio_e2e_ms', ...w),
    psnr: between(samples, 'media.video_psnr_db', ...w),
    ssim: between(samples, 'media.video_ssim', ...w),
    jb: { video: jitterBufferOf(samples, 'video', w), audio: jitterBufferOf(samples, 'audio', w) },
  };
}
type Figures = ReturnType<typeof figuresOf>;
const summary = (f: Figures) => ({ video: median(f.video), audio: median(f.audio), psnr: median(f.psnr), ssim: median(f.ssim), n: [f.video.length, f.audio.length, f.psnr.length], jb: f.jb });

async function measuredCall(marks: { video?: boolean; qualityEveryMs: number } = { video: true, qualityEveryMs: 1000 }, play: (session: PoolSession) => Promise<Phases> = playPhases): Promise<{ samples: Sample[]; events: RunEvent[]; phases: Phases; scored: Awaited<ReturnType<PoolSession['probe']['scored']>> }> {
  const samples: Sample[] = [];
  const events: RunEvent[] = [];
  const pool = await BrowserPool.launch({
    maxBrowsers: 1, contextsPerBrowser: 1, mediaCacheDir: join(tmpdir(), 'waddle-fleet-test-media'), probeIntervalMs: 1000,
    allowedHosts: ['127.0.0.1'], onEvent: (e) => events.push(e), mediaMarks: marks,
  });
  try {
    const session = await pool.acquire({
      label: 'vu-g2g', media: { camera: { width: 320, height: 180, fps: 15 }, voiceActivity: 0.5 },
      recorder: { record: (metric, value, tags = {}) => void samples.push({ metric, value, tags, atMs: Date.now() }) },
      tags: { journey: 'loopback' }, timeoutMs: 60_000,
    });
    try {
      const phases = await play(session);
      await session.release();
      return { samples, events, phases, scored: await session.probe.scored() };
    } finally {
      await session.release();
    }
  } finally {
    await pool.close();
  }
}

describe('glass-to-glass and quality on an independent call page', () => {
  it('are plausible and stable, rise with a 300 ms jitter buffer, and the score falls with a capped sender', async () => {
    const { samples, events, phases, scored } = await measuredCall();
    expect(phases.camera).toMatchObject({ width: 320, height: 180, marked: true });
    expect(String(phases.camera['label'])).not.toBe('');
    const [a, b, d, c] = [phases.runA, phases.runB, phases.delayed, phases.capped].map((w) => figuresOf(samples, w)) as [Figures, Figures, Figures, Figures];
    const report: Record<string, unknown> = { runA: summary(a), runB: summary(b), delayed: summary(d), capped: summary(c) };
    const why = JSON.stringify({ report, warnings: events.filter((e) => e.type === 'warning').map((e) => e.message) });
    console.log(`glass-to-glass figures: ${JSON.stringify(report)}`);
    for (const run of [a, b]) {
      expect(run.video.length, why).toBeGreaterThanOrEqual(16); // 4 a second asked for, most frames readable
      expect(run.audio.length, why).toBeGreaterThanOrEqual(3); // a burst every 2 s
      for (const kind of ['video', 'audio'] as const) {
        expect(median(run[kind]), `${kind} ${why}`).toBeGreaterThan(10);
        expect(median(run[kind]), `${kind} ${why}`).toBeLessThan(300);
      }
      expect(median(run.psnr), why).toBeGreaterThan(30);
    }
    for (const kind of ['video', 'audio'] as const) {
      // stable run to run: what is not the jitter buffer (which adapts to the network and, on a
      // loaded generator, to its own jitter) stays within 40 ms for audio (measured 2-33 ms apart at
      // load average 12-20 on 2 cores) and within one frame interval of the 15 fps camera for video
      // (a frame held once more anywhere between capture and display moves the median by a whole
      // interval: 40.1 ms apart in a clean-clone CI, 44.5 vs 4.4 with both buffers at 6-8 ms; video
      // also waits for audio, as Chromium syncs a stream's tracks)
      const rest = (f: Figures) => median(f[kind]) - f.jb[kind];
      expect(Math.abs(rest(a) - rest(b)), `${kind} besides the jitter buffer ${why}`).toBeLessThan(kind === 'video' ? 1000 / 15 : 40);
      // a 300 ms jitter buffer target: the buffer grows to ~300 ms from what it held, and the
      // delays rise by that growth, as getStats' own jitterBufferDelay says (webrtc.jitter_buffer_ms)
      const jbRise = d.jb[kind] - b.jb[kind];
      const e2eRise = median(d[kind]) - median(b[kind]);
      console.log(`glass-to-glass ${kind} rise with jitterBufferTarget 300: e2e ${e2eRise.toFixed(1)} ms, jitter buffer ${jbRise.toFixed(1)} ms`);
      expect(jbRise, `${kind} ${why}`).toBeGreaterThan(100);
      // within 75 ms: measured 6-24 ms apart at load average 12-14, up to 44 at 20-27, and 58 on a
      // quiet machine (video e2e +333 ms, its buffer +275, the injected target 300): this page's
      // audio and video are one stream, so Chromium holds video for audio, and the video buffer's
      // growth is partly absorbed by, or adds to, a wait for audio
      expect(Math.abs(e2eRise - jbRise), `${kind} ${why}`).toBeLessThan(75);
    }
    expect(c.psnr.length, why).toBeGreaterThanOrEqual(2);
    expect(median(c.psnr), why).toBeLessThan(median([...a.psnr, ...b.psnr]) - 2);
    expect(median(c.ssim), why).toBeLessThan(median([...a.ssim, ...b.ssim]));
    expect(scored.rejected.length, why).toBeLessThanOrEqual(2);
  }, 150_000);

  it("with --media-marks on leave the camera alone, and still give audio e2e and the quality score", async () => {
    const { samples, phases } = await measuredCall({ qualityEveryMs: 1000 }, async (session) => {
      await callStarted(session);
      await sleep(2000);
      const run = await window(7000);
      const marked = await session.page.evaluate(`window.pcs.caller.getSenders().find((s) => s.track && s.track.kind === 'video').track instanceof MediaStreamTrackGenerator`);
      return { runA: run, runB: run, delayed: run, capped: run, camera: { marked } };
    });
    const f = figuresOf(samples, phases.runA);
    expect(phases.camera['marked']).toBe(false);
    expect(f.video).toEqual([]);
    expect(f.audio.length, JSON.stringify(summary(f))).toBeGreaterThanOrEqual(2);
    expect(f.psnr.length, JSON.stringify(summary(f))).toBeGreaterThanOrEqual(3);
    expect(median(f.psnr)).toBeGreaterThan(30);
  }, 90_000);
});
