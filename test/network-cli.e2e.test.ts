// Networks through the real command against the reference Waddle, from a plan file outside the
// repo: the plan shape of issue 16. Two users in a video call, both on a network with 100 ms of
// delay towards them: the RTT threshold filtered on the network tag holds (exit 0); the same plan
// without the network line fails it (exit 3: no series carries network:slow). The same two runs
// measure glass-to-glass: the threshold on media.video_e2e_ms turns the camera stamp on, and
// video and audio e2e rise by the injected 100 ms against the unimpaired run. The refusals (dry
// runs, no browser) are in network-refusals.parallel.e2e.test.ts.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunSummary } from '../metrics/run-summary.ts';
import type { IntervalSnapshot } from '../metrics/types.ts';
import { runCli } from './helpers/cli.ts';

let dir: string;
beforeAll(async () => void (dir = await mkdtemp(join(os.tmpdir(), 'waddle-fleet-network-'))));
afterAll(() => rm(dir, { recursive: true, force: true }));

const plan = (name: string, network: string) => `import { definePlan } from 'waddle-fleet';
export default definePlan({
  name: '${name}',
  phases: [{ name: 'call', targetUsers: 2, rampUp: '0s', duration: '25s',
    scenarios: [{ journey: 'videoCall', users: 2, params: { roomSize: 2 }${network} }] }],
  thresholds: { 'webrtc.rtt_ms{network:slow}': ['p(50)>150', 'p(50)<400'], 'media.video_e2e_ms{network:slow}': ['p(50)>100'],
    // read back (always hold): the receivers' jitter buffers, which adapt to a loaded machine
    'webrtc.jitter_buffer_ms{kind:video,direction:inbound}': ['p(50)>=0'], 'webrtc.jitter_buffer_ms{kind:audio,direction:inbound}': ['p(50)>=0'] },
  gracefulStop: '30s',
});
`;

async function run(name: string, network: string): Promise<{ code: number; out: string; summary: RunSummary }> {
  await writeFile(join(dir, `${name}.ts`), plan(name, network));
  const results = join(dir, `results-${name}`);
  const r = await runCli(['run', join(dir, `${name}.ts`), '--results', results, '--no-progress', '--seed', '3', '--interval', '2s'], { cwd: dir });
  const [runDir] = (await readdir(results)).filter((d) => d !== 'latest');
  return { code: r.code ?? -1, out: r.stdout + r.stderr, summary: JSON.parse(await readFile(join(results, runDir!, 'summary.json'), 'utf8')) as RunSummary };
}

it('a network on a scenario moves webrtc.rtt_ms{network:slow} by its delay: exit 0 with it, 3 without', { timeout: 240_000 }, async () => {
  // one after the other, each alone: side by side (tried for the suite's time) the slow run's RTT
  // read 289 ms, past its band, at load average 25 — as this order did at 32, so not shown sound
  const slow = await run('net-slow', `, network: { name: 'slow', down: { delayMs: 100 } }`);
  expect(slow.out).toContain('network relay: turn:127.0.0.1:');
  expect(slow.out, slow.out).toContain('verdict: PASS');
  expect(slow.code).toBe(0);
  const plan = slow.summary.plan as { networkMechanism?: string; networks?: Record<string, unknown> };
  expect(plan.networkMechanism).toMatch(/TURN relay/);
  expect(Object.keys(plan.networks ?? {})).toEqual(['slow']);
  const rtt = slow.summary.thresholds.find((t) => t.metric === 'webrtc.rtt_ms{network:slow}')!;
  console.log(`webrtc.rtt_ms{network:slow} p50 ${rtt.observed} ms (load average ${os.loadavg()[0]!.toFixed(1)})`);
  expect(rtt.observed).toBeGreaterThan(180); // 2 × 100 ms (each user's down delay is one leg of the other's round trip) + loopback
  expect(rtt.observed).toBeLessThan(260); // 237 ms measured at load average 12 (other tests on the 2 cores); 209 at the page test

  const plain = await run('net-plain', '');
  expect(plain.out).not.toContain('network relay: turn:');
  expect(plain.code).toBe(3); // no metric carries network:slow: the threshold has no data

  // glass-to-glass against the unimpaired run: each user's media comes to it over its own 100 ms
  // downlink, so video and audio e2e rise by 100 ms besides what the receivers' jitter buffers
  // added (they adapt to load: NetEq grew by 200 ms on a machine at load average 15)
  const p50 = (s: RunSummary, metric: string) => s.metrics.find((m) => m.metric === metric)?.p50 ?? NaN;
  const jb = (s: RunSummary, kind: string) => s.thresholds.find((t) => t.metric === `webrtc.jitter_buffer_ms{kind:${kind},direction:inbound}`)?.observed ?? NaN;
  const figures = (kind: 'video' | 'audio') => {
    const e2e = [p50(plain.summary, `media.${kind}_e2e_ms`), p50(slow.summary, `media.${kind}_e2e_ms`)];
    const buffer = [jb(plain.summary, kind), jb(slow.summary, kind)];
    return { e2e, buffer, rise: e2e[1]! - e2e[0]!, riseBesidesBuffer: e2e[1]! - e2e[0]! - (buffer[1]! - buffer[0]!) };
  };
  const video = figures('video');
  const audio = figures('audio');
  const load = os.loadavg()[0]!;
  console.log(`glass-to-glass p50 with 100 ms down (plain → slow): ${JSON.stringify({ video, audio })} (load average ${load.toFixed(1)})`);
  const margin = load < 3 ? 20 : 50;
  expect(Math.abs(video.riseBesidesBuffer - 100)).toBeLessThanOrEqual(margin);
  expect(Math.abs(audio.riseBesidesBuffer - 100)).toBeLessThanOrEqual(margin);
});

