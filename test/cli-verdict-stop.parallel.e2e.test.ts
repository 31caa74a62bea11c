// The verdict on a stopped run (130, partial report), through the real command against the reference
// Waddle in real browsers. Moved out of cli-verdict.e2e.test.ts (which keeps the pass, the failed
// threshold and the starved generator, whose verdicts depend on the CPU they get: at load average 44
// a failed threshold was exit 4, the generator saturated): an interrupted run is 130 whatever the
// machine's load (measured there too), and each run is 2 chat pages, so it runs in the parallel
// group (test/README.md). Plans are written to a temp folder OUTSIDE the repo, importing 'waddle-fleet'.
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { chatPlan } from './helpers/chat-plan.ts';
import { playwrightChromiumPids, startCli } from './helpers/cli.ts';
import { expectInvariants, summaryOf } from './helpers/run-summary.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'waddle-fleet-verdict-stop-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// 2 runs of 2 chat users side by side, each its own process, browsers and target.
describe.concurrent('waddle-fleet run: the verdict on a stopped run', () => {
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
    const s = await summaryOf(results, expect);
    expect(s.status).toBe('partial');
    expect(s.verdict.result).toBe('interrupted');
    expectInvariants(s, expect);
    await access(join(results, 'latest', 'report.html'));
    expect(playwrightChromiumPids(r.pid)).toEqual([]);
  });
});
