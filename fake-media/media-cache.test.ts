// The media cache's temp files name their owner process, so the next start removes what a
// killed producer left half-written — and never the file a live producer is writing.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processIdentity } from '../common/proc.ts';
import { sweepStaleLitter } from '../fleet/lifecycle/stale-litter.ts';
import { cachedFile, cacheTempName, cacheTempOwner } from './media-cache.ts';

let cache: string;
beforeEach(async () => {
  cache = await mkdtemp(join(tmpdir(), 'waddle-media-cache-unit-'));
});
afterEach(async () => {
  await rm(cache, { recursive: true, force: true });
});

describe('cache temp names', () => {
  it('carry this process as owner and keep the real extension last (ffmpeg picks the muxer from it)', () => {
    const name = cacheTempName('camera-320x240-15', 'y4m');
    expect(name).toMatch(/^\.tmp-\d+-\d+-[0-9a-f-]{36}-camera-320x240-15\.y4m$/);
    expect(cacheTempOwner(name)).toEqual({ owner: processIdentity() });
  });
  it('tell old-style temp files (no owner) and finished files apart', () => {
    expect(cacheTempOwner('.tmp-12345678-1234-4abc-8def-123456789012-mic.wav')).toEqual({ owner: undefined });
    expect(cacheTempOwner('mic-bf1ddc146ccc6465.wav')).toBeUndefined();
  });
});

describe('half-written media of a killed producer', () => {
  it('is removed by the next sweep, while a live producer\u2019s file survives it', async () => {
    const fixture = fileURLToPath(new URL('./media-cache.fixture.ts', import.meta.url));
    const killed = spawn(process.execPath, ['--import', 'tsx', fixture, cache], { stdio: ['ignore', 'pipe', 'inherit'] });
    const tmpPath = await new Promise<string>((resolve, reject) => {
      killed.stdout!.on('data', (d: Buffer) => {
        const m = /writing (\S+)/.exec(d.toString());
        if (m) resolve(m[1]!);
      });
      killed.on('exit', () => reject(new Error('the producer exited early')));
    });
    killed.kill('SIGKILL');
    await new Promise((r) => killed.once('exit', r));

    // a live producer in this process, mid-way through its file
    let release!: () => void;
    let liveTmp = '';
    const live = cachedFile(cache, 'mic', 'wav', 'abcabcabcabcabca', async (tmp) => {
      liveTmp = tmp;
      await writeFile(tmp, 'half');
      await new Promise<void>((r) => (release = r));
      await writeFile(tmp, 'whole');
    });
    while (!liveTmp) await new Promise((r) => setTimeout(r, 10));

    const swept = await sweepStaleLitter({ tmpDir: join(cache, 'no-tmp'), mediaCacheDirs: [cache] });
    expect(swept.removed).toEqual([tmpPath]);
    release();
    const done = await live;
    expect(done.generated).toBe(true);
    expect((await readdir(cache)).sort()).toEqual(['mic-abcabcabcabcabca.wav']);
  });
});