it('protocol users: a delay towards some shows in their chat delivery, not in the unimpaired observers\'', { timeout: 120_000 }, async () => {
  const name = 'net-protocol';
  await writeFile(join(dir, `${name}.ts`), `import { definePlan } from 'waddle-fleet';
export default definePlan({
  name: '${name}',
  networks: [{ name: 'far', down: { delayMs: 150 } }],
  phases: [{ name: 'chat', targetUsers: 6, rampUp: '1s', duration: '10s',
    scenarios: [{ journey: 'chatMessaging', driver: 'protocol', users: 6, params: { count: 4, intervalMs: 1000, receiveMs: 2000 }, network: { far: 1, none: 1 } }] }],
  thresholds: { 'chat.delivery_ms{network:far}': ['p(50)>0'], 'chat.delivery_ms{network:none}': ['p(50)>0'] },
});
`);
  const results = join(dir, `results-${name}`);
  const r = await runCli(['run', join(dir, `${name}.ts`), '--results', results, '--no-progress', '--seed', '5'], { cwd: dir });
  expect(r.stdout + r.stderr).not.toContain('network relay: turn:'); // no browser user: no relay
  // judged by its figures: both thresholds had data (a busy shared machine may make the verdict inconclusive, exit 4)
  expect([0, 4], r.stdout + r.stderr).toContain(r.code ?? -1);
  const [runDir] = (await readdir(results)).filter((d) => d !== 'latest');
  const summary = JSON.parse(await readFile(join(results, runDir!, 'summary.json'), 'utf8')) as RunSummary;
  const p50 = (network: string) => summary.thresholds.find((t) => t.metric === `chat.delivery_ms{network:${network}}`)!.observed!;
  console.log(`chat.delivery_ms p50: far ${p50('far')} ms, none ${p50('none')} ms (load average ${os.loadavg()[0]!.toFixed(1)})`);
  expect(p50('none')).toBeLessThan(100); // the observers: loopback
  expect(p50('far') - p50('none')).toBeGreaterThan(130); // + 150 ms towards the far users
  expect(p50('far') - p50('none')).toBeLessThan(200);
});

