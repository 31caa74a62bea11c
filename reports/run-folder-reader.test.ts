import { mkdtemp, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseNdjson, readRunForReport } from './run-folder-reader.ts';
import { makeFixtureRun, writeFixtureRunFolder } from './testing/fixture-run.ts';

let dir = '';
afterEach(async () => { if (dir) await rm(dir, { recursive: true, force: true }); });

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
    expect(read.summary.runId).toBe(run.summary.runId);
  });

  it('says where and what to do when summary.json is missing or broken', async () => {
    dir = await mkdtemp(join(tmpdir(), 'waddle-reader-'));
    await expect(readRunForReport(dir)).rejects.toThrow(/summary\.json.*Pass a run folder/);
    await writeFile(join(dir, 'summary.json'), '{"schemaVersion":1,');
    await expect(readRunForReport(dir)).rejects.toThrow(/is not valid JSON/);
  });

  it('parses NDJSON tolerating blank lines and non-objects', () => {
    expect(parseNdjson('{"a":1}\n\n42\n{"b":2}\n{"c"')).toEqual({ items: [{ a: 1 }, { b: 2 }], skippedLines: 2 });
  });
});
