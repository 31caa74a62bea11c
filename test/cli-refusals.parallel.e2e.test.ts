// The verdict on a plan the command refuses (exit 2), through the real command: every problem at
// once, and nothing started — no browser, no results folder. Nothing here starts a browser, so it
// runs beside other files (test/README.md); the runs that start browsers are cli-verdict.e2e.test.ts.
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { chatPlan } from './helpers/chat-plan.ts';
import { playwrightChromiumPids, runCli } from './helpers/cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'waddle-fleet-refusals-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// its cases at once (describe.concurrent): each its own plan or port and results folder, no time asserted
describe.concurrent('waddle-fleet run: the verdict on a plan it refuses', () => {
  it('rejects a misspelled metric with exit 2 before any browser starts', async ({ expect }) => {
    await writeFile(join(dir, 'typo.ts'), chatPlan('typo', { 'chat.delivry_ms': ['p(95)<1000'], 'journey.errors': ['rate<<0.1'] }));
    const results = join(dir, 'results-typo');
    const r = await runCli(['run', join(dir, 'typo.ts'), '--results', results, '--no-progress', '--scale', '-1'], { cwd: dir });
    expect(r.code).toBe(2);
    // every problem at once
    expect(r.stderr).toContain('chat.delivry_ms');
    expect(r.stderr).toContain('chat.delivery_ms'); // the suggestion
    expect(r.stderr).toContain('rate<<0.1');
    expect(r.stderr).toContain('--scale');
    expect(r.stdout).not.toContain('browser pool');
    await expect(access(results)).rejects.toThrow();
  });

  it('refuses a plan that peaks above the browser contexts this worker holds, with the fix (exit 2)', async ({ expect }) => {
    await writeFile(join(dir, 'big.ts'), chatPlan('big', { 'chat.messages_sent': ['count>0'] }));
    const results = join(dir, 'results-big');
    const dry = await runCli(['run', join(dir, 'big.ts'), '--dry-run', '--max-browsers', '1', '--contexts-per-browser', '1'], { cwd: dir });
    expect(dry.stdout).toMatch(/WARNING: 2 concurrent users at peak .* hold 1: the run will be refused/);
    const r = await runCli(['run', join(dir, 'big.ts'), '--results', results, '--max-browsers', '1', '--contexts-per-browser', '1'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/peaks at 2 concurrent users but this worker holds at most 1 .*--scale 0\.5.*--shard i\/2/);
    await expect(access(results)).rejects.toThrow();
    expect(playwrightChromiumPids(r.pid)).toEqual([]);
  });

  it('refuses --frame-rate where pacing would lie or cannot run: the full browser, media marks, video (exit 2)', async ({ expect }) => {
    await writeFile(join(dir, 'paced.ts'), chatPlan('paced', { 'chat.messages_sent': ['count>0'] }));
    const results = join(dir, 'results-paced');
    const r = await runCli(['run', join(dir, 'paced.ts'), '--results', results, '--frame-rate', '4', '--chromium', '/usr/bin/chromium', '--media-marks', 'on'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--frame-rate: /usr/bin/chromium is not the headless shell');
    expect(r.stderr).toContain('--frame-rate: media marks (glass-to-glass, quality) time what a page shows');
    await expect(access(results)).rejects.toThrow();
    expect(playwrightChromiumPids(r.pid)).toEqual([]);
    // a plan with video: its receivers would decode late on paced pages
    const video = await runCli(['run', 'smoke', '--frame-rate', '4', '--dry-run'], { cwd: dir });
    expect(video.code).toBe(2);
    expect(video.stderr).toMatch(/--frame-rate: the plan sends video or a screen \(.*videoCall.*\)/);
    // by default (auto) nothing is refused: the dry run says what the pages will draw, and why
    const [chat, calls] = await Promise.all([runCli(['run', join(dir, 'paced.ts'), '--dry-run'], { cwd: dir }), runCli(['run', 'smoke', '--dry-run'], { cwd: dir })]);
    expect([chat.code, calls.code]).toEqual([0, 0]);
    expect(chat.stdout + chat.stderr).toContain('browser pages: paced at 4 frames/s (--frame-rate auto: chat-only browser users; --frame-rate off draws every frame)');
    expect(calls.stdout + calls.stderr).toMatch(/browser pages: not paced \(--frame-rate auto: \w+ needs .*(voice|video|screen)/);
  });
});