// One call on the reference Waddle for two causes, each user's figures from the same run: A's
// downlink is capped at 300 kbit/s by a schedule step at 24 s; B loses 5% of what comes to it.
it('reference Waddle: a schedule step caps one user\'s downlink at 300 kbit/s mid-call (shown within one interval, the sender backs off); the other loses 5 ± 1% of its inbound audio', { timeout: 180_000 }, async () => {
  const name = 'net-capped';
  await writeFile(join(dir, `${name}.ts`), `import { definePlan } from 'waddle-fleet';
export default definePlan({
  name: '${name}',
  networks: [{ name: 'capped', schedule: [{ at: '24s', down: { rateKbps: 300, queuePackets: 50 } }] }, { name: 'lossy', down: { lossPercent: 5 } }],
  phases: [{ name: 'call', targetUsers: 2, rampUp: '0s', duration: '52s',
    scenarios: [{ journey: 'videoCall', users: 2, params: { roomSize: 2, holdMs: 50000 }, network: { capped: 1, lossy: 1 } }] }],
  gracefulStop: '30s',
});
`);
  const results = join(dir, `results-${name}`);
  // --media-marks on: every receiver scores a decoded frame against the fake camera every 5 s
  const r = await runCli(['run', join(dir, `${name}.ts`), '--results', results, '--no-progress', '--seed', '4', '--interval', '2s', '--probe-interval', '1s', '--media-marks', 'on'], { cwd: dir });
  expect([0, 3, 4], r.stdout + r.stderr).toContain(r.code ?? -1); // judged below by its figures, not its gate
  const [runDir] = (await readdir(results)).filter((d) => d !== 'latest');
  const intervals = (await readFile(join(results, runDir!, 'intervals.ndjson'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as IntervalSnapshot);
  const loadStart = intervals.find((i) => i.phase === 'call')!.startMs;
  const per = (metric: string, network: string, direction: string, kind = 'video') => intervals.map((i) => {
    const series = i.series.filter((s) => s.metric === metric && s.tags['network'] === network && s.tags['kind'] === kind && s.tags['direction'] === direction);
    if (metric === 'webrtc.packets_lost_pct' && series.length) {
      // packets lost in the interval, from its received packets and the probe's loss share (lost = received × pct / (100 − pct))
      const received = i.series.filter((s) => s.metric === 'webrtc.packets' && s.tags['network'] === network && s.tags['kind'] === kind && s.tags['direction'] === direction).reduce((n, s) => n + s.sum, 0);
      const pct = series.reduce((n, s) => n + s.sum, 0) / series.reduce((n, s) => n + s.count, 0);
      return { atS: (i.startMs - loadStart) / 1000, mean: (received * pct) / (100 - pct), max: received };
    }
    const count = series.reduce((n, s) => n + s.count, 0);
    return { atS: (i.startMs - loadStart) / 1000, mean: count ? series.reduce((n, s) => n + s.sum, 0) / count : undefined, max: Math.max(-1, ...series.map((s) => s.max)) };
  }).filter((x) => x.mean !== undefined);
  const inbound = per('webrtc.bitrate_kbps', 'capped', 'inbound');
  console.log(JSON.stringify(inbound.map((x) => [x.atS, Math.round(x.mean!), Math.round(x.max)])));
  const before = inbound.filter((x) => x.atS >= 10 && x.atS < 23);
  const after = inbound.filter((x) => x.atS >= 26 && x.atS < 44);
  expect(Math.max(...before.map((x) => x.mean!))).toBeGreaterThan(330); // the cap binds: more flowed before it
  expect(after.length).toBeGreaterThan(4);
  expect(Math.max(...after.map((x) => x.max))).toBeLessThanOrEqual(300); // every probe sample after the step, within one interval of it
  // the sender (the unimpaired user) sees the bottleneck: bandwidth-limited, or a smaller picture
  const limited = per('webrtc.quality_limited_bandwidth', 'lossy', 'outbound').filter((x) => x.atS >= 26);
  const height = per('webrtc.frame_height_px', 'lossy', 'outbound');
  const heightBefore = Math.max(...height.filter((x) => x.atS < 23).map((x) => x.mean!));
  const heightAfter = Math.min(...height.filter((x) => x.atS >= 30).map((x) => x.mean!));
  expect(limited.some((x) => x.mean! > 0) || heightAfter < heightBefore).toBe(true);
  // and A sees it: the quality score of what it decodes falls once its downlink is capped
  const psnr = (fromS: number, toS: number) => {
    const series = intervals.filter((i) => (i.startMs - loadStart) / 1000 >= fromS && (i.startMs - loadStart) / 1000 < toS)
      .flatMap((i) => i.series.filter((x) => x.metric === 'media.video_psnr_db' && x.tags['network'] === 'capped'));
    return series.reduce((n, x) => n + x.sum, 0) / series.reduce((n, x) => n + x.count, 0);
  };
  console.log(`capped user's PSNR: ${psnr(8, 24).toFixed(1)} dB before the cap, ${psnr(30, 52).toFixed(1)} dB after`);
  expect(psnr(30, 52)).toBeLessThan(psnr(8, 24) - 0.5); // 29.3 → 26.8 dB measured (load average ~2)
  // B's inbound audio: 5 ± 1% lost over ≥ 2,000 packets; A's, before its cap: ≈ 0
  const lostB = per('webrtc.packets_lost_pct', 'lossy', 'inbound', 'audio');
  const [lost, received] = [lostB.reduce((n, x) => n + x.mean!, 0), lostB.reduce((n, x) => n + x.max, 0)];
  const lostA = per('webrtc.packets_lost_pct', 'capped', 'inbound', 'audio').filter((x) => x.atS < 23);
  console.log(JSON.stringify({ lost, received, lossPct: (100 * lost) / (lost + received), lostABeforeCap: lostA.reduce((n, x) => n + x.mean!, 0), receivedABeforeCap: lostA.reduce((n, x) => n + x.max, 0) }));
  expect(lost + received).toBeGreaterThanOrEqual(2000);
  // 5 ± 1%, or the binomial 99.9% band when wider (σ = 0.46% at 2,300 packets: ±1% alone fails ~3% of correct runs)
  const band = Math.max(1, 3.3 * 100 * Math.sqrt((0.05 * 0.95) / (lost + received)));
  expect((100 * lost) / (lost + received)).toBeGreaterThan(5 - band);
  expect((100 * lost) / (lost + received)).toBeLessThan(5 + band);
  expect(lostA.reduce((n, x) => n + x.mean!, 0)).toBeLessThan(0.005 * lostA.reduce((n, x) => n + x.max, 0) + 1);
});
