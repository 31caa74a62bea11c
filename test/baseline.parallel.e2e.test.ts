// --baseline through the real command (issue 19, item 4): a baseline of another plan or scale
// compared "0 step(s)" and passed; now it is refused (exit 2) unless --baseline-any. And
// `report <run> --baseline <dir>` rewrote the run's own report.html ("Against baseline <itself>");
// now the comparison goes beside it, as report-vs-baseline.html. Protocol users only, 2 s runs.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';

let dir: string;
let runA: string;
let runB: string;

const plan = (name: string) => `import { definePlan } from 'waddle-fleet';
export default definePlan({
  name: ${JSON.stringify(name)},
  phases: [{ name: 'steady', targetUsers: 1, rampUp: '0s', duration: '2s', scenarios: [
    { journey: 'chatMessaging', driver: 'protocol', users: 1, params: { count: 2, intervalMs: 300, receiveMs: 300 } },
  ] }],
});
`;

async function runPlan(name: string): Promise<string> {
  const results = join(dir, `results-${name}`);
  const r = await runCli(['run', join(dir, `${name}.ts`), '--results', results, '--no-progress'], { cwd: dir });
  expect(r.code, r.stdout + r.stderr).toBe(0);
  const [run] = (await readdir(results)).filter((d) => d !== 'latest');
  return join(results, run!);
}

const hashOf = async (file: string): Promise<string> => createHash('sha256').update(await readFile(file)).digest('hex');

beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'waddle-fleet-baseline-'));
  await writeFile(join(dir, 'plan-a.ts'), plan('plan-a'));
  await writeFile(join(dir, 'plan-b.ts'), plan('plan-b'));
  runA = await runPlan('plan-a');
  runB = await runPlan('plan-b');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('--baseline of another plan or scale', () => {
  it('is refused before any load (exit 2), saying what differs and how to go on', async () => {
    const other = await runCli(['run', join(dir, 'plan-b.ts'), '--baseline', runA, '--dry-run'], { cwd: dir });
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/--baseline .*: run \S+ ran plan 'plan-a', not 'plan-b': its numbers are another load's\. .*--baseline-any/);
    const scaled = await runCli(['run', join(dir, 'plan-a.ts'), '--scale', '2', '--baseline', runA, '--dry-run'], { cwd: dir });
    expect(scaled.code).toBe(2);
    expect(scaled.stderr).toMatch(/ran --scale 1, not 2/);
    const same = await runCli(['run', join(dir, 'plan-a.ts'), '--baseline', runA, '--dry-run'], { cwd: dir });
    expect(same.code).toBe(0);
  });

  it('is compared anyway with --baseline-any', async () => {
    const r = await runCli(['run', join(dir, 'plan-b.ts'), '--baseline', runA, '--baseline-any', '--dry-run'], { cwd: dir });
    expect(r.code).toBe(0);
  });

  it('report --baseline: refused for another plan unless --baseline-any; the comparison goes beside the run\'s report, never over it', async () => {
    const ownReport = join(runB, 'report.html');
    const before = await hashOf(ownReport);
    const refused = await runCli(['report', runB, '--baseline', runA], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/ran plan 'plan-a', not 'plan-b'/);
    const compared = await runCli(['report', runB, '--baseline', runA, '--baseline-any'], { cwd: dir });
    expect([0, 3], compared.stderr).toContain(compared.code); // 3: two 2-s runs can differ beyond the margin
    expect(compared.stdout).toContain(`report: ${join(runB, 'report-vs-baseline.html')}`);
    expect(await hashOf(ownReport)).toBe(before);
    expect(await readFile(join(runB, 'report-vs-baseline.html'), 'utf8')).toMatch(/baseline/i);
  });
});
