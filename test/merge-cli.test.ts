// `waddle-fleet merge` through the real command, on run folders written by the real writer:
// one verdict, one summary and one report for a distributed run; a missing shard is never a PASS.
import { mkdir, mkdtemp, readFile, rm, access, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FailureEvidence, RunSummary } from '../metrics/run-summary.ts';
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

  it('refuses folders that are not there (exit 2, as report does) instead of an empty merged run, and says --shards is required', async () => {
    const out = join(dir, 'merged-nowhere');
    const r = await runCli(['merge', join(dir, 'nope-1'), join(dir, 'nope-2'), '--shards', '2', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(dir, 'nope-1')}: no such run folder`);
    await expect(access(out)).rejects.toThrow();
    const help = await runCli(['merge', '--help']);
    expect(help.stdout.replace(/\s+/g, ' ')).toMatch(/--shards <n> how many shards the run had \(required/);
    const calibrate = await runCli(['calibrate', '--help']);
    expect(calibrate.stdout.match(/stress/g)).toHaveLength(1); // the default plan, said once
  });

  it('leaves out series it cannot merge, says where, and calls the run inconclusive', async () => {
    const r = await runCli(['merge', join(dir, 's1'), join(dir, 'no-hdr'), '--shards', '2', '--out', join(dir, 'merged-corrupt')]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/no-hdr: intervals\.ndjson, interval ending .*has no hdr histogram/);
    expect(r.stderr).toMatch(/2\/2 \(\d+ series could not be merged\)/);
  });
});

/** A shard whose summary lists failure evidence; the files it lists are written unless named in `absent`. */
async function writeShardWithEvidence(name: string, shard: string, seed: number, evidence: FailureEvidence[], absent: readonly string[] = []): Promise<string> {
  const pass = { result: 'pass', exitCode: 0, reasons: ['passed'] } as const;
  const shardDir = await writeFixtureRunFolder(join(dir, name), asShard(makeFixtureRun({ intervalCount: 24, seed, verdict: pass, withHdr: true, evidence }), shard));
  await mkdir(join(shardDir, 'evidence'), { recursive: true });
  for (const file of evidence.flatMap((e) => e.files)) {
    if (!absent.includes(file) && !file.startsWith('..')) await writeFile(join(shardDir, file), `${name}: ${file}`);
  }
  return shardDir;
}

describe('waddle-fleet merge: failure evidence', () => {
  const at = Date.UTC(2025, 0, 15, 10, 1, 0);
  // both shards number their captures from 001: the same names, different failures
  const names = (n: string) => ['png', 'html', 'console.txt'].map((ext) => `evidence/001-chatMessaging-send_message-vu${n}.${ext}`);

  it('copies every shard\'s evidence into the merged folder and lists it relative to --out, so the merged report links work', async () => {
    const e1 = await writeShardWithEvidence('ev1', '1/2', 4, [{ journey: 'chatMessaging', step: 'send_message', reason: 'timeout', message: 'shard one failed', atMs: at + 2000, files: names('1') }]);
    const e2 = await writeShardWithEvidence('ev2', '2/2', 5, [
      { journey: 'chatMessaging', step: 'send_message', reason: 'network', message: 'shard two failed', atMs: at, files: [...names('1'), 'evidence/002-gone.console.txt', '../outside.png'] },
    ], ['evidence/002-gone.console.txt']);
    const out = join(dir, 'merged-evidence');
    const r = await runCli(['merge', e1, e2, '--shards', '2', '--out', out]);
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as RunSummary;
    expect(summary.evidence?.map((e) => [e.message, e.files])).toEqual([
      ['shard two failed', [...names('1').map((f) => f.replace('evidence/', 'evidence/shard2of2/')), 'evidence/shard2of2/002-gone.console.txt']],
      ['shard one failed', names('1').map((f) => f.replace('evidence/', 'evidence/shard1of2/'))],
    ]);
    // each shard's own file, not the other's (same names)
    expect(await readFile(join(out, 'evidence/shard1of2/001-chatMessaging-send_message-vu1.png'), 'utf8')).toBe('ev1: evidence/001-chatMessaging-send_message-vu1.png');
    expect(await readFile(join(out, 'evidence/shard2of2/001-chatMessaging-send_message-vu1.png'), 'utf8')).toBe('ev2: evidence/001-chatMessaging-send_message-vu1.png');
    expect(r.stderr).toContain(`${e2}: evidence file evidence/002-gone.console.txt is missing`);
    expect(r.stderr).toMatch(/summary\.evidence names "\.\.\/outside\.png", which is not a path inside the run folder/);

    // the report links every copied file, and each link resolves inside the merged folder
    const report = await readFile(join(out, 'report.html'), 'utf8');
    expect(report).toContain('<img class="thumb" src="evidence/shard1of2/001-chatMessaging-send_message-vu1.png"');
    const linked = [...report.matchAll(/href="(evidence\/[^"]+)"/g)].map((m) => m[1]!);
    expect(new Set(linked)).toEqual(new Set(summary.evidence!.flatMap((e) => e.files).filter((f) => !f.includes('gone'))));
    for (const file of linked) await access(join(out, file));
    expect(report).toContain('evidence/shard2of2/002-gone.console.txt (missing from the run folder)');
  });
});
