// The verdict a pipeline gates on, through the real command against the reference Waddle in real
// browsers: pass (0), failed threshold (3), (configuration errors, 2: cli-refusals.parallel.e2e.test.ts)
// saturated generator (4), interrupted (130, partial report). Plans are written to a temp folder
// OUTSIDE the repo, as a user's own plan files, importing 'waddle-fleet'.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, readdir, access } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../metrics/run-summary.ts';
import { chatPlan } from './helpers/chat-plan.ts';
import { playwrightChromiumPids, runCli, startCli } from './helpers/cli.ts';

let dir: string;


async function summaryOf(resultsDir: string): Promise<RunSummary> {
  const runs = (await readdir(resultsDir)).filter((d) => d !== 'latest');
  expect(runs).toHaveLength(1);
  return JSON.parse(await readFile(join(resultsDir, runs[0]!, 'summary.json'), 'utf8')) as RunSummary;
}

function expectInvariants(s: RunSummary): void {
  expect(s.users.started).toBe(s.users.completed + s.users.failed + s.users.interrupted);
  for (const counts of Object.values(s.journeys)) expect(counts.started).toBe(counts.completed + counts.failed + counts.interrupted);
  const text = JSON.stringify(s);
  expect(text).not.toMatch(/NaN|Infinity/);
  for (const step of s.steps) for (const v of [step.p50, step.p95, step.p99, step.max]) expect(v).toBeGreaterThanOrEqual(0);
}

beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'waddle-fleet-user-plans-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('waddle-fleet run: the verdict', () => {
  it('passes a user plan outside the repo whose thresholds hold (exit 0), with consistent counts', async () => {
    await writeFile(join(dir, 'pass.ts'), chatPlan('pass', { 'chat.messages_sent': ['count>0'], 'chat.delivery_ms': ['p(95)<5000'], 'journey.errors': ['rate<0.5'] }));
    const results = join(dir, 'results-pass');
    const r = await runCli(['run', join(dir, 'pass.ts'), '--results', results, '--no-progress', '--seed', '7'], { cwd: dir });
    expect(r.stdout + r.stderr).toContain('verdict: PASS');
    expect(r.code).toBe(0);
    const s = await summaryOf(results);
    expect(s.verdict.result).toBe('pass');
    expect(s.status).toBe('complete');
    expect(s.users.started).toBe(2);
    expect(s.journeys.chatMessaging?.completed).toBeGreaterThanOrEqual(2);
    expect(s.thresholds.every((t) => t.ok)).toBe(true);
    expectInvariants(s);
    await access(join(results, 'latest', 'junit.xml'));
    await access(join(results, 'latest', 'report.html'));
    expect(playwrightChromiumPids(r.pid)).toEqual([]);
  });
});

describe('waddle-fleet run: the verdict on a starved generator', () => {
  it('calls a run with a starved generator inconclusive (exit 4), not slow', async () => {
    // busy enough to want more than a quarter core (below that a generator is not judged starved:
    // fleet/monitor/run-queue-wait.ts); 2 users at one message a second sat at that edge once
    // users shared a browser context, and the run passed beside 3 busy loops
    await writeFile(join(dir, 'starved.ts'), chatPlan('starved', { 'chat.messages_sent': ['count>0'] }, 25, 4, 250));
    const burners: ChildProcess[] = [0, 1, 2].map(() => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
    try {
      const results = join(dir, 'results-starved');
      const r = await runCli(['run', join(dir, 'starved.ts'), '--results', results, '--no-progress', '--no-report', '--saturation-cpu', '70'], { cwd: dir });
      expect(r.stdout).toContain('verdict: INCONCLUSIVE');
      expect(r.code).toBe(4);
      const s = await summaryOf(results);
      expect(s.generator.saturated).toBe(true);
      expect(s.verdict.reasons.join(' ')).toMatch(/CPU/i);
    } finally {
      for (const b of burners) b.kill('SIGKILL');
    }
  });
});

// Runs whose verdict no busy machine can change (a failed threshold, an interrupted run) run side by
// side: 3 runs of 2 chat users, each its own process, browsers and target. The pass above and the
// starved run beside busy loops run alone, since what they assert depends on the CPU they get.
describe.concurrent('waddle-fleet run: the verdict on a failed threshold and a stopped run', () => {
  it.concurrent('fails an impossible threshold with exit 3 and says which', async ({ expect }) => {
    await writeFile(join(dir, 'fail.ts'), chatPlan('fail', { 'chat.send_ack_ms': ['p(95)<0.001'] }));
    const results = join(dir, 'results-fail');
    const r = await runCli(['run', join(dir, 'fail.ts'), '--results', results, '--no-progress', '--no-report'], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('verdict: FAIL');
    const s = await summaryOf(results);
    expect(s.thresholds[0]).toMatchObject({ metric: 'chat.send_ack_ms', ok: false, noData: false });
    expect(s.verdict.reasons.join(' ')).toContain('chat.send_ack_ms');
    expectInvariants(s);
  });
  // Playwright closes its browsers on SIGTERM itself but would leave Node running: both signals are ours
  it.concurrent.for(['SIGINT', 'SIGTERM'] as const)('on %s stops, writes a partial report and exits 130 with no browser left', async (signal, { expect }) => {
    const plan = join(dir, `long-${signal}.ts`); // a file each: the two cases run at once
    await writeFile(plan, chatPlan('long', { 'chat.messages_sent': ['count>0'] }, 120));
    const results = join(dir, `results-${signal}`);
    const run = startCli(['run', plan, '--results', results, '--no-progress'], { cwd: dir });
    // wait until load is running
    const t0 = Date.now();
    while (!run.output().includes('▶ load') && run.child.exitCode === null && Date.now() - t0 < 90_000) await new Promise((r) => setTimeout(r, 250));
    await new Promise((r) => setTimeout(r, 6000));
    run.child.kill(signal);
    const r = await run.done;
    expect(r.code).toBe(130);
    const s = await summaryOf(results);
    expect(s.status).toBe('partial');
    expect(s.verdict.result).toBe('interrupted');
    expectInvariants(s);
    await access(join(results, 'latest', 'report.html'));
    expect(playwrightChromiumPids(r.pid)).toEqual([]);
  });
});
