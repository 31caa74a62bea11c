// --media-marks: 'auto' turns on only what the plan's thresholds need (the marks cost the generator).
import { describe, expect, it } from 'vitest';
import { mediaMarksFor } from './media-marks-mode.ts';

describe('mediaMarksFor', () => {
  it('follows an explicit mode, and in auto mode the least the thresholds need', () => {
    expect(mediaMarksFor('off', ['media.video_e2e_ms'])).toBe(false);
    expect(mediaMarksFor('on', [])).toEqual({ video: false });
    expect(mediaMarksFor('full', [])).toEqual({ video: true });
    expect(mediaMarksFor('auto', ['journey.errors', 'media.first_remote_ms'])).toBe(false);
    expect(mediaMarksFor('auto', ['media.audio_e2e_ms'])).toEqual({ video: false });
    expect(mediaMarksFor('auto', ['media.video_ssim'])).toEqual({ video: false });
    expect(mediaMarksFor('auto', ['media.video_psnr_db', 'media.video_e2e_ms'])).toEqual({ video: true });
  });
});
