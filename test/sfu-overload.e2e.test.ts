// Issue 17: overload pinned on the target's SFU. A hybrid SFU room (2 browser users + 4
// protocolMedia users, one roomGroup) against the reference Waddle in SFU mode, in two phases of
// one run: `calm`, Janus uncapped, then `overload`, Janus capped at a fraction of a core (an
// injected, known cause: a cgroup CPU quota, as a container's CPU limit gives a media server in
// production; reference-waddle/sfu/cpu-limit.ts). The 4 protocolMedia users' streams need more
// than the cap (the 2 browsers' alone would not), so Janus saturates at its cap. The browser users
// must feel it (inbound video fps and loss in `overload` against `calm`, same users, same call),
// the verdict must be FAIL (exit 3) on the plan's browser fps/loss thresholds of `overload` while
// those of `calm` hold, the generator must not be saturated, and the findings must blame the
// target's SFU CPU (target_sfu_cpu, judged against its limit) — not the generator.
// The cap is switched by this test when the run's events say `overload` started.
// KEEP_SFU_OVERLOAD=1 keeps the run folder (its path is in the output) to read after a failure.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../metrics/run-summary.ts';
import { analyseRun } from '../reports/bottlenecks.ts';
import { readRunForReport } from '../reports/run-folder-reader.ts';
import { cpuLimitProblem } from '../reference-waddle/sfu/cpu-limit.ts';
import { findJanus } from '../reference-waddle/sfu/janus-process.ts';
import { startReferenceWaddle, type ReferenceWaddle } from '../reference-waddle/server.ts';
import { startCli } from './helpers/cli.ts';

/** Janus's cap in `overload`, in cores: uncapped it took ~15–20% of a core for this room (README) */
const CAP_CORES = 0.03;
const inVideo = 'driver:browser,kind:video,direction:inbound';
const plan = `import { definePlan } from 'waddle-fleet';
const call = { roomGroup: 'overload', holdMs: 60000, remoteMediaTimeoutMs: 20000 };
const users = [
  { journey: 'videoCall', driver: 'browser', users: 2, params: { ...call, roomSize: 2 } },
  { journey: 'videoCall', driver: 'protocolMedia', users: 4, params: { ...call, roomSize: 4 } },
];
export default definePlan({
  name: 'sfu-overload',
  media: { camera: { width: 320, height: 240, fps: 15 } },
  phases: [
    { name: 'calm', targetUsers: 6, rampUp: '2s', duration: '14s', scenarios: users },
    { name: 'overload', targetUsers: 6, rampUp: '0s', duration: '16s', scenarios: users },
  ],
  gracefulStop: '10s',
  thresholds: {
    'webrtc.fps{${inVideo},phase:calm}': ['p(50)>=12'],
    'webrtc.packets_lost_pct{${inVideo},phase:calm}': ['p(95)<2'],
    'webrtc.fps{${inVideo},phase:overload}': ['p(50)>=12'],
    'webrtc.packets_lost_pct{${inVideo},phase:overload}': ['p(95)<2'],
  },
});
`;

interface Sample { metric: string; value: number; tags: Record<string, string>; timeMs: number }

const runnable = !('problem' in findJanus()) && cpuLimitProblem() === undefined;
let dir: string;
let waddle: ReferenceWaddle;

beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'waddle-fleet-sfu-overload-'));
  if (runnable) waddle = await startReferenceWaddle({ port: 0, media: 'sfu' });
}, 60_000);
afterAll(async () => {
  await waddle?.stop();
  if (!process.env['KEEP_SFU_OVERLOAD']) await rm(dir, { recursive: true, force: true });
});

