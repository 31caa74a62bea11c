// The built-in error gate through the real command, in real browsers against the reference Waddle:
// a plan with no thresholds whose users fail does not pass (issue 9: 18/18 failed iterations exited 0).
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../metrics/run-summary.ts';
import { startReferenceWaddle, type ReferenceWaddle } from '../reference-waddle/server.ts';
import { runCli } from './helpers/cli.ts';

let dir: string;
let noVoice: ReferenceWaddle;

const planFile = (name: string, scenario: string, extra = '') => `import { definePlan } from 'waddle-fleet';
export default definePlan({
  name: ${JSON.stringify(name)},
  phases: [{ name: 'steady', targetUsers: 1, rampUp: '0s', duration: '8s', scenarios: [${scenario}] }],
  gracefulStop: '15s',${extra}
});
`;

async function summaryOf(resultsDir: string): Promise<RunSummary> {
  const [run] = (await readdir(resultsDir)).filter((d) => d !== 'latest');
  return JSON.parse(await readFile(join(resultsDir, run!, 'summary.json'), 'utf8')) as RunSummary;
}

beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'waddle-fleet-gate-'));
  noVoice = await startReferenceWaddle({ port: 0, voiceChannels: 0 });
});
afterAll(async () => {
  await noVoice?.stop();
  await rm(dir, { recursive: true, force: true });
});

// The two failing runs side by side (each its own process, plan file and results; a failed gate
// is exit 3 whatever the machine's load); the passing one alone after them.
describe.concurrent('the built-in error gate', () => {
  it('fails a plan without thresholds whose only caller is alone (wait_remote_audio fails every time), and the dry run warned', async ({ expect }) => {
    const voice = `{ journey: 'voiceCall', users: 1, params: { talkMs: 500, speakSegmentMs: 500, remoteMediaTimeoutMs: 2000 } }`;
    await writeFile(join(dir, 'alone.ts'), planFile('alone', voice));
    const dry = await runCli(['run', join(dir, 'alone.ts'), '--dry-run'], { cwd: dir });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/step\.errors\{journey:J,driver:D,step:\*\} rate<0\.01 \(built-in\) for J \(on D\) = voiceCall/);
    expect(dry.stdout).toMatch(/WARNING: voiceCall: 1 of 1 call room\(s\) never hold two users at once/);

    const results = join(dir, 'results-alone');
    const r = await runCli(['run', join(dir, 'alone.ts'), '--results', results, '--no-progress', '--no-report'], { cwd: dir });
    expect(r.stdout).toContain('verdict: FAIL');
    expect(r.code).toBe(3);
    const s = await summaryOf(results);
    expect(s.journeys.voiceCall?.completed).toBeGreaterThanOrEqual(1); // the journey itself completes…
    const failed = s.thresholds.filter((t) => !t.ok);
    expect(failed).toContainEqual(expect.objectContaining({ metric: 'step.errors{journey:voiceCall,driver:browser,step:wait_remote_audio}', source: 'default', observed: 1 }));
    expect(s.defaultGate).toBe(true);
    const junit = await readFile(join(results, 'latest', 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testcase classname="default gate" name="step.errors\{journey:voiceCall,driver:browser,step:wait_remote_audio\} rate&lt;0.01" time="0">\s*<failure/);
  });

  it('never passes a run whose every iteration failed, even with the gate turned off', async ({ expect }) => {
    await writeFile(join(dir, 'novoice.ts'), planFile('novoice', `{ journey: 'voiceCall', users: 1 }`, '\n  defaultThresholds: false,'));
    const results = join(dir, 'results-novoice');
    const r = await runCli(['run', join(dir, 'novoice.ts'), '--target', noVoice.url, '--results', results, '--no-progress', '--no-report'], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/no journey iteration completed: all 1 user\(s\) failed every iteration/);
    const s = await summaryOf(results);
    expect(s.journeys.voiceCall?.completed).toBe(0);
    expect(s.journeys.voiceCall?.failed).toBeGreaterThanOrEqual(1);
    expect(s.defaultGate).toBe(false);
  });
});

describe('the built-in error gate, turned off', () => {
  it('says NOT GATED when the plan turned the gate off and has no thresholds', async () => {
    const chat = `{ journey: 'chatMessaging', users: 1, params: { count: 2, intervalMs: 500, receiveMs: 500 } }`;
    await writeFile(join(dir, 'ungated.ts'), planFile('ungated', chat, '\n  defaultThresholds: false,'));
    const results = join(dir, 'results-ungated');
    const r = await runCli(['run', join(dir, 'ungated.ts'), '--results', results, '--no-progress', '--no-report'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/passed, but NOT GATED/);
    expect(r.stdout).toMatch(/NOT GATED: the built-in error gate is off/);
  });
});
