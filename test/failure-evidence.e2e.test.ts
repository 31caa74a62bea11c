// Evidence of failures, like Playwright gives (issue 12): through the real command, a videoCall
// user alone in its room times out in wait_remote_video, and a plan journey logs a console error
// (with a secret in it) then fails a step on every iteration. The run folder must hold, for the
// first few failures per journey and step only, a PNG screenshot of the Waddle page as it was, an
// inert DOM snapshot and the console log (secret redacted), listed in summary.json and linked from
// report.html. And a hung page cannot hold its user: capture is bounded.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FailureEvidenceRecorder } from '../fleet/evidence/failure-evidence.ts';
import { watchPageConsole } from '../fleet/evidence/page-console.ts';
import type { FailureEvidence, RunSummary } from '../metrics/run-summary.ts';
import { playwrightChromiumPids, runCli } from './helpers/cli.ts';

const secret = 's3cret-evidence-token-4711';
const perStepCap = 3;
let dir: string;

/** withVideo: a videoCall user alone in its room beside pageLogs; else pageLogs alone, failing every other iteration */
const planOf = (durationS: number, withVideo: boolean): string => `import { definePlan, defineJourney } from 'waddle-fleet';
const iterations = new Map();
const pageLogs = defineJourney({
  name: 'pageLogs',
  description: 'logs a console error carrying a secret, then fails a critical step every failEvery-th iteration',
  defaults: { failEvery: 1 },
  async run(ctx) {
    const n = (iterations.get(ctx.user.index) ?? 0) + 1;
    iterations.set(ctx.user.index, n);
    await ctx.step('connect', () => ctx.client.connect());
    await ctx.step('log_and_fail', async () => {
      await ctx.page.evaluate((t) => console.error('evidence-marker: the server said no, token=' + t), process.env.WADDLE_FLEET_INFLUX_TOKEN);
      if (n % ctx.params.failEvery === 0) throw new Error('the page said no (token ' + process.env.WADDLE_FLEET_INFLUX_TOKEN + ')');
    });
  },
});
export default definePlan({
  name: 'evidence',
  journeys: [pageLogs],
  phases: [{ name: 'steady', targetUsers: ${withVideo ? 2 : 1}, rampUp: '1s', duration: '${durationS}s', scenarios: [
    ${withVideo ? "{ journey: 'videoCall', users: 1, params: { roomSize: 1, holdMs: 200, remoteMediaTimeoutMs: 2000 } }," : ''}
    { journey: 'pageLogs', users: 1, params: { failEvery: ${withVideo ? 1 : 2} } },
  ] }],
  media: { camera: { width: 320, height: 240, fps: 15 } },
  thinkTimeScale: 0.1,
  gracefulStop: '15s',
});
`;

beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'waddle-fleet-evidence-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function runFolderOf(results: string): Promise<string> {
  const runs = (await readdir(results)).filter((d) => d !== 'latest');
  expect(runs).toHaveLength(1);
  return join(results, runs[0]!);
}

/** width and height from a PNG's IHDR chunk, after checking its signature */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

const fileOf = (item: FailureEvidence, ext: string): string => {
  const file = item.files.find((f) => f.endsWith(ext));
  expect(file, `${item.journey}/${item.step} has a ${ext} file (files: ${item.files.join(', ')})`).toBeDefined();
  return file!;
};

