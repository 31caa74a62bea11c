// Real ffmpeg: the fake camera's index strip names every frame, and the score of a frame against
// its source is perfect for the frame itself and lower for a softened or shrunk copy.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareMedia } from '../../fake-media/prepare-media.ts';
import { SourceVideo } from './quality-score.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** The picture shrunk by `factor` and blown up again (what scaleResolutionDownBy does to a receiver's view). */
function shrunk(luma: Uint8Array, width: number, height: number, factor: number): Uint8Array {
  const out = new Uint8Array(luma.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bx = x - (x % factor);
      const by = y - (y % factor);
      let sum = 0;
      for (let dy = 0; dy < factor; dy++) for (let dx = 0; dx < factor; dx++) sum += luma[Math.min(height - 1, by + dy) * width + Math.min(width - 1, bx + dx)]!;
      out[y * width + x] = Math.round(sum / factor / factor);
    }
  }
  return out;
}

describe('quality score against the fake camera', () => {
  it('reads every frame index and scores a shrunk picture lower than a faithful one', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'wf-quality-'));
    dirs.push(cacheDir);
    const media = await prepareMedia({ cacheDir, camera: { width: 320, height: 180, fps: 15, label: 'q' }, seconds: 2 });
    const source = new SourceVideo(media.cameraY4m!);
    try {
      for (let n = 0; n < 30; n++) {
        const luma = await source.frameLuma(n);
        const self = await source.score(luma, 320, 180);
        expect(self).toEqual({ psnrDb: 100, ssim: 1, sourceFrame: n });
      }
      const frame = await source.frameLuma(17);
      const by2 = await source.score(shrunk(frame, 320, 180, 2), 320, 180);
      const by4 = await source.score(shrunk(frame, 320, 180, 4), 320, 180);
      if (!('psnrDb' in by2) || !('psnrDb' in by4)) throw new Error(`index unreadable: ${JSON.stringify([by2, by4])}`);
      expect(by2.sourceFrame).toBe(17);
      expect(by4.psnrDb).toBeLessThan(by2.psnrDb);
      expect(by4.ssim).toBeLessThan(by2.ssim);
      expect(by2.psnrDb).toBeLessThan(40);
      expect(await source.score(frame, 160, 90)).toMatchObject({ rejected: expect.stringMatching(/source 320x180/) });
    } finally {
      await source.close();
    }
  });
});
