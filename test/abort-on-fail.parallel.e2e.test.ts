// An abortOnFail threshold stops the run through the real command, and the stop reaches the verdict
// as a typed reason (summary.json's verdict.abortedBy), not as words to search for (issue 19, item 11).
// Two protocol chatters; a threshold that fails as soon as a message is sent.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../metrics/run-summary.ts';
import { runCli } from './helpers/cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'waddle-fleet-abort-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('abortOnFail', () => {
  it('stops the run early, fails it (exit 3) and says which threshold did it in verdict.abortedBy', async () => {
    await writeFile(join(dir, 'plan.ts'), `import { definePlan } from 'waddle-fleet';
export default definePlan({
  name: 'abort',
  thresholds: { 'chat.messages_sent': [{ threshold: 'count<1', abortOnFail: true, delayAbortEval: '1s' }] },
  phases: [{ name: 'p', targetUsers: 2, rampUp: '0s', duration: '60s', scenarios: [
    { journey: 'chatMessaging', driver: 'protocol', users: 2, params: { count: 3, intervalMs: 200, receiveMs: 0 } },
  ] }],
});
`);
    const results = join(dir, 'results');
    const started = Date.now();
    const r = await runCli(['run', join(dir, 'plan.ts'), '--results', results, '--no-progress', '--no-report'], { cwd: dir });
    expect(Date.now() - started, 'a 60 s plan stopped early').toBeLessThan(45_000);
    const [run] = (await readdir(results)).filter((d) => d !== 'latest');
    const s = JSON.parse(await readFile(join(results, run!, 'summary.json'), 'utf8')) as RunSummary;
    expect(s.verdict.abortedBy, r.stdout).toMatch(/^threshold chat\.messages_sent count<1 failed: observed \d+ after \d+\.\d s \(abortOnFail\)$/);
    // a busy shared machine may mark the generator saturated (4): the stop is carried all the same
    expect([3, 4]).toContain(r.code);
    if (r.code === 3) expect(s.verdict.reasons[0]).toMatch(/^the run was stopped early by an abortOnFail threshold: /);
  });
});
