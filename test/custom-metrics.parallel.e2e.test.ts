// A plan's own metric (issue 19, item 11): declared in the plan's `metrics`, recorded by its own
// journey through ctx.metrics, judged by its threshold and kept in summary.json. Before, record took
// any string and dropped every name outside the catalogue, so a plan could not measure its own.
// One protocol user through the real command.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../metrics/run-summary.ts';
import { runCli } from './helpers/cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'waddle-fleet-custom-metrics-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const plan = `import { definePlan, defineJourney, connectAndJoin, openChannelOnce } from 'waddle-fleet';
const hello = defineJourney({ name: 'hello', requires: ['chat'], async run(ctx) {
  await connectAndJoin(ctx);
  await openChannelOnce(ctx);
  const text = 'hello!!';
  for (let i = 0; i < 2; i++) {
    const sent = await ctx.step('send_message', () => ctx.client.sendMessage(text));
    if (sent) ctx.metrics.record('custom.message_chars', text.length, { step: 'send_message' });
  }
} });
export default definePlan({
  name: 'own-metrics',
  journeys: [hello],
  metrics: { 'custom.message_chars': { kind: 'trend', unit: 'count', tags: ['step'], meaning: 'characters in each message sent' } },
  thresholds: { 'custom.message_chars{step:send_message}': ['max<5'] },
  phases: [{ name: 'p', targetUsers: 1, rampUp: '0s', duration: '3s', scenarios: [{ journey: 'hello', driver: 'protocol', users: 1 }] }],
});
`;

describe("a plan's own metrics", () => {
  it('are recorded by its journey, judged by its threshold and kept in summary.json', async () => {
    await writeFile(join(dir, 'plan.ts'), plan);
    const results = join(dir, 'results');
    const r = await runCli(['run', join(dir, 'plan.ts'), '--results', results, '--no-progress'], { cwd: dir });
    expect([3, 4], r.stdout + r.stderr).toContain(r.code); // 4: a busy shared machine may mark the generator saturated
    const [run] = (await readdir(results)).filter((d) => d !== 'latest');
    const s = JSON.parse(await readFile(join(results, run!, 'summary.json'), 'utf8')) as RunSummary;
    const mine = s.metrics.filter((m) => m.metric === 'custom.message_chars');
    // two records in one iteration, so one iteration in the 3 s phase (group 0 at full load) is enough
    expect(mine.reduce((n, m) => n + m.count, 0)).toBeGreaterThan(1);
    expect(mine[0]).toMatchObject({ kind: 'trend', unit: 'count', max: 7 }); // its unit from the plan's declaration
    const judged = s.thresholds.find((t) => t.metric === 'custom.message_chars{step:send_message}');
    expect(judged).toMatchObject({ ok: false, noData: false, observed: 7 }); // 'hello!!' is 7 characters
    expect(await readFile(join(results, run!, 'report.html'), 'utf8')).toContain('custom.message_chars');
  });

  it('a threshold on an undeclared one of its own is refused before any load (exit 2)', async () => {
    await writeFile(join(dir, 'undeclared.ts'), plan.replace(/ {2}metrics: .*\n/, ''));
    const r = await runCli(['run', join(dir, 'undeclared.ts'), '--dry-run'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown metric "custom\.message_chars".*declared in its metrics/);
  });
});
