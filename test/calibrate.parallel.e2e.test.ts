// calibrate through the real command with very short runs, then the dry run and k8s-job priced
// from what it wrote: the estimate names the calibration and scales with the plan.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { calibrationSchema } from '../fleet/calibration/calibration-file.ts';
import { runCli, type CliResult } from './helpers/cli.ts';

const dir = mkdtempSync(join(os.tmpdir(), 'calibrate-e2e-'));
const file = join(dir, 'calibration.json');
let calibrated: CliResult;

const workersOf = (output: string): number => Number(/workers needed: (\d+) of/.exec(output)?.[1] ?? NaN);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The cases run at once (describe.concurrent; none asserts a time): the one without a calibration
// beside the calibration, those priced from it after it, side by side.
describe.concurrent('without a calibration', () => {
  it('the estimate says it is a default and how to calibrate', async ({ expect }) => {
    const dry = await runCli(['run', 'stress', '--dry-run', '--calibration', join(dir, 'none.json')]);
    expect(dry.stdout).toMatch(/default figures, not measured on this machine: .*run npx waddle-fleet calibrate/);
  });
});

describe.concurrent('calibrate, then the plan priced from it', () => {
  beforeAll(async () => {
    calibrated = await runCli(['calibrate', 'stress', '--quick', '--journeys', 'chatMessaging', '--browser-sizes', '1,2', '--protocol-sizes', '20,300', '--out', file]);
  }, 200_000);

  it('writes a calibration of this machine with a cost per user for each kind it measured', ({ expect }) => {
    expect(calibrated.code, calibrated.stdout + calibrated.stderr).toBe(0);
    const c = calibrationSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    expect(c.machine.cores).toBe(os.availableParallelism());
    expect(c.machine.chromium).toMatch(/Chromium \d+/);
    expect(c.kinds.map((k) => `${k.journey}/${k.driverKind}`).sort()).toEqual(['chatMessaging/browser', 'chatMessaging/protocol']);
    const browser = c.kinds.find((k) => k.driverKind === 'browser')!;
    expect(browser.sizes).toEqual([1, 2]);
    expect(browser.pssMbPerUser + browser.fixedPssMb).toBeGreaterThan(50); // a browser page is tens of MB at least
    expect(calibrated.stdout).toContain(`written to ${file}`);
  });

  it('the dry run prints the workers from it, more of them for ten times the plan', async ({ expect }) => {
    const [small, full] = await Promise.all([
      runCli(['run', 'stress', '--dry-run', '--scale', '0.1', '--calibration', file]),
      runCli(['run', 'stress', '--dry-run', '--calibration', file]),
    ]);
    expect(small.code, small.stderr).toBe(0);
    expect(full.stdout).toContain(`from the calibration ${file}`);
    // the journeys it did not measure are priced by defaults, and it says so
    expect(full.stdout).toMatch(/not calibrated, priced by default figures: .*videoCall on browser/);
    expect(workersOf(full.stdout)).toBeGreaterThanOrEqual(workersOf(small.stdout));
    expect(workersOf(small.stdout)).toBeGreaterThanOrEqual(1);
  });

  it('k8s-job emits an Indexed Job of as many pods as the dry run says', async ({ expect }) => {
    const [dry, job] = await Promise.all([
      runCli(['run', 'stress', '--dry-run', '--scale', '0.1', '--calibration', file]),
      runCli(['k8s-job', 'stress', '--scale', '0.1', '--calibration', file]),
    ]);
    expect(job.code, job.stderr).toBe(0);
    const manifest = JSON.parse(job.stdout) as { kind: string; spec: { completions: number; parallelism: number; completionMode: string } };
    expect(manifest.kind).toBe('Job');
    expect(manifest.spec.completionMode).toBe('Indexed');
    expect(manifest.spec.completions).toBe(workersOf(dry.stdout));
    expect(manifest.spec.parallelism).toBe(manifest.spec.completions);
  });
});
