// kill -9 in the middle of a run leaves a readable run folder: every complete line parses, at
// most the last line of a file is cut short, and readRunFolder skips and reports it.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { readRunFolder } from './run-folder.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

it('SIGKILL mid-write leaves NDJSON whose complete lines all parse', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'waddle-kill9-'));
  dirs.push(dir);
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'write-forever.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => b.toString().includes('ready') && resolve());
      child.once('exit', (code) => reject(new Error(`fixture exited early with ${code}`)));
    });
    await new Promise((r) => setTimeout(r, 1500));
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
  const read = await readRunFolder(dir);
  expect(read.intervals.length).toBeGreaterThan(5);
  expect(read.events.length).toBeGreaterThan(5);
  // no problem other than a truncated LAST line (and the summary this fixture never writes)
  for (const p of read.problems) expect(p).toMatch(/summary.json: missing|the last line is truncated/);
  const samples = (await readFile(join(dir, 'samples.ndjson'), 'utf8')).split('\n');
  samples.pop(); // the part after the last newline, possibly cut short
  expect(samples.length).toBeGreaterThan(1000);
  for (const line of samples) JSON.parse(line);
  // intervals on disk are a prefix of the run: contiguous, none torn
  for (let k = 1; k < read.intervals.length; k++) expect(read.intervals[k]?.startMs).toBe(read.intervals[k - 1]?.endMs);
});
