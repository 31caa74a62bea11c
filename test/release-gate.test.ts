// The release-gate examples are code users copy: .github/workflows/release-gate.yml and the GitLab CI
// job in docs/release-gate.md. Every waddle-fleet command line in them is checked against the real
// CLI's own --help (spawned, not a list kept here), so a flag that does not exist fails this test.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from './helpers/cli.ts';
import { cliHelp } from './helpers/cli-help.ts';

type Loose = Record<string, unknown>;
const workflowText = readFileSync(join(repoRoot, '.github/workflows/release-gate.yml'), 'utf8');
const docText = readFileSync(join(repoRoot, 'docs/release-gate.md'), 'utf8');

interface Script {
  readonly where: string;
  readonly text: string;
}

/** every shell script of a GitHub workflow: each step's `run` */
function workflowScripts(workflow: Loose): Script[] {
  return Object.entries(workflow.jobs as Record<string, Loose>).flatMap(([job, j]) =>
    ((j.steps as Loose[]) ?? []).filter((s) => typeof s.run === 'string').map((s) => ({ where: `job ${job}, step '${String(s.name ?? s.run)}'`, text: s.run as string })));
}

/** every shell script of a GitLab CI file: before_script, script, after_script of each job */
function gitlabScripts(ci: Loose): Script[] {
  return Object.entries(ci).filter(([, j]) => j && typeof j === 'object' && !Array.isArray(j)).flatMap(([job, j]) =>
    (['before_script', 'script', 'after_script'] as const).flatMap((key) => (((j as Loose)[key] as string[] | undefined) ?? []).map((text, i) => ({ where: `job ${job} ${key}[${i}]`, text }))));
}

interface FleetCommand {
  readonly where: string;
  readonly line: string;
  readonly sub: string;
  /** every --flag written anywhere on the line, including inside ${VAR:+--flag} and ${{ ... && '--flag' }} */
  readonly flags: readonly string[];
}

