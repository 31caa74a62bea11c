// Real ffmpeg (seconds, hence e2e), tiny files: proves formats, caching, atomic concurrent use and voice activity.
import { mkdtemp, readFile, rm, stat, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareMedia } from './prepare-media.ts';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'wf-media-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function y4mHeader(buf: Buffer): string {
  return buf.subarray(0, buf.indexOf(0x0a)).toString();
}

/** share of 50 ms windows whose RMS is clearly above silence */
function activeShare(wav: Buffer): number {
  const data = wav.subarray(44);
  const window = 48000 * 0.05;
  let active = 0;
  let total = 0;
  for (let off = 0; off + window * 2 <= data.length; off += window * 2) {
    let sum = 0;
    for (let i = 0; i < window; i++) sum += data.readInt16LE(off + i * 2) ** 2;
    if (Math.sqrt(sum / window) > 300) active++;
    total++;
  }
  return active / total;
}

describe('prepareMedia', () => {
  it('writes a y4m camera of the requested size/fps and a 48 kHz mono wav', async () => {
    const cacheDir = await tempDir();
    const media = await prepareMedia({ cacheDir, camera: { width: 160, height: 90, fps: 5, label: 'vu-0001' }, seconds: 2, voiceActivity: 0.5 });
    const cam = await readFile(media.cameraY4m!);
    const header = y4mHeader(cam);
    expect(header).toMatch(/^YUV4MPEG2 W160 H90 F5:1 /);
    const frameBytes = 6 + (160 * 90 * 3) / 2; // "FRAME\n" + yuv420p
    expect((cam.length - header.length - 1) / frameBytes).toBe(10);
    const wav = await readFile(media.micWav);
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.readUInt16LE(22)).toBe(1); // channels
    expect(wav.readUInt32LE(24)).toBe(48000); // sample rate
    expect(media.notes).toBeUndefined();
  });

  it('burns the label in: different labels give different frames', async () => {
    const cacheDir = await tempDir();
    const a = await prepareMedia({ cacheDir, camera: { width: 160, height: 90, fps: 5, label: 'AAAA' }, seconds: 1 });
    const b = await prepareMedia({ cacheDir, camera: { width: 160, height: 90, fps: 5, label: 'WWWW' }, seconds: 1 });
    expect(a.cameraY4m).not.toBe(b.cameraY4m);
    expect(Buffer.compare(await readFile(a.cameraY4m!), await readFile(b.cameraY4m!))).not.toBe(0);
  });

  it('reuses cached files and survives concurrent callers without half files', async () => {
    const cacheDir = await tempDir();
    const opts = { cacheDir, camera: { width: 160, height: 90, fps: 5, label: 'x' }, seconds: 1 };
    const [m1, m2, m3] = await Promise.all([prepareMedia(opts), prepareMedia(opts), prepareMedia(opts)]);
    expect(m2).toEqual(m1);
    expect(m3).toEqual(m1);
    const before = (await stat(m1.cameraY4m!)).mtimeMs;
    const again = await prepareMedia(opts);
    expect(again.cameraY4m).toBe(m1.cameraY4m);
    expect((await stat(again.cameraY4m!)).mtimeMs).toBe(before);
    expect((await readdir(cacheDir)).filter((f) => f.startsWith('.tmp-'))).toEqual([]);
  });

  it('follows voice activity: a quiet user is mostly silent, a talker mostly not', async () => {
    const cacheDir = await tempDir();
    const quiet = await prepareMedia({ cacheDir, voiceActivity: 0.2, seconds: 20 });
    const talker = await prepareMedia({ cacheDir, voiceActivity: 0.8, seconds: 20 });
    const q = activeShare(await readFile(quiet.micWav));
    const t = activeShare(await readFile(talker.micWav));
    expect(q).toBeGreaterThan(0.08);
    expect(q).toBeLessThan(0.35);
    expect(t).toBeGreaterThan(0.65);
  });

  it('writes a slide-like screen file at 1 fps (1080p y4m is ~3 MB a frame)', async () => {
    const cacheDir = await tempDir();
    const media = await prepareMedia({ cacheDir, screen: { width: 640, height: 360, fps: 15 } });
    const buf = await readFile(media.screenY4m!);
    expect(y4mHeader(buf)).toMatch(/^YUV4MPEG2 W640 H360 F1:1 /);
  });

  it('rejects bad input with where and what', async () => {
    await expect(prepareMedia({ cacheDir: tmpdir(), camera: { width: 161, height: 90, fps: 5, label: 'x' } })).rejects.toThrow(/camera size must be even/);
    await expect(prepareMedia({ cacheDir: tmpdir(), voiceActivity: 2 })).rejects.toThrow(/voiceActivity must be 0..1/);
    await expect(prepareMedia({ cacheDir: tmpdir(), ffmpegPath: '/nonexistent/ffmpeg' })).rejects.toThrow(/apt-get install ffmpeg/);
  });
});

