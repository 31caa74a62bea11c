// Real ffmpeg: the pre-encoded VP8 and Opus files read back as what a sender needs — every frame,
// key frames where asked, 20 ms Opus packets — and a second prepare reuses the cached files.
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareEncodedMedia } from './encoded-media.ts';
import { parseIvf } from './ivf.ts';
import { opusPacketMs, parseOggOpus } from './ogg-opus.ts';

let cacheDir: string;
beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'waddle-encoded-'));
});
afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

describe('pre-encoded media', () => {
  it('makes VP8 frames with key frames every interval and 20 ms Opus packets, once', async () => {
    const options = { cacheDir, camera: { width: 320, height: 240, fps: 15 }, seconds: 4, keyframeIntervalS: 2 };
    const files = await prepareEncodedMedia(options);
    expect(files.generated).toBe(true);
    const ivf = parseIvf(await readFile(files.vp8), files.vp8);
    expect(ivf).toMatchObject({ fourcc: 'VP80', width: 320, height: 240 });
    expect(ivf.frames.length).toBe(60); // 4 s at 15 fps
    expect(ivf.frames.map((f, i) => (f.keyframe ? i : -1)).filter((i) => i >= 0)).toEqual([0, 30]);
    expect(ivf.frames.every((f, i) => i === 0 || f.pts > ivf.frames[i - 1]!.pts)).toBe(true);
    const opus = parseOggOpus(await readFile(files.opus), files.opus);
    expect(opus.channels).toBe(1);
    expect(opus.packets.every((p) => opusPacketMs(p) === 20)).toBe(true);
    expect(opus.packets.length).toBeGreaterThanOrEqual(199); // 4 s / 20 ms (the encoder may pad one)
    expect(opus.packets.length).toBeLessThanOrEqual(202);
    const again = await prepareEncodedMedia(options);
    expect(again).toEqual({ vp8: files.vp8, opus: files.opus, generated: false });
  });

  it('says what is wrong with a file that is not what it should be', () => {
    expect(() => parseIvf(Buffer.from('not ivf at all, not at all, not at all'), 'cam.ivf')).toThrow(/cam.ivf: not an IVF file/);
    expect(() => parseOggOpus(Buffer.from('OggX'), 'mic.ogg')).toThrow(/mic.ogg: no Ogg page at byte 0/);
  });
});
