// Pure parts of fake-media: burst schedule and launch flags.
import { describe, expect, it } from 'vitest';
import { chromiumArgs } from './chromium-flags.ts';
import { voiceBursts } from './voice-bursts.ts';

describe('voiceBursts', () => {
  it('covers about the requested share', () => {
    for (const ratio of [0.1, 0.3, 0.5, 0.9]) {
      const talk = voiceBursts(ratio, 600).reduce((s, b) => s + b.endS - b.startS, 0);
      expect(talk / 600).toBeGreaterThan(ratio - 0.08);
      expect(talk / 600).toBeLessThan(ratio + 0.08);
    }
  });
});

describe('chromiumArgs', () => {
  it('always has the closed-network flags and the fake media files', () => {
    const args = chromiumArgs({ micWav: '/m.wav', cameraY4m: '/c.y4m' }, ['--x']);
    for (const f of ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream']) {
      expect(args).toContain(f);
    }
    expect(args).toContain('--use-file-for-fake-video-capture=/c.y4m');
    expect(args).toContain('--use-file-for-fake-audio-capture=/m.wav');
    expect(args.at(-1)).toBe('--x');
  });
});
