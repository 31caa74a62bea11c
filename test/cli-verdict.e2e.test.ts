// The verdict a pipeline gates on, through the real command against the reference Waddle in real
// browsers: pass (0), failed threshold (3) and saturated generator (4), which depend on the CPU the
// run gets, so they run alone (serial group); interrupted (130, partial report), which no busy
// machine changes, is in cli-verdict-stop.parallel.e2e.test.ts; configuration errors (2) in
// cli-refusals.parallel.e2e.test.ts. Plans are written to a temp folder OUTSIDE the repo, as a
// user's own plan files, importing 'waddle-fleet'.
import { spawn, type ChildProcess } from 'node:child_process';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headlessShellPath } from '../fake-media/chromium-binary.ts';
import { chatPlan } from './helpers/chat-plan.ts';
import { playwrightChromiumPids, runCli } from './helpers/cli.ts';
import { expectInvariants, summaryOf } from './helpers/run-summary.ts';

let dir: string;

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
    // chat on the built-in client: its pages paced by default (--frame-rate auto), and it still passes
    expect(r.stdout + r.stderr).toContain('pages paced at 4 frames/s (--frame-rate auto: chat-only browser users');
    const s = await summaryOf(results);
    console.log(`pass: generator CPU p95 ${s.generator.cpuPercentP95}% of the machine, CPU wait p95 ${s.generator.cpuWaitPercentP95}%, starved p95 ${s.generator.cpuStarvedPercentP95}%, saturated ${s.generator.saturated}`);
    expect(s.verdict.result).toBe('pass');
    expect(s.status).toBe('complete');
    expect(s.users.started).toBe(2);
    expect(s.journeys.chatMessaging?.completed).toBeGreaterThanOrEqual(2);
    expect(s.thresholds.every((t) => t.ok)).toBe(true);
    expect(s.generator.browser).toEqual({ executable: headlessShellPath, frameRate: 4 }); // what ran, for whoever compares runs
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
      // --frame-rate off: its load was sized on pages drawn at the browser's rate (paced, a chat user costs about half)
      const r = await runCli(['run', join(dir, 'starved.ts'), '--results', results, '--no-progress', '--no-report', '--saturation-cpu', '70', '--frame-rate', 'off'], { cwd: dir });
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

// A failed threshold is exit 3 only on data the generator can vouch for: saturated, the same run is
// exit 4 (measured at load average 44 beside other files), so it runs here, alone.
describe('waddle-fleet run: the verdict on a failed threshold', () => {
  it('fails an impossible threshold with exit 3 and says which', async () => {
    await writeFile(join(dir, 'fail.ts'), chatPlan('fail', { 'chat.send_ack_ms': ['p(95)<0.001'] }));
    const results = join(dir, 'results-fail');
    const r = await runCli(['run', join(dir, 'fail.ts'), '--results', results, '--no-progress', '--no-report'], { cwd: dir });
    const s = await summaryOf(results);
    console.log(`fail: generator CPU p95 ${s.generator.cpuPercentP95}% of the machine, CPU wait p95 ${s.generator.cpuWaitPercentP95}%, starved p95 ${s.generator.cpuStarvedPercentP95}%, saturated ${s.generator.saturated}`);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('verdict: FAIL');
    expect(s.thresholds[0]).toMatchObject({ metric: 'chat.send_ack_ms', ok: false, noData: false });
    expect(s.verdict.reasons.join(' ')).toContain('chat.send_ack_ms');
    expectInvariants(s);
  });
});
