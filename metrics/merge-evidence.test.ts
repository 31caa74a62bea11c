import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { carryShardEvidence } from './merge-evidence.ts';
import type { FailureEvidence } from './run-summary.ts';

let root = '';
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'waddle-merge-evidence-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const failure = (files: string[], atMs = 1): FailureEvidence => ({ journey: 'chat', step: 'send', reason: 'timeout', message: 'm', atMs, files });

async function shardDir(name: string, files: readonly string[]): Promise<string> {
  const dir = join(root, name);
  for (const file of files) {
    await mkdir(join(dir, file, '..'), { recursive: true });
    await writeFile(join(dir, file), name);
  }
  return dir;
}

describe('carryShardEvidence', () => {
  it('says "none recorded" (undefined) only when no shard recorded evidence, and "none failed" ([]) when they recorded none', async () => {
    const out = join(root, 'out');
    expect(await carryShardEvidence([{ shard: '1/2', dir: root, evidence: undefined }, { shard: '2/2', dir: root, evidence: undefined }], out, [])).toBeUndefined();
    expect(await carryShardEvidence([{ shard: '1/2', dir: root, evidence: [] }, { shard: '2/2', dir: root, evidence: undefined }], out, [])).toEqual([]);
    await expect(readdir(out)).rejects.toThrow(/ENOENT/); // nothing to copy, nothing written
  });

  it('gives each shard label its own file-name-safe folder, distinct even when two labels sanitize alike', async () => {
    const a = await shardDir('a', ['evidence/001.png']);
    const b = await shardDir('b', ['evidence/001.png', 'elsewhere/x.txt']);
    const out = join(root, 'out');
    const problems: string[] = [];
    const merged = await carryShardEvidence([{ shard: 'eu west', dir: a, evidence: [failure(['evidence/001.png'], 2)] }, { shard: 'eu:west', dir: b, evidence: [failure(['evidence/001.png', 'elsewhere/x.txt'], 1)] }], out, problems);
    expect(merged?.map((e) => e.files)).toEqual([['evidence/shardeu_west-2/001.png', 'evidence/shardeu_west-2/elsewhere/x.txt'], ['evidence/shardeu_west/001.png']]);
    expect(await readFile(join(out, 'evidence/shardeu_west/001.png'), 'utf8')).toBe('a');
    expect(await readFile(join(out, 'evidence/shardeu_west-2/elsewhere/x.txt'), 'utf8')).toBe('b');
    expect(problems).toEqual([]);
  });

  it('keeps listing a missing file (the report marks it) and leaves out paths outside the shard folder, saying so', async () => {
    const a = await shardDir('a', []);
    const problems: string[] = [];
    const merged = await carryShardEvidence([{ shard: '1/1', dir: a, evidence: [failure(['evidence/gone.png', '/etc/passwd', 'evidence/../../x', 'https://x/y.png'])] }], join(root, 'out'), problems);
    expect(merged?.[0]?.files).toEqual(['evidence/shard1of1/gone.png']);
    expect(problems).toHaveLength(4);
    expect(problems[0]).toBe(`${a}: evidence file evidence/gone.png is missing; the merged report marks it missing`);
    for (const p of problems.slice(1)) expect(p).toMatch(/which is not a path inside the run folder; left out of the merged evidence$/);
  });
});
