// The release gate from a repo that is not waddle-fleet's (issue 19, item 4): an app's repo with
// the workflow copied in and a plan file of its own; the workflow's own steps (their shell scripts,
// read from .github/workflows/release-gate.yml) run in it with waddle-fleet installed the way the
// workflow installs it — `npm install` of the packed tarball (`npm pack`, with its types) into a
// folder beside the app — against a reference Waddle on loopback standing in for staging. Then
// again with the first run as the downloaded baseline, which the keyed artefact makes the same plan
// and scale. apt-get and the artefact actions are GitHub's part, not run here.
import { execFile, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startReferenceWaddle, type ReferenceWaddle } from '../reference-waddle/server.ts';
import { repoRoot } from './helpers/cli.ts';
import { packedTarball } from './helpers/packed-tarball.ts';

const run = promisify(execFile);
type Step = { id?: string; name?: string; run?: string; env?: Record<string, string> };

let dir: string;
let app: string;
let runnerTemp: string;
let tarball: string;
let staging: ReferenceWaddle;
let steps: Step[];
const pathFile = () => join(runnerTemp, 'github-path');

const plan = `import { definePlan } from 'waddle-fleet';
export default definePlan({
  name: 'app-release-gate',
  phases: [{ name: 'steady', targetUsers: 2, rampUp: '0s', duration: '3s', scenarios: [
    { journey: 'chatMessaging', driver: 'protocol', users: 2, params: { count: 2, intervalMs: 400, receiveMs: 400 } },
  ] }],
});
`;

/** A step's script with the GitHub expressions this test can answer; any other fails the test. */
function evaluate(text: string, outputs: Record<string, Record<string, string>>): string {
  return text.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, expression: string) => {
    const known: Record<string, string> = {
      'vars.STAGING_URL': staging.url,
      'github.event.inputs.scale': '',
      'github.event.inputs.scale_durations': '',
      'steps.scale.outputs.value': outputs.scale?.value ?? '',
      "steps.scale.outputs.durations && '--scale-durations'": outputs.scale?.durations ? '--scale-durations' : '',
    };
    if (!(expression in known)) throw new Error(`the workflow uses \${{ ${expression} }}, which this test does not know: teach evaluate() its value`);
    return known[expression]!;
  });
}

/**
 * Run one workflow step's script with bash in the app's checkout, as a runner does; its outputs and
 * exit code. A step past its time limit is killed (its process group) and its log kept, so a slow
 * or hung step names itself instead of the whole test timing out with nothing to read.
 */
async function runStep(id: string, outputs: Record<string, Record<string, string>>, limitMs = 150_000): Promise<{ code: number; log: string; outputs: Record<string, string> }> {
  const step = steps.find((s) => s.id === id);
  if (!step?.run) throw new Error(`the workflow has no step with id '${id}' and a run script`);
  const outFile = join(runnerTemp, `output-${id}`);
  await writeFile(outFile, '');
  const extraPath = (await readFile(pathFile(), 'utf8')).split('\n').filter(Boolean);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PLAN: './load/plan.ts',
    WADDLE_FLEET_PACKAGE: tarball,
    RUNNER_TEMP: runnerTemp,
    GITHUB_OUTPUT: outFile,
    GITHUB_PATH: pathFile(),
    GITHUB_REF_NAME: 'release/2.4',
    FORCE_COLOR: '0',
    PATH: [...extraPath, process.env.PATH].join(delimiter),
    ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, evaluate(String(v), outputs)])),
  };
  const started = Date.now();
  const child = spawn('bash', ['-e', '-c', evaluate(step.run, outputs)], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const timer = setTimeout(() => {
    log += `\n[test] step '${id}' still running after ${limitMs / 1000} s: killed\n`;
    try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ }
  }, limitMs);
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  clearTimeout(timer);
  log += `\n[test] step '${id}' took ${((Date.now() - started) / 1000).toFixed(1)} s\n`;
  const lines = (await readFile(outFile, 'utf8')).split('\n').filter((l) => l.includes('='));
  return { code, log, outputs: Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])) };
}

beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'waddle-fleet-app-repo-'));
  app = join(dir, 'my-app');
  runnerTemp = join(dir, 'runner-temp');
  await mkdir(join(app, '.github', 'workflows'), { recursive: true });
  await mkdir(join(app, 'load'));
  await mkdir(runnerTemp);
  await writeFile(pathFile(), '');
  await cp(join(repoRoot, '.github/workflows/release-gate.yml'), join(app, '.github/workflows/release-gate.yml'));
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'my-app', private: true, version: '2.4.0' }, null, 2));
  await writeFile(join(app, 'load', 'plan.ts'), plan);
  await run('git', ['init', '-q'], { cwd: app });
  steps = ((parse(await readFile(join(app, '.github/workflows/release-gate.yml'), 'utf8')) as { jobs: { gate: { steps: Step[] } } }).jobs.gate.steps);
  // `npm pack` runs `prepare` (the declarations in dist/types), as a release of waddle-fleet would;
  // packed once per test run, shared with user-plan-types.test.ts
  tarball = await packedTarball();
  staging = await startReferenceWaddle({ port: 0 });
}, 240_000);

afterAll(async () => {
  await staging?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the release-gate workflow in an app repo, with waddle-fleet from its packed tarball', () => {
  it('installs it pinned beside the app (with its types), keys the baseline, prints the plan and gates a run; a second run compares with the first', async () => {
    const install = await runStep('install', {});
    expect(install.code, install.log).toBe(0);
    expect(install.log).toMatch(/^0\.\d+\.\d+$/m); // waddle-fleet --version
    const installed = join(runnerTemp, 'waddle-fleet', 'node_modules', 'waddle-fleet');
    expect((await readdir(join(installed, 'dist', 'types'))).includes('index.d.ts')).toBe(true);
    expect(await readdir(installed)).not.toContain('test'); // the tarball carries the fleet, not its tests

    const scale = await runStep('scale', {});
    expect(scale.code, scale.log).toBe(0);
    expect(scale.outputs).toMatchObject({ value: '1', 'baseline-key': '._load_plan.ts-scale1-release_2.4' });
    const outputs = { scale: scale.outputs };

    const dry = await runStep('plan', outputs);
    expect(dry.code, dry.log).toBe(0);
    expect(dry.log).toContain('plan app-release-gate');

    const first = await runStep('run', outputs);
    expect(first.code, first.log).toBe(0);
    expect(first.outputs['exit-code'], first.log).toBe('0');
    expect(await readdir(first.outputs.dir!)).toEqual(expect.arrayContaining(['summary.json', 'junit.xml', 'report.html']));

    // what actions/download-artifact would put there on the next run of the same key
    await cp(first.outputs.dir!, join(app, 'baseline'), { recursive: true });
    const second = await runStep('run', outputs);
    expect(second.log, second.log).toMatch(/baseline: .*against baseline/);
    expect(['0', '3'], second.log).toContain(second.outputs['exit-code']); // 3: two 3-s runs may differ beyond the margin
  }, 420_000);
});
