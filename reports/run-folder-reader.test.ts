import { appendFile, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../metrics/types.ts';
import { buildReportHtml } from './html/build.ts';
import { writeReport } from './index.ts';
import { parseNdjson, readRunForReport, RunFolderProblem } from './run-folder-reader.ts';
import { makeFixtureRun, writeFixtureRunFolder } from './testing/fixture-run.ts';

let dir = '';
afterEach(async () => { if (dir) await rm(dir, { recursive: true, force: true }); });

async function problemsOf(promise: Promise<unknown>): Promise<readonly string[]> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(RunFolderProblem);
  return (error as RunFolderProblem).problems;
}

/** a killed run: users started, some ended, some still running when the process died */
function userEvents(startMs: number): RunEvent[] {
  const at = (s: number) => startMs + s * 1000;
  return [
    { timeMs: at(1), type: 'user_start', tags: { journey: 'chatMessaging' } },
    { timeMs: at(2), type: 'user_start', tags: { journey: 'chatMessaging' } },
    { timeMs: at(3), type: 'user_start', tags: { journey: 'videoCall' } },
    { timeMs: at(20), type: 'user_end', tags: { journey: 'chatMessaging' }, data: { outcome: 'completed', started: 3, completed: 3, failed: 0, interrupted: 0 } },
  ];
}

describe('run-folder reader', () => {
  it('reads a run folder and skips a truncated last NDJSON line (kill -9)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'waddle-reader-'));
    const run = makeFixtureRun({ intervalCount: 5, seed: 5 });
    await writeFixtureRunFolder(dir, run);
    await appendFile(join(dir, 'intervals.ndjson'), '{"runId":"x","shard":"1/1","startMs":12');
    const read = await readRunForReport(dir);
    expect(read.intervals).toHaveLength(5);
    expect(read.events).toHaveLength(run.events.length);
    expect(read.skippedLines).toBe(1);
    expect(read.problems?.[0]).toMatch(/intervals\.ndjson: the last line is truncated/);
    expect(read.summary.runId).toBe(run.summary.runId);
    expect(read.partial).toBeUndefined();
  });

  it('rebuilds a partial report from the NDJSON when summary.json was never written, marked interrupted', async () => {
    dir = await mkdtemp(join(tmpdir(), 'waddle-reader-'));
    const run = makeFixtureRun({ intervalCount: 8, seed: 6, withHdr: true });
    await writeFixtureRunFolder(dir, { ...run, events: [...run.events, ...userEvents(run.intervals[0]!.startMs)] });
    await unlink(join(dir, 'summary.json'));
    const read = await readRunForReport(dir);
    const s = read.summary;
    expect(s.status).toBe('partial');
    expect(s.verdict.result).toBe('interrupted');
    expect(s.verdict.reasons[0]).toContain('summary.json is missing');
    expect(read.partial?.[0]).toMatch(/rebuilt from intervals\.ndjson \(8 intervals\)/);
    expect(s.runId).toBe(run.summary.runId);
    expect(s.users).toEqual({ started: 3, completed: 1, failed: 0, interrupted: 2 });
    // steps from the merged interval histograms equal the run's own totals
    const upload = (steps: typeof s.steps) => steps.find((x) => x.journey === 'fileUpload' && x.step === 'upload');
    expect(upload(s.steps)?.count).toBe(upload(run.summary.steps)?.count);
    expect(upload(s.steps)?.errors).toBe(upload(run.summary.steps)?.errors);
    expect(s.phases.map((p) => p.name)).toEqual(['ramp-up', 'steady', 'ramp-down']);
    expect(s.errors.map((c) => c.reason)).toContain('timeout');
    const html = buildReportHtml(read);
    expect(html).toContain('id="partial"');
    expect(html).toContain('Partial report: not the whole run');
    expect(html).toMatch(/badge-interrupted">INTERRUPTED/);
  });

  it('rebuilds a partial report when the last intervals line was cut by kill -9 and summary.json is absent', async () => {
    dir = await mkdtemp(join(tmpdir(), 'waddle-reader-'));
    const run = makeFixtureRun({ intervalCount: 4, seed: 7, withHdr: true });
    await writeFixtureRunFolder(dir, run);
    await unlink(join(dir, 'summary.json'));
    const text = await readFile(join(dir, 'intervals.ndjson'), 'utf8');
    await writeFile(join(dir, 'intervals.ndjson'), text.slice(0, text.length - 200));
    const read = await readRunForReport(dir);
    expect(read.intervals).toHaveLength(3);
    expect(read.skippedLines).toBe(1);
    expect(read.summary.verdict.result).toBe('interrupted');
    // no user events in this folder: the users.started counter stands in, outcomes unknown
    expect(read.summary.users.started).toBeGreaterThan(0);
    expect(read.summary.users.interrupted).toBe(read.summary.users.started);
    expect(read.problems?.join('\n')).toContain('no user_start/user_end events');
    const path = await writeReport(dir);
    const html = await readFile(path, 'utf8');
    expect(html).toContain('intervals.ndjson: the last line is truncated');
  });
});

describe('run-folder reader: bad folders and NDJSON', () => {
  it('says what is missing for a missing folder, an empty folder and a file (RunFolderProblem, not an internal error)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'waddle-reader-'));
    expect((await problemsOf(readRunForReport(join(dir, 'nope'))))[0]).toMatch(/nope: no such folder\. Pass a run folder/);
    const empty = await problemsOf(readRunForReport(dir));
    expect(empty.join('\n')).toMatch(/summary\.json is missing/);
    for (const file of ['intervals.ndjson: missing', 'events.ndjson: missing', 'plan.json: missing']) expect(empty).toContain(file);
    await writeFile(join(dir, 'a-file'), 'x');
    expect((await problemsOf(readRunForReport(join(dir, 'a-file'))))[0]).toMatch(/is a file, not a run folder/);
    await writeFile(join(dir, 'summary.json'), JSON.stringify({ schemaVersion: 7 }));
    expect((await problemsOf(readRunForReport(dir)))[0]).toMatch(/schemaVersion 7 is not supported/);
    await expect(writeReport(join(dir, 'nope'))).rejects.toBeInstanceOf(RunFolderProblem);
  });

  it('treats a broken summary.json like a missing one when the NDJSON can stand in', async () => {
    dir = await mkdtemp(join(tmpdir(), 'waddle-reader-'));
    await writeFixtureRunFolder(dir, makeFixtureRun({ intervalCount: 3, seed: 8, withHdr: true }));
    await writeFile(join(dir, 'summary.json'), '{"schemaVersion":1,');
    const read = await readRunForReport(dir);
    expect(read.partial?.[0]).toMatch(/summary\.json is not valid JSON/);
  });

  it('parses NDJSON tolerating blank lines and non-objects', () => {
    expect(parseNdjson('{"a":1}\n\n42\n{"b":2}\n{"c"')).toEqual({ items: [{ a: 1 }, { b: 2 }], skippedLines: 2 });
  });
});