const invocation = /(?:^|[\s;&|(])(?:npx\s+(?:--no-install\s+)?waddle-fleet|node\s+bin\/waddle-fleet\.mjs|waddle-fleet)\s+(\S+)(.*)$/;

/** the waddle-fleet command lines of a script (continuation lines joined) */
function fleetCommands(script: Script): FleetCommand[] {
  return script.text.replace(/\\\n/g, ' ').split('\n').flatMap((line) => {
    const m = invocation.exec(line);
    if (!m) return [];
    return [{ where: script.where, line: line.trim(), sub: m[1]!, flags: [...m[2]!.matchAll(/(?<![\w$-])--[a-z][a-z0-9-]*/g)].map((f) => f[0]) }];
  });
}

/** problems of one command line against the real CLI's help */
function checkCommand(c: FleetCommand): string[] {
  const subs = cliHelp([]).subcommands;
  if (!subs.includes(c.sub)) return [`${c.where}: waddle-fleet has no subcommand '${c.sub}' (it has ${subs.join(', ')}): ${c.line}`];
  const help = cliHelp([c.sub]);
  return c.flags.filter((f) => !help.flags.has(f)).map((f) => `${c.where}: 'waddle-fleet ${c.sub}' has no flag ${f}: ${c.line}`);
}

const workflow = parse(workflowText) as Loose;
const gate = (workflow.jobs as Record<string, Loose>).gate!;
const steps = gate.steps as Loose[];
const commands = workflowScripts(workflow).flatMap(fleetCommands);

describe('the GitHub Actions release gate', () => {
  it('runs on a schedule and on demand with a choice of the shipped plans (as `waddle-fleet plans` lists them)', () => {
    const on = workflow.on as Loose;
    expect((on.schedule as Loose[]).length).toBeGreaterThan(0);
    const plan = ((on.workflow_dispatch as Loose).inputs as Record<string, Loose>).plan!;
    expect(plan.type).toBe('choice');
    const plans = spawnSync(process.execPath, ['bin/waddle-fleet.mjs', 'plans'], { cwd: repoRoot, encoding: 'utf8' });
    expect(plans.status).toBe(0);
    const shipped = plans.stdout.split('\n').map((l) => /^(\S+)\s/.exec(l)?.[1]).filter(Boolean);
    expect(shipped.length).toBeGreaterThanOrEqual(5);
    expect(plan.options).toEqual(shipped);
  }, 60_000);

  it('every waddle-fleet command and flag in it exists in the real CLI', () => {
    expect(commands.length).toBeGreaterThanOrEqual(2);
    expect(commands.flatMap(checkCommand)).toEqual([]);
    // what the gate is for: a chosen plan, against staging, compared with the previous release
    const run = commands.find((c) => c.sub === 'run' && !c.flags.includes('--dry-run'))!;
    expect(run.line).toContain('--target "${{ vars.STAGING_URL }}" --allow-remote-target');
    expect(run.flags).toEqual(expect.arrayContaining(['--target', '--allow-remote-target', '--results', '--baseline']));
  }, 60_000);

  it('the check fails on a flag or subcommand that does not exist', () => {
    const broken = parse(workflowText.replace('--results results --no-progress', '--results results --no-progress --allow-any-target').replace('waddle-fleet run "$PLAN" --dry-run', 'waddle-fleet runn "$PLAN" --dry-run')) as Loose;
    const problems = workflowScripts(broken).flatMap(fleetCommands).flatMap(checkCommand);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/has no subcommand 'runn'/);
    expect(problems[1]).toMatch(/'waddle-fleet run' has no flag --allow-any-target/);
  }, 60_000);

  it('installs the fleet pinned from outside the repo, keys the baseline, downloads the previous release\'s run folder, uploads the run folder and junit.xml', () => {
    const uses = steps.map((s) => s.uses as string | undefined).filter(Boolean);
    expect(uses).toEqual(expect.arrayContaining(['actions/checkout@v4', 'actions/download-artifact@v4', 'actions/upload-artifact@v4']));
    const apt = steps.find((s) => /apt-get install/.test(String(s.run)))!.run as string;
    for (const pkg of ['chromium', 'ffmpeg']) expect(apt).toContain(pkg);
    // installed from outside the app's repo, pinned: a tarball or a git URL at a full commit, never `npm ci` of the repo it sits in
    const install = steps.find((s) => s.id === 'install')!.run as string;
    expect(install).toMatch(/npm install --prefix "\$RUNNER_TEMP\/waddle-fleet" .*"\$WADDLE_FLEET_PACKAGE"/);
    expect(String((gate.env as Loose).WADDLE_FLEET_PACKAGE)).toMatch(/^git\+https:\/\/\S+\.git#[0-9a-f]{40}$/);
    expect(workflowText).not.toMatch(/npm ci|npx waddle-fleet/);
    // the baseline is keyed by plan, scale and branch, in the download and the upload alike
    const download = steps.find((s) => s.uses === 'actions/download-artifact@v4')!.with as Loose;
    expect(download).toMatchObject({ path: 'baseline', name: 'waddle-fleet-run-${{ steps.scale.outputs.baseline-key }}' });
    expect(steps.find((s) => s.id === 'scale')!.run).toMatch(/key="\$PLAN-scale\$value\$\{durations:\+-short\}-\$\{GITHUB_REF_NAME/);
    expect((steps.find((s) => s.uses === 'actions/upload-artifact@v4')!.with as Loose).name).toBe(download.name);
    expect(download['run-id']).toMatch(/steps\.previous\.outputs\.run-id/);
    const uploads = steps.filter((s) => s.uses === 'actions/upload-artifact@v4').map((s) => (s.with as Loose).path);
    expect(uploads).toEqual(['${{ steps.run.outputs.dir }}', '${{ steps.run.outputs.dir }}/junit.xml']);
    // the folder --baseline reads is the one the download wrote
    expect(commands.find((c) => c.flags.includes('--baseline'))!.line).toMatch(/--baseline "\$BASELINE_DIR"/);
    expect(steps.find((s) => s.id === 'run')!.run).toMatch(/BASELINE_DIR=baseline/);
  });

  it('fails the job by the exit code, and its comment lists the same codes as the README table', () => {
    const readmeCodes = [...readFileSync(join(repoRoot, 'README.md'), 'utf8').matchAll(/^\| (\d+) \| /gm)].map((m) => Number(m[1]));
    expect(readmeCodes).toEqual([0, 1, 2, 3, 4, 130]);
    const commentCodes = [...workflowText.matchAll(/^#\s+(\d+)\s{2,}\S/gm)].map((m) => Number(m[1]));
    expect(commentCodes).toEqual(readmeCodes);
    const gateStep = steps.find((s) => /exit "\$CODE"/.test(String(s.run)))!;
    expect(gateStep.if).toMatch(/always\(\)/);
    for (const code of readmeCodes.filter((c) => c !== 1)) expect(gateStep.run as string).toMatch(new RegExp(`^\\s+${code}\\)`, 'm'));
    // the run step records the code instead of stopping the job before the uploads
    expect(steps.find((s) => s.id === 'run')!.run).toMatch(/set \+e[\s\S]*code=\$\?[\s\S]*exit-code=\$code/);
  });
});

describe('the GitLab CI equivalent in docs/release-gate.md', () => {
  const block = /```yaml\n([\s\S]*?)```/.exec(docText)?.[1];
  it('parses, and every waddle-fleet command and flag in it exists in the real CLI', () => {
    expect(block).toBeDefined();
    const ci = parse(block!) as Loose;
    const gitlab = gitlabScripts(ci).flatMap(fleetCommands);
    expect(gitlab.map((c) => c.sub)).toEqual(['run', 'run']);
    expect(gitlab.flatMap(checkCommand)).toEqual([]);
    expect(gitlab[1]!.flags).toEqual(expect.arrayContaining(['--target', '--allow-remote-target', '--baseline']));
    expect(((ci['release-gate'] as Loose).artifacts as Loose).reports).toEqual({ junit: 'results/*/junit.xml' });
  }, 60_000);
});