/** Caps Janus once the run's events.ndjson says the `overload` phase started. */
async function capAtOverload(results: string, done: Promise<unknown>): Promise<number | undefined> {
  let finished = false;
  void done.then(() => (finished = true));
  while (!finished) {
    const [runDir] = (await readdir(results).catch(() => [] as string[])).filter((d) => d !== 'latest');
    const events = runDir ? await readFile(join(results, runDir, 'events.ndjson'), 'utf8').catch(() => '') : '';
    if (/"type":"phase_start"[^\n]*"message":"overload"/.test(events)) {
      await waddle.setSfuCpuLimit!(CAP_CORES);
      return Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}

describe.runIf(runnable)('overload pinned on the SFU', () => {
  it('Janus at its CPU cap: browser users lose fps and packets, the verdict is FAIL, the report blames the target SFU, not the generator', async () => {
    await writeFile(join(dir, 'plan.ts'), plan);
    const results = join(dir, 'results');
    const cli = startCli(['run', join(dir, 'plan.ts'), '--target', waddle.url, '--results', results, '--no-progress', '--no-report', '--seed', '7', '--interval', '2s'], { cwd: dir });
    const cappedAt = await capAtOverload(results, cli.done);
    const { code } = await cli.done;
    const output = cli.output();
    expect(cappedAt, output).toBeDefined();
    const [runDir] = (await readdir(results)).filter((d) => d !== 'latest');
    const folder = join(results, runDir!);
    const summary = JSON.parse(await readFile(join(folder, 'summary.json'), 'utf8')) as RunSummary;

    // the generator held: the failure is the target's
    expect(summary.generator.saturated, output).toBe(false);
    expect(code, output).toBe(3);
    expect(summary.journeys.videoCall?.started, output).toBe(6);
    const byName = (phase: string, metric: string) => summary.thresholds.filter((t) => t.metric.startsWith(`${metric}{`) && t.metric.includes(`phase:${phase}`));
    // calm holds, overload fails: the cap moved the figures, not the room or the users
    for (const metric of ['webrtc.fps', 'webrtc.packets_lost_pct']) {
      expect(byName('calm', metric).map((t) => t.ok), `${metric} calm\n${output}`).toEqual([true]);
    }
    expect(byName('overload', 'webrtc.fps').concat(byName('overload', 'webrtc.packets_lost_pct')).some((t) => !t.ok), output).toBe(true);

    // samples carry no phase tag: split them at the moment the cap went on (one clock, this machine)
    const samples = (await readFile(join(folder, 'samples.ndjson'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Sample);
    const browserVideo = (metric: string, from: number, to: number) =>
      samples.filter((s) => s.metric === metric && s.tags['driver'] === 'browser' && s.tags['kind'] === 'video' && s.tags['direction'] === 'inbound' && s.timeMs >= from && s.timeMs < to).map((s) => s.value);
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? NaN;
    const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);
    const calm = [cappedAt! - 8000, cappedAt!] as const;
    const overload = [cappedAt! + 1000, Infinity] as const;
    const fpsCalm = median(browserVideo('webrtc.fps', ...calm));
    const fpsOverload = median(browserVideo('webrtc.fps', ...overload));
    const lossCalm = Math.max(...browserVideo('webrtc.packets_lost_pct', ...calm));
    const lossOverload = Math.max(...browserVideo('webrtc.packets_lost_pct', ...overload));
    const freezesCalm = sum(browserVideo('webrtc.video.freeze_count', ...calm));
    const freezesOverload = sum(browserVideo('webrtc.video.freeze_count', ...overload));
    const figures = `browser inbound video, calm → overload: fps p50 ${fpsCalm} → ${fpsOverload}, loss max ${lossCalm} → ${lossOverload}%, freezes ${freezesCalm} → ${freezesOverload}`;
    console.log(figures);
    expect(fpsCalm, figures).toBeGreaterThanOrEqual(12);
    expect(lossCalm, figures).toBeLessThan(2);
    expect(fpsOverload < fpsCalm * 0.8 || lossOverload > 5 || freezesOverload > freezesCalm + 2, figures).toBe(true);

    // the report's findings: the target's SFU at its CPU limit, not the generator
    const run = await readRunForReport(folder);
    const findings = analyseRun(run.summary, run.intervals).findings;
    const sfu = findings.find((f) => f.type === 'target_sfu_cpu');
    expect(sfu, JSON.stringify(findings.map((f) => [f.type, f.severity, f.details]))).toBeDefined();
    expect(['high', 'critical']).toContain(sfu!.severity);
    expect(sfu!.details).toMatch(/of its CPU limit/);
    expect(findings.filter((f) => f.type === 'generator_saturation')).toEqual([]);
  }, 120_000);
});
