// The README's main job, end to end: the smoke plan (8 browser users, all six journeys, fake
// media) against a reference Waddle the command starts itself. What issues #3 and #4 call done:
// every journey completes, every step is counted, WebRTC samples for every media kind, chat
// delivery measured at receivers, generator load sampled, a verdict, and no browser left behind;
// issue 19: its browsers start before load and its users one at a time.
import { mkdtemp, readFile, rm, readdir } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../metrics/run-summary.ts';
import type { IntervalSnapshot } from '../metrics/types.ts';
import { smoke } from '../plans/shipped/smoke.ts';
import { takeBesideLane } from './helpers/beside-lane.ts';
import { playwrightChromiumPids, runCli } from './helpers/cli.ts';

let results: string;
// it runs beside group 0 (vitest.config.ts besideGroup0), one heavy file at a time
let leaveLane: (() => Promise<void>) | undefined;
beforeAll(async () => void (leaveLane = await takeBesideLane()), 900_000);
afterAll(async () => {
  await leaveLane?.();
  if (results) await rm(results, { recursive: true, force: true });
});

describe('npm run demo: the smoke plan against the reference Waddle', () => {
  it('runs every journey in real browsers and measures what the issues ask for', async () => {
    results = await mkdtemp(join(os.tmpdir(), 'waddle-fleet-smoke-'));
    const r = await runCli(['run', 'smoke', '--results', results, '--no-progress', '--seed', '1']);
    const output = r.stdout + r.stderr;
    const runDir = join(results, (await readdir(results)).find((d) => d !== 'latest')!);
    const summary = JSON.parse(await readFile(join(runDir, 'summary.json'), 'utf8')) as RunSummary;

    // a verdict, and the exit code that goes with it
    expect(output).toMatch(/verdict: (PASS|FAIL|INCONCLUSIVE)/);
    // videoCall, screenShare…: --frame-rate auto leaves the pages of a plan with calls at the browser's own rate
    expect(output).toMatch(/not paced \(--frame-rate auto: /);
    expect(r.code).toBe(summary.verdict.exitCode);
    if (summary.verdict.result !== 'pass') {
      // on a loaded machine the generator may saturate; then it must say so rather than blame Waddle
      // the reasons and the steps' own failure messages, so a failure on CI can be diagnosed from its log
      const events = (await readFile(join(runDir, 'events.ndjson'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { type: string; message?: string });
      const stepErrors = events.filter((e) => e.type === 'step_error').map((e) => e.message).slice(0, 10);
      expect(summary.verdict.result, [...summary.verdict.reasons, ...stepErrors].join('\n')).toBe('inconclusive');
      expect(summary.generator.saturated).toBe(true);
    }

    // issue 19: no Chromium start inside the measured window (every browser started before the
    // load's first user), users start one at a time (2.5 s apart as planned, not 6 at once), and the
    // terminal says the generator's CPU p95
    const events = (await readFile(join(runDir, 'events.ndjson'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { type: string; timeMs: number; data?: { prelaunched?: boolean } });
    const loadStartMs = events.find((e) => e.type === 'phase_start')!.timeMs;
    const launches = events.filter((e) => e.type === 'browser_launch');
    expect(launches.length).toBeGreaterThanOrEqual(1);
    for (const launch of launches) expect([launch.data?.prelaunched, launch.timeMs < loadStartMs]).toEqual([true, true]);
    const starts = events.filter((e) => e.type === 'user_start').map((e) => e.timeMs);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!, `user ${i} started right after user ${i - 1}`).toBeGreaterThan(1000);
    expect(output).toMatch(/generator: CPU p95 \d+(\.\d)?% max/);

    // every journey of the plan completed at least once; every step counted
    const journeys = smoke.phases[0]!.scenarios.map((s) => s.journey);
    for (const j of journeys) expect(summary.journeys[j]?.completed ?? 0, `${j} completed`).toBeGreaterThanOrEqual(1);
    expect(summary.users.started).toBe(8);
    expect(summary.users.started).toBe(summary.users.completed + summary.users.failed + summary.users.interrupted);
    expect(summary.steps.length).toBeGreaterThan(10);
    for (const step of summary.steps) expect(step.count, `${step.journey}/${step.step}`).toBeGreaterThan(0);

    // WebRTC samples for every media kind, both directions, from the in-page probe
    const intervals = (await readFile(join(runDir, 'intervals.ndjson'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as IntervalSnapshot);
    const seen = new Set<string>();
    for (const i of intervals) for (const s of i.series) if (s.metric === 'webrtc.bitrate_kbps' && s.count > 0) seen.add(`${s.tags.kind}/${s.tags.direction}`);
    for (const k of ['audio/outbound', 'audio/inbound', 'video/outbound', 'video/inbound', 'screen/outbound', 'screen/inbound']) expect(seen, k).toContain(k);

    const metric = (name: string) => summary.metrics.find((m) => m.metric === name);
    expect(metric('chat.delivery_ms')?.count ?? 0).toBeGreaterThan(0);
    expect(metric('chat.send_ack_ms')?.count ?? 0).toBeGreaterThan(0);
    // users who joined later were seen coming online by those already in: measured, and bounded
    // only against "never" (this file runs beside group 0, where no latency may be judged: its
    // p95 read 11.3 s at load average 12)
    const presence = metric('presence.propagation_ms');
    expect(presence?.count ?? 0).toBeGreaterThan(0);
    expect(presence?.p95 ?? Infinity).toBeLessThan(30_000);
    expect(metric('webrtc.packets')?.sum ?? 0).toBeGreaterThan(0);
    expect(metric('webrtc.audio.mos')?.count ?? 0).toBeGreaterThan(0);
    expect(metric('generator.cpu_pct')?.count ?? 0).toBeGreaterThan(0);
    expect(metric('target.ws_connections')?.count ?? 0).toBeGreaterThan(0);
    expect(metric('upload.bytes')?.sum ?? 0).toBeGreaterThanOrEqual(1024 * 1024);

    expect(playwrightChromiumPids(r.pid)).toEqual([]);
  });
});
