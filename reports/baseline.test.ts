// `report --baseline`: warnings when the baseline ran another plan, scale or shape; verdict lines.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baselineReport } from './baseline.ts';
import { rebuildReport, RunFolderProblem } from './index.ts';
import { makeFixtureRun, writeFixtureRunFolder } from './testing/fixture-run.ts';

let dir = '';
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'waddle-baseline-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const run = (over: Parameters<typeof makeFixtureRun>[0] = {}) => makeFixtureRun({ intervalCount: 8, seed: 11, ...over });

describe('baseline comparison for the terminal', () => {
  it('has no warning against a run of the same plan, and says there is no regression beyond the margins', () => {
    const r = baselineReport(run({ runId: 'now' }).summary, run({ runId: 'then' }).summary);
    expect(r.warnings).toEqual([]);
    expect(r.regressed).toBe(false);
    expect(r.verdictLines).toEqual(['no regression against baseline then beyond 10% (and 5 ms) in step p95 or 1 percentage point(s) in error rates, over 11 step(s) compared']);
  });

  it('warns when the baseline ran a different plan, scale or shape', () => {
    const then = run({ runId: 'then', planName: 'smoke' });
    const now = run({ runId: 'now', planName: 'stress', scale: 0.01, targetUsers: 40, intervalCount: 12 });
    const r = baselineReport(now.summary, then.summary);
    expect(r.warnings).toEqual([
      "baseline then ran plan 'smoke', this run plan 'stress': the comparison is between different plans",
      'baseline then ran at --scale 1, this run at 0.01: different loads',
      'baseline then had phases [ramp-up 12 users 10 s, steady 12 users 20 s, ramp-down 0 users 10 s], this run [ramp-up 40 users 15 s, steady 40 users 30 s, ramp-down 0 users 15 s]: a different load shape',
      'baseline then ran journeys [chatMessaging 4, fileUpload 4, videoCall 4], this run [chatMessaging 13, fileUpload 13, videoCall 13] (users at the peak)',
    ]);
  });

  it('warns when the browser or its frame rate differ, or the baseline does not record them', () => {
    const withBrowser = (runId: string, browser?: { executable: string; frameRate: number }) => {
      const { summary } = run({ runId });
      return { ...summary, generator: { ...summary.generator, ...(browser ? { browser } : {}) } };
    };
    const shell = '/usr/lib/chromium/chromium-headless-shell';
    const paced = withBrowser('now', { executable: shell, frameRate: 4 });
    expect(baselineReport(paced, withBrowser('then', { executable: shell, frameRate: 4 })).warnings).toEqual([]);
    expect(baselineReport(paced, withBrowser('then', { executable: shell, frameRate: 0 })).warnings).toEqual([
      `baseline then ran ${shell} with every frame drawn, this run ${shell} with pages paced at 4 frames/s: a browser user's cost and step timings differ with these; compare runs of the same browser and --frame-rate`,
    ]);
    expect(baselineReport(withBrowser('now', { executable: '/usr/bin/chromium', frameRate: 0 }), withBrowser('then', { executable: shell, frameRate: 0 })).warnings[0]).toContain(`ran ${shell} with every frame drawn, this run /usr/bin/chromium with every frame drawn`);
    expect(baselineReport(paced, withBrowser('then')).warnings).toEqual([
      `baseline then does not record a browser or frame rate (no browser users, or a run from before they were recorded); this run's browser users ran ${shell} with pages paced at 4 frames/s: compare with a run of the same browser and --frame-rate`,
    ]);
    expect(baselineReport(withBrowser('now'), withBrowser('then', { executable: shell, frameRate: 4 })).warnings).toEqual([]); // no browser users now: nothing to compare
  });

  it('gives one verdict line per regression', () => {
    const r = baselineReport(run({ runId: 'now', stepLatencyFactor: { 'videoCall/join_voice': 1.6 } }).summary, run({ runId: 'then' }).summary);
    expect(r.regressed).toBe(true);
    expect(r.verdictLines).toHaveLength(1);
    expect(r.verdictLines[0]).toMatch(/^regression against baseline then: step p95 videoCall\/join_voice: /);
  });

  it('rebuildReport returns the warnings and verdict lines for the CLI and shows the warnings in report.html', async () => {
    const baselineDir = await writeFixtureRunFolder(join(dir, 'then'), run({ runId: 'then', planName: 'smoke' }));
    const currentDir = await writeFixtureRunFolder(join(dir, 'now'), run({ runId: 'now', planName: 'stress' }));
    const r = await rebuildReport(currentDir, { baselineDir });
    expect(r.baseline?.warnings[0]).toContain("ran plan 'smoke', this run plan 'stress'");
    expect(r.baseline?.verdictLines[0]).toMatch(/^no regression against baseline then/);
    const html = await readFile(r.path, 'utf8');
    expect(html).toContain('id="baseline-warnings"');
    expect(html).toContain('plan &#39;smoke&#39;, this run plan &#39;stress&#39;');
    await expect(rebuildReport(currentDir, { baselineDir: join(dir, 'missing') })).rejects.toBeInstanceOf(RunFolderProblem);
  });
});
