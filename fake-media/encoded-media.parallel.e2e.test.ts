// The pre-encoded files protocolMedia users send, made by the real ffmpeg into a temp cache.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENCODED_SECONDS, encodedAudio, encodedVideo, parseIvf, parseOggPackets } from './encoded-media.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'waddle-fleet-encoded-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('encoded media', () => {
  it('makes VP8 once per profile: every frame shown, frame 0 a keyframe, a keyframe every 2 s; shared, not made again', async () => {
    const spec = { width: 160, height: 120, fps: 10 };
    const video = await encodedVideo(spec, dir);
    expect(video.frames.length).toBe(ENCODED_SECONDS * spec.fps);
    expect([video.width, video.height]).toEqual([160, 120]);
    expect(video.keyframes.flatMap((k, i) => (k ? [i] : []))).toEqual([0, 20, 40, 60, 80]);
    expect(await encodedVideo(spec, dir)).toBe(video);
    expect((await readdir(dir)).filter((f) => f.endsWith('.ivf'))).toHaveLength(1);
  }, 120_000);

  it('makes Opus in 20 ms packets after OpusHead and OpusTags', async () => {
    const audio = await encodedAudio(dir);
    expect(audio.packets.length).toBeGreaterThanOrEqual(ENCODED_SECONDS * 50);
    expect(audio.packets.length).toBeLessThanOrEqual(ENCODED_SECONDS * 50 + 2);
    // the TOC byte's top 5 bits are the config (RFC 6716 §3.1); the 20 ms ones: SILK 1, 5, 9; hybrid 13, 15; CELT 19, 23, 27, 31
    const configs = new Set(audio.packets.map((p) => p[0]! >> 3));
    for (const c of configs) expect([1, 5, 9, 13, 15, 19, 23, 27, 31]).toContain(c);
  }, 60_000);

  it('says which file is broken and how to fix it', async () => {
    const broken = join(dir, 'broken.ivf');
    await writeFile(broken, Buffer.from('not a video at all, certainly not 32 bytes of IVF'));
    expect(() => parseIvf(Buffer.from('DKIF'), broken)).toThrow(/not an IVF file .*delete it so it is made again/);
    const truncated = Buffer.alloc(32 + 12 + 10);
    truncated.write('DKIF', 0, 'ascii');
    truncated.writeUInt16LE(32, 6);
    truncated.writeUInt32LE(100, 32);
    expect(() => parseIvf(truncated, broken)).toThrow(/runs past the end \(truncated file\)/);
    expect(() => parseOggPackets(Buffer.alloc(40), 'x.ogg')).toThrow(/no Ogg page at byte 0/);
  });
});
