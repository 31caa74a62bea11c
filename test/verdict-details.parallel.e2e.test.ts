// A saturated generator and errors it cannot cause, through the real command (issue 19, item 6):
// every iteration failing at once with an assertion was INCONCLUSIVE ("cannot prove Waddle slow")
// whenever the generator was saturated. --saturation-cpu 1 makes this small protocol run count as
// saturated; its failures are assertions, which no slowness causes: FAIL (exit 3), saturation named.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'waddle-fleet-verdict-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a saturated generator', () => {
  it('does not hide assertion failures: exit 3, with the saturation named beside them', async () => {
    await writeFile(join(dir, 'plan.ts'), `import { definePlan, defineJourney, connectAndJoin } from 'waddle-fleet';
const broken = defineJourney({ name: 'broken', requires: ['chat'], async run(ctx) {
  await connectAndJoin(ctx);
  await ctx.step('check', async () => { throw new Error('expected 3 channels, saw 0'); });
} });
export default definePlan({ name: 'sat', journeys: [broken], phases: [{ name: 'p', targetUsers: 40, rampUp: '0s', duration: '14s', scenarios: [{ journey: 'broken', driver: 'protocol', users: 40 }] }] });
`);
    const r = await runCli(['run', join(dir, 'plan.ts'), '--saturation-cpu', '1', '--results', join(dir, 'results'), '--no-progress', '--no-report'], { cwd: dir });
    expect(r.stdout).toContain('verdict: FAIL (exit 3)');
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/no journey iteration completed/);
    expect(r.stdout).toMatch(/\d+ assertion error\(s\): not ones a slow generator causes/);
    expect(r.stdout).toMatch(/the load generator was also saturated \(/);
  });
});
