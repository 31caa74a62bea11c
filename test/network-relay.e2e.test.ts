// A network per user, proven on a call page that is not ours (test/fixtures/two-page-call): real
// Chromium, real WebRTC, the fleet's relay in its thread. One 2-user call, both users' figures
// from the same run: A's profile is 100 ms each way and 5% loss towards A (no bursts); B has none
// (it talks to A's relay address directly). The injected cause must show by its size: A's inbound
// audio loses 5 ± 1% over ≥ 2,500 packets, B's ≈ 0; the RTT is 200 ± 20 ms above loopback's; A's
// MOS is what the E-model says for that loss and delay.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BrowserPool } from '../fleet/pool/browser-pool.ts';
import { estimateMos } from '../in-page/e-model.ts';
import type { Tags } from '../metrics/types.ts';
import { NetworkRelay } from '../network/relay/relay.ts';

const fixture = new URL('./fixtures/two-page-call/index.html', import.meta.url);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** ± percentage points a 5% independent loss stays within over n packets: 1, or 3.3 σ (99.9%) when wider. */
const lossBand = (n: number) => Math.max(1, 3.3 * 100 * Math.sqrt((0.05 * 0.95) / n));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

let server: http.Server;
let baseUrl: string;
beforeAll(async () => {
  const html = await readFile(fixture);
  server = http.createServer((_req, res) => res.setHeader('content-type', 'text/html').end(html));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise((r) => server.close(r)));

/** The page's own inbound audio counters and RTT (what the test judges by, beside the probe's samples). */
const audioIn = `(async () => { const o = { lost: 0, received: 0, rtt: undefined }; (await pc.getStats()).forEach((s) => {
  if (s.type === 'inbound-rtp' && s.kind === 'audio') { o.lost += s.packetsLost; o.received += s.packetsReceived; }
  if (s.type === 'remote-inbound-rtp' && s.kind === 'audio' && s.roundTripTime !== undefined) o.rtt = s.roundTripTime * 1000; }); return o; })()`;
type AudioIn = { lost: number; received: number; rtt?: number };

it('applies one user\'s loss and delay to all its media and to nobody else\'s', { timeout: 150_000 }, async () => {
  const samples: { metric: string; value: number; tags: Tags }[] = [];
  const recorder = { record: (metric: string, value: number, tags: Tags = {}) => void samples.push({ metric, value, tags }) };
  const pool = await BrowserPool.launch({ maxBrowsers: 1, contextsPerBrowser: 2, mediaCacheDir: join(tmpdir(), 'waddle-fleet-test-media'), probeIntervalMs: 1000, allowedHosts: ['127.0.0.1'], onEvent: () => {} });
  const relay = await NetworkRelay.start(pool.peerAddresses);
  try {
    const media = { camera: { width: 320, height: 180, fps: 15 } };
    const profile = { name: 'lossy-slow', up: { delayMs: 100 }, down: { delayMs: 100, lossPercent: 5 } };
    const a = await pool.acquire({ label: 'vu-a', media, recorder, tags: { journey: 'call', network: 'lossy-slow' }, timeoutMs: 60_000, relay: relay.addUser('vu-a', profile, 7) });
    const b = await pool.acquire({ label: 'vu-b', media, recorder, tags: { journey: 'call', network: 'none' }, timeoutMs: 60_000 });
    relay.loadStarted();
    // two audio streams a side (the mic and its clone): 100 audio packets a second, so the 2,500
    // the loss band needs come in ~25 s of call, not ~50; the relay drops each packet on its own
    await Promise.all([a.page.goto(`${baseUrl}?audio=2`), b.page.goto(`${baseUrl}?audio=2`)]);
    const offer = await a.page.evaluate('offer()');
    expect(JSON.stringify(offer)).toMatch(/typ relay/); // A offers the relay only
    expect(JSON.stringify(offer)).not.toMatch(/typ host/);
    await a.page.evaluate(`accept(${JSON.stringify(await b.page.evaluate(`answer(${JSON.stringify(offer)})`))})`);
    let inA: AudioIn = { lost: 0, received: 0 };
    const deadline = Date.now() + 100_000;
    while (inA.lost + inA.received < 2500 && Date.now() < deadline) {
      await sleep(2000);
      inA = (await a.page.evaluate(audioIn)) as AudioIn;
    }
    const inB = (await b.page.evaluate(audioIn)) as AudioIn;
    const counts = (await relay.counts()).counts['vu-a']!;
    await Promise.all([a.release(), b.release()]);

    expect(inA.lost + inA.received).toBeGreaterThanOrEqual(2500);
    const lossA = (100 * inA.lost) / (inA.lost + inA.received);
    // 5 ± 1%, or the binomial 99.9% band when that is wider: independent 5% loss over ~2,500
    // packets has σ = 0.44%, so ±1% alone fails ~2% of correct runs (a clean-clone CI run read 6.06%)
    const band = lossBand(inA.lost + inA.received);
    expect(lossA).toBeGreaterThan(5 - band);
    expect(lossA).toBeLessThan(5 + band);
    expect((100 * inB.lost) / (inB.lost + inB.received)).toBeLessThan(0.5);
    expect(counts.down.lost / counts.down.packets).toBeCloseTo(0.05, 1); // the relay's own count agrees
    expect(counts.up.lost).toBe(0);

    const of = (metric: string, network: string, kind = 'audio', direction = 'inbound') =>
      samples.filter((s) => s.metric === metric && s.tags['network'] === network && s.tags['kind'] === kind && s.tags['direction'] === direction).map((s) => s.value);
    const rttA = median(of('webrtc.rtt_ms', 'lossy-slow', 'audio', 'outbound'));
    const rttB = median(of('webrtc.rtt_ms', 'none', 'audio', 'outbound'));
    expect(rttA).toBeGreaterThan(180); // loopback's 1–2 ms + 2 × 100 ms
    // 200 ± 20 on a quiet machine (209 ms at load average 12); on a saturated one (load average > 8 on
    // these 2 cores) the relay thread and the renderers wait for a CPU: 235 ms measured at 21
    expect(rttA).toBeLessThan(os.loadavg()[0]! > 8 ? 260 : 225);
    expect(rttB).toBeGreaterThan(180); // the round trip is the same path seen from the other end
    const mosA = median(of('webrtc.audio.mos', 'lossy-slow'));
    const mosB = median(of('webrtc.audio.mos', 'none'));
    const jitterBufferMs = median(of('webrtc.jitter_buffer_ms', 'lossy-slow'));
    const expected = estimateMos({ rttMs: rttA, lossPct: 5, jitterBufferMs });
    // the probe scores each sample on its own loss and jitter buffer: NetEq's buffer swings under
    // loss (median 199 ms in one quiet run), and a 1 s sample of 50 packets a stream loses 0, 1, 2,
    // 3… of them (binomial: the median sample's loss is under 5%). So the median MOS lies where the
    // E-model puts the middle half of those buffers and of those samples' losses
    const quartiles = (xs: number[]) => {
      const sorted = [...xs].sort((x, y) => x - y);
      return (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    };
    const buffers = quartiles(of('webrtc.jitter_buffer_ms', 'lossy-slow'));
    const losses = quartiles(of('webrtc.packets_lost_pct', 'lossy-slow'));
    const range = [estimateMos({ rttMs: rttA, lossPct: losses(0.75), jitterBufferMs: buffers(0.75) }), estimateMos({ rttMs: rttA, lossPct: losses(0.25), jitterBufferMs: buffers(0.25) })];
    console.log(JSON.stringify({ lossA, inA, inB, rttA, rttB, mosA, mosB, expected, range, jitterBufferMs, lossQuartiles: [losses(0.25), losses(0.75)], counts }));
    const expectedB = estimateMos({ rttMs: rttB, lossPct: 0, jitterBufferMs: median(of('webrtc.jitter_buffer_ms', 'none')) });
    expect(mosA).toBeGreaterThan(range[0]! - 0.2);
    expect(mosA).toBeLessThan(range[1]! + 0.2);
    expect(Math.abs(mosB - expectedB)).toBeLessThan(0.35);
    expect(mosB - mosA).toBeGreaterThan(0.5); // same delay, no loss: 5% loss costs A ~0.9–1.3 MOS
  } finally {
    await relay.close();
    await pool.close();
  }
});