describe('failure evidence through waddle-fleet run', () => {
  it('keeps a screenshot, DOM snapshot and console log of the first failures per step, links them from the report, and no more than the cap', async () => {
    await writeFile(join(dir, 'evidence.ts'), planOf(16, true));
    const results = join(dir, 'results');
    const r = await runCli(['run', join(dir, 'evidence.ts'), '--results', results, '--no-progress', '--seed', '3'], { cwd: dir, env: { WADDLE_FLEET_INFLUX_TOKEN: secret } });
    const output = r.stdout + r.stderr;
    expect(r.code, output).not.toBe(0); // failed steps are gated
    expect(r.code, output).not.toBe(1);
    const runDir = await runFolderOf(results);
    const s = JSON.parse(await readFile(join(runDir, 'summary.json'), 'utf8')) as RunSummary;
    const evidence = s.evidence ?? [];

    // what the page looked like when wait_remote_video timed out
    const video = evidence.filter((e) => e.journey === 'videoCall' && e.step === 'wait_remote_video');
    expect(video.length, JSON.stringify(evidence, null, 1)).toBeGreaterThanOrEqual(1);
    expect(video[0]!.reason).toBe('timeout');
    expect(video[0]!.message).toContain('wait_remote_video');
    expect(pngSize(await readFile(join(runDir, fileOf(video[0]!, '.png'))))).toEqual({ width: 1280, height: 720 });
    const dom = await readFile(join(runDir, fileOf(video[0]!, '.html')), 'utf8');
    expect(dom).toContain('<title>Waddle (reference)</title>');
    expect(dom).toMatch(/data-testid="voice-panel"[^>]*data-state="joined"|data-state="joined"[^>]*data-testid="voice-panel"/);
    expect(dom).not.toContain('data-testid="remote-video"'); // alone: no remote video, as the timeout says
    expect(dom).not.toMatch(/<script/i); // inert: opening it runs none of the app
    expect(dom).toContain('Content-Security-Policy');
    const videoLog = await readFile(join(runDir, fileOf(video[0]!, '.console.txt')), 'utf8');
    expect(videoLog).toContain('failure: videoCall/wait_remote_video (timeout)');

    // the console log kept what the page said, without the secret
    const logged = evidence.filter((e) => e.journey === 'pageLogs' && e.step === 'log_and_fail');
    expect(logged.length).toBe(perStepCap);
    const pageLog = await readFile(join(runDir, fileOf(logged[0]!, '.console.txt')), 'utf8');
    expect(pageLog).toMatch(/error: evidence-marker: the server said no, token=\*\*\*/);
    for (const item of logged) expect(item.message).not.toContain(secret);

    // caps: more failures than the cap, no more evidence and no more files
    const failures = s.steps.find((x) => x.journey === 'pageLogs' && x.step === 'log_and_fail')?.errors ?? 0;
    expect(failures, 'the plan must fail the step more often than the cap for this test to mean anything').toBeGreaterThan(perStepCap);
    expect(output).toMatch(/failure evidence: \d+ failures captured .*later failures not captured/);
    const listed = evidence.flatMap((e) => e.files);
    const onDisk = (await readdir(join(runDir, 'evidence'))).map((f) => `evidence/${f}`);
    expect(onDisk.sort()).toEqual([...listed].sort());
    for (const file of onDisk) expect(await readFile(join(runDir, file), 'utf8')).not.toContain(secret);
    expect(onDisk.filter((f) => f.endsWith('.zip'))).toEqual([]); // traces are an option, off by default

    // the report links every file
    const report = await readFile(join(runDir, 'report.html'), 'utf8');
    for (const file of listed) expect(report).toContain(`href="${file}"`);
    expect(report).toContain(`<img class="thumb" src="${fileOf(video[0]!, '.png')}"`);
    expect(playwrightChromiumPids(r.pid)).toEqual([]);
  }, 90_000);

  it('with --trace-failures keeps a Playwright trace of the failed iteration, linked from the report', async () => {
    await writeFile(join(dir, 'traced.ts'), planOf(8, false));
    const results = join(dir, 'results-traced');
    const r = await runCli(['run', join(dir, 'traced.ts'), '--results', results, '--no-progress', '--trace-failures', 'snapshots'], { cwd: dir, env: { WADDLE_FLEET_INFLUX_TOKEN: secret } });
    expect(r.code, r.stdout + r.stderr).not.toBe(1);
    const runDir = await runFolderOf(results);
    const s = JSON.parse(await readFile(join(runDir, 'summary.json'), 'utf8')) as RunSummary;
    const logged = (s.evidence ?? []).filter((e) => e.step === 'log_and_fail');
    expect(logged.length).toBeGreaterThanOrEqual(2);
    for (const item of logged) {
      const zip = join(runDir, fileOf(item, '.trace.zip'));
      const entries = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).split('\n');
      expect(entries).toContain('trace.trace');
      const events = execFileSync('unzip', ['-p', zip, 'trace.trace'], { encoding: 'utf8', maxBuffer: 64 << 20 });
      // this iteration's actions, and only this iteration's (the session lives on after the
      // iteration before, which succeeded, but its chunk was dropped): one page load per trace
      expect(events).toContain('evidence-marker');
      expect(events.match(/"method":"goto"/g)?.length ?? 0).toBe(1);
    }
    const report = await readFile(join(runDir, 'report.html'), 'utf8');
    expect(report).toContain(`href="${fileOf(logged[0]!, '.trace.zip')}">Playwright trace</a>`);
  }, 60_000);
});

describe('failure evidence capture is bounded', () => {
  it('a hung page costs at most the capture budget, and its console log is still written', async () => {
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage();
      const log = watchPageConsole(page);
      await page.setContent('<title>busy</title><p>about to hang</p>');
      await page.evaluate(() => console.error('last words before the loop'));
      void page.evaluate('for (;;) {}').catch(() => {}); // a renderer that never answers again
      const runDir = join(dir, 'hung');
      const recorder = new FailureEvidenceRecorder({ runDir, captureTimeoutMs: 1500 });
      const startedMs = performance.now();
      await recorder.capture({ journey: 'j', step: 's', driver: 'browser', reason: 'timeout', message: 'stuck', vu: 1 }, { page, console: log });
      const tookMs = performance.now() - startedMs;
      expect(tookMs).toBeLessThan(4000);
      const [item] = recorder.list();
      expect(item?.files).toEqual(['evidence/001-j-s-vu1.console.txt']);
      const text = await readFile(join(runDir, item!.files[0]!), 'utf8');
      expect(text).toContain('last words before the loop');
      expect(text).toContain('not captured (the page did not answer in time, or is gone): screenshot, DOM snapshot');
    } finally {
      await browser.close();
    }
  }, 30_000);

  it('holds the per-step and per-driver caps for concurrent failures', async () => {
    const recorder = new FailureEvidenceRecorder({ runDir: join(dir, 'caps'), perStepLimit: 2, totalLimit: 5 });
    const failure = (step: string, vu: number, driver = 'protocol') => ({ journey: 'j', step, driver, reason: 'assertion', message: `m ${vu}`, vu });
    await Promise.all([0, 1, 2, 3].flatMap((vu) => ['a', 'b', 'c'].map((step) => recorder.capture(failure(step, vu)))));
    const items = recorder.list();
    expect(items).toHaveLength(5); // 3 steps × 2 would be 6; the driver's cap is 5
    for (const step of ['a', 'b', 'c']) expect(items.filter((i) => i.step === step).length).toBeLessThanOrEqual(2);
    expect(recorder.skipped).toBe(12 - 5);
    expect(items.every((i) => i.files.length === 0)).toBe(true); // no page: the message is the evidence
    // protocol failures filled their cap; another driver's first failure still gets its place
    await recorder.capture(failure('a', 9, 'browser'));
    expect(recorder.list().filter((i) => i.message === 'm 9')).toHaveLength(1);
  });
});
