// `waddle-fleet merge` through the real command, on run folders written by the real writer:
// one verdict, one summary and one report for a distributed run; a missing shard is never a PASS.
import { mkdtemp, readFile, rm, access } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../metrics/run-summary.ts';
import { makeFixtureRun, writeFixtureRunFolder } from '../reports/testing/fixture-run.ts';
import type { RunForReport } from '../reports/run-folder-reader.ts';
import { runCli } from './helpers/cli.ts';

let dir: string;

function asShard(run: RunForReport, shard: string): RunForReport {
  return {
    ...run,
    summary: { ...run.summary, shard, status: 'complete' },
    intervals: run.intervals.map((i) => ({ ...i, shard, startMs: i.startMs + 700, endMs: i.endMs + 700 })),
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'waddle-fleet-merge-'));
  const pass = { result: 'pass', exitCode: 0, reasons: ['passed'] } as const;
  await writeFixtureRunFolder(join(dir, 's1'), asShard(makeFixtureRun({ intervalCount: 24, seed: 1, verdict: pass, withHdr: true }), '1/2'));
  await writeFixtureRunFolder(join(dir, 's2'), asShard(makeFixtureRun({ intervalCount: 24, seed: 2, verdict: pass, withHdr: true }), '2/2'));
  // a shard whose trends lack their histograms (hand-edited, or from another tool)
  await writeFixtureRunFolder(join(dir, 'no-hdr'), asShard(makeFixtureRun({ intervalCount: 24, seed: 3, verdict: pass }), '2/2'));
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('waddle-fleet merge', () => {
  it('writes one summary, one timeline and one report for all shards', async () => {
    const out = join(dir, 'merged');
    const r = await runCli(['merge', join(dir, 's1'), join(dir, 's2'), '--shards', '2', '--out', out]);
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as RunSummary;
    const one = JSON.parse(await readFile(join(dir, 's1', 'summary.json'), 'utf8')) as RunSummary;
    const two = JSON.parse(await readFile(join(dir, 's2', 'summary.json'), 'utf8')) as RunSummary;
    expect(r.code).toBe(summary.verdict.exitCode);
    expect(summary.users.started).toBe(one.users.started + two.users.started);
    expect(summary.shard).toBe('merged 2/2');
    const lines = (await readFile(join(out, 'intervals.ndjson'), 'utf8')).trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(24); // shards' intervals lined up, not concatenated
    expect(lines.length).toBeLessThanOrEqual(25);
    await access(join(out, 'report.html'));
    await access(join(out, 'junit.xml'));
    expect(r.stdout).toContain('report:');
  });

  it('calls a run with a missing shard inconclusive (exit 4) and names it', async () => {
    const out = join(dir, 'merged-missing');
    const r = await runCli(['merge', join(dir, 's1'), '--shards', '2', '--out', out]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('2/2 (no run folder)');
    await access(join(out, 'report.html'));
  });

  it('leaves out series it cannot merge, says where, and calls the run inconclusive', async () => {
    const r = await runCli(['merge', join(dir, 's1'), join(dir, 'no-hdr'), '--shards', '2', '--out', join(dir, 'merged-corrupt')]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/no-hdr: intervals\.ndjson, interval ending .*has no hdr histogram/);
    expect(r.stderr).toMatch(/2\/2 \(\d+ series could not be merged\)/);
  });
});
