// Stopping the wrapper stops the run (RELIABILITY.md "Never lose a run"): the fleet started through
// `npx waddle-fleet run …` or an npm script shaped like `npm run demo` ("setup && exec node bin/…"),
// the way a user or a pipeline starts it. SIGTERM to the wrapper — npm forwards it to `sh -c`,
// which dies without passing it on — and SIGKILL of the wrapper both leave the fleet without its
// wrapper; within a bounded time the fleet's node process and every browser it started must be
// gone, the run folder must hold a partial summary (interrupted, exit 130 semantics), and its
// private temp folder must be removed. Real command, real browsers, real reference Waddle.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../metrics/run-summary.ts';
import { repoRoot } from './helpers/cli.ts';
import { browsersOf, descendants, fleetProcessInGroup, isRunning, killAll, stillRunning, waitUntil } from './helpers/processes.ts';

let dir: string;
const leftovers: number[] = [];

const longChatPlan = `import { definePlan } from 'waddle-fleet';
export default definePlan({
  name: 'wrapper-stop',
  phases: [{ name: 'steady', targetUsers: 1, rampUp: '1s', duration: '5m',
    scenarios: [{ journey: 'chatMessaging', users: 1, params: { count: 1000, intervalMs: 1000, receiveMs: 2000 } }] }],
  thresholds: { 'chat.messages_sent': ['count>0'] },
});
`;

beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'waddle-fleet-wrapper-stop-'));
  await writeFile(join(dir, 'long.ts'), longChatPlan);
});
afterAll(async () => {
  killAll(leftovers.splice(0)); // after a failure: what a case left running (cases run at once, so not per case)
  await rm(dir, { recursive: true, force: true });
});

const wrappers: Record<'npx' | 'npm run', (results: string) => [string, string[]]> = {
  npx: (results) => ['npx', ['--no-install', 'waddle-fleet', 'run', join(dir, 'long.ts'), '--results', results, '--no-progress']],
  'npm run': (results) => ['npm', ['run', 'fleet', '--', 'run', join(dir, 'long.ts'), '--results', results, '--no-progress']],
};

function startWrapper(kind: keyof typeof wrappers, results: string): { child: ChildProcess; output: () => string } {
  const [command, args] = wrappers[kind](results);
  // detached: the wrapper leads a new process group, where we find the fleet it started
  const child = spawn(command, args, { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  child.stderr!.on('data', (d: Buffer) => (out += d));
  return { child, output: () => out };
}

async function onlySummary(results: string): Promise<RunSummary> {
  const runs = (await readdir(results)).filter((d) => d !== 'latest');
  expect(runs).toHaveLength(1);
  return JSON.parse(await readFile(join(results, runs[0]!, 'summary.json'), 'utf8')) as RunSummary;
}

const cases = (['npx', 'npm run'] as const).flatMap((kind) => (['SIGTERM', 'SIGKILL'] as const).map((signal) => [kind, signal] as const));

// The four cases run at once: each is its own wrapper, fleet, browser and results folder, found by
// its own process group and pid, and what each asserts (it stopped, what it left) is its own.
describe.concurrent('a signal to the wrapper of waddle-fleet run …', () => {
  it.for(cases)('%s: %s to the wrapper stops the fleet, its browsers, and leaves a partial report', async ([kind, signal], { expect }) => {
    const results = join(dir, `results-${kind.replace(' ', '-')}-${signal}`);
    const wrapper = startWrapper(kind, results);
    const wrapperPid = wrapper.child.pid!;
    leftovers.push(wrapperPid);
    await waitUntil('load to start', () => wrapper.output().includes('▶ load'), 120_000);
    const fleetPid = fleetProcessInGroup(wrapperPid);
    expect(fleetPid, `no fleet node process in the wrapper's group:\n${wrapper.output()}`).toBeDefined();
    // a user is running in a browser: the load we must not leave behind
    await waitUntil('a browser', () => browsersOf(fleetPid!).length > 0, 60_000);
    await new Promise((r) => setTimeout(r, 3000));
    const started = [fleetPid!, ...descendants(fleetPid!)];
    leftovers.push(...started);
    const privateRoots = (await readdir(os.tmpdir())).filter((n) => n.startsWith(`waddle-fleet-run-${fleetPid}-`));
    expect(privateRoots).toHaveLength(1);

    process.kill(wrapperPid, signal);
    const stopMs = await waitUntil(`the fleet (pid ${fleetPid}) to exit after ${signal} to ${kind}`, () => !isRunning(fleetPid!), 90_000);
    await waitUntil('its browsers to exit', () => stillRunning(started).length === 0, 15_000);
    console.log(`${kind} ${signal}: the fleet exited ${stopMs} ms after the signal to its wrapper`);

    const summary = await onlySummary(results);
    expect(summary.status).toBe('partial');
    expect(summary.verdict.result).toBe('interrupted');
    expect(summary.verdict.exitCode).toBe(130);
    expect(summary.users.started).toBe(1);
    expect(wrapper.output()).toMatch(/stopping/);
    expect((await readdir(os.tmpdir())).filter((n) => n.startsWith(`waddle-fleet-run-${fleetPid}-`))).toEqual([]);
  });
});

describe('the npm scripts that start the fleet', () => {
  it('exec node, so a signal to npm reaches the fleet itself and not only sh', async () => {
    const scripts = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')).scripts as Record<string, string>;
    for (const name of ['demo', 'fleet']) expect(scripts[name]).toMatch(/&& exec node bin\/waddle-fleet\.mjs\b/);
  });
});
