// --start-at through the real command (issue 19, item 3): a start 30 days ahead used to start at
// once (one setTimeout overflowed past 24.8 days); now it needs --start-at-far and then waits, and
// the dry run says when the load starts. Protocol users only: no browser is launched.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../metrics/run-summary.ts';
import { runCli, startCli } from './helpers/cli.ts';

let dir: string;
const plan = `import { definePlan } from 'waddle-fleet';
export default definePlan({
  name: 'far-start',
  phases: [{ name: 'steady', targetUsers: 2, rampUp: '0s', duration: '5s', scenarios: [
    { journey: 'chatMessaging', driver: 'protocol', users: 2, params: { count: 2, intervalMs: 500, receiveMs: 500 } },
  ] }],
});
`;

beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'waddle-fleet-start-at-'));
  await writeFile(join(dir, 'plan.ts'), plan);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('--start-at far ahead', () => {
  const in30Days = () => new Date(Date.now() + 30 * 86_400_000).toISOString();

  it('is refused without --start-at-far (exit 2, saying so), and the dry run prints the start time', async () => {
    const startAt = in30Days();
    const refused = await runCli(['run', join(dir, 'plan.ts'), '--start-at', startAt, '--dry-run'], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--start-at: .* is 30 days ahead, more than a day: a placeholder left in a manifest\?.*add --start-at-far/);
    const dry = await runCli(['run', join(dir, 'plan.ts'), '--start-at', startAt, '--start-at-far', '--dry-run'], { cwd: dir });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`start: ${startAt} (30 days from now), every shard together`);
  });

  it('with --start-at-far waits: no user starts, and a SIGTERM still ends it with a partial report', async () => {
    const results = join(dir, 'results');
    const run = startCli(['run', join(dir, 'plan.ts'), '--start-at', in30Days(), '--start-at-far', '--results', results, '--no-progress', '--no-report'], { cwd: dir });
    const deadline = Date.now() + 60_000;
    while (!run.output().includes('waiting for the common start') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(run.output()).toContain('waiting for the common start');
    await new Promise((r) => setTimeout(r, 3_000)); // before the fix every user had started by now
    run.child.kill('SIGTERM');
    const r = await run.done;
    expect(r.code).toBe(130);
    const [runDir] = (await readdir(results)).filter((d) => d !== 'latest');
    const summary = JSON.parse(await readFile(join(results, runDir!, 'summary.json'), 'utf8')) as RunSummary;
    expect(summary.users.started).toBe(0);
    expect(await readFile(join(results, runDir!, 'events.ndjson'), 'utf8')).not.toContain('"user_start"');
  });
});
