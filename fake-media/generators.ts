// ffmpeg argument lists for the three fake media files. Pure functions (no I/O) so the
// exact commands are testable; prepare-media.ts runs them.
import { indexStripTop, sourceIndexBoxes, STAMP_STRIP_FRACTION } from './source-index.ts';
import { burstVolumeExpression, voiceBursts } from './voice-bursts.ts';

export const DEFAULT_FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

export interface VideoSpec {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
}

/** Keeps drawtext safe: filtergraph-special characters (: ' \ , ; [ ] =) would need escaping. */
export function safeLabel(label: string): string {
  return label.replace(/[^A-Za-z0-9 _.@#+/-]/g, '_').slice(0, 40);
}

function text(opts: Record<string, string | number>, fontFile: string | undefined): string {
  const parts = Object.entries(opts).map(([k, v]) => `${k}=${v}`);
  if (fontFile) parts.unshift(`fontfile=${fontFile}`);
  return `drawtext=${parts.join(':')}`;
}

/** Camera: testsrc2 pattern (moving, so encoders do real work) + label + running clock. */
export function cameraArgs(spec: VideoSpec & { label: string }, seconds: number, out: string, drawText: { fontFile?: string } | false): string[] {
  const size = Math.max(12, Math.round(spec.height / 12));
  const filters: string[] = [];
  if (drawText) {
    filters.push(text({ text: `'${safeLabel(spec.label)}'`, x: 10, y: 10 + Math.round(STAMP_STRIP_FRACTION * spec.height), // below the sender's stamp (in-page/media-marks.ts)
       fontsize: size, fontcolor: 'white', box: 1, boxcolor: 'black@0.6' }, drawText.fontFile));
    // %{pts\:hms}: the file's own clock, so a frozen frame is visible in a screenshot
    filters.push(text({ text: `'%{pts\\:hms}'`, x: 10, y: `h-${size * 2 + spec.height - indexStripTop(spec.height)}`, fontsize: size, fontcolor: 'yellow', box: 1, boxcolor: 'black@0.6' }, drawText.fontFile));
  }
  filters.push('format=yuv420p', ...sourceIndexBoxes(spec.width, spec.height));
  return [
    '-f', 'lavfi', '-i', `testsrc2=size=${spec.width}x${spec.height}:rate=${spec.fps}:duration=${seconds}`,
    '-vf', filters.join(','),
    '-f', 'yuv4mpegpipe', out,
  ];
}

/**
 * Microphone: a voiced tone plus pink noise, modulated at a syllable rate (tremolo 4 Hz) and
 * gated into talk bursts following voiceActivity; 48 kHz mono 16-bit wav (what Chromium's fake
 * audio capture reads).
 */
export function micArgs(voiceActivity: number, seconds: number, out: string): string[] {
  const gate = burstVolumeExpression(voiceBursts(voiceActivity, seconds));
  return [
    '-f', 'lavfi', '-i', `sine=frequency=190:sample_rate=48000:duration=${seconds}`,
    '-f', 'lavfi', '-i', `anoisesrc=color=pink:sample_rate=48000:amplitude=0.25:duration=${seconds}`,
    '-filter_complex', `[0:a][1:a]amix=inputs=2:normalize=0,tremolo=f=4:d=0.7,volume='${gate}':eval=frame[a]`,
    '-map', '[a]', '-ac', '1', '-ar', '48000', '-c:a', 'pcm_s16le', out,
  ];
}

/** How the screen FILE is written: 1080p y4m is ~3 MB a frame, so it is kept at ≤ 1 fps. */
export const SCREEN_FILE_MAX_FPS = 1;
export const SCREEN_SLIDE_SECONDS = 3;

/** Screen: slide-like frames (title + bullet lines changing every 3 s) and a moving cursor box. */
export function screenArgs(spec: VideoSpec, seconds: number, out: string, drawText: { fontFile?: string } | false): string[] {
  const fps = Math.min(spec.fps, SCREEN_FILE_MAX_FPS);
  const size = Math.max(12, Math.round(spec.height / 20));
  const filters: string[] = [];
  if (drawText) {
    filters.push(text({ text: `'Slide %{eif\\:floor(t/${SCREEN_SLIDE_SECONDS})+1\\:d}'`, x: size, y: size, fontsize: size * 2, fontcolor: 'black' }, drawText.fontFile));
    for (let i = 0; i < 4; i++) {
      filters.push(text({ text: `'- point ${i + 1} of slide %{eif\\:floor(t/${SCREEN_SLIDE_SECONDS})+1\\:d}'`, x: size * 2, y: size * (5 + i * 2), fontsize: size, fontcolor: '0x333333' }, drawText.fontFile));
    }
  }
  filters.push('format=yuv420p');
  // the cursor-ish element: a small dark square overlaid at a position that moves with time
  // (overlay's x/y expressions see t; drawbox's do not)
  const cursorX = `mod(t*${Math.round(spec.width / 7)},${spec.width - 40})`;
  const cursorY = `${Math.round(spec.height / 2)}+${Math.round(spec.height / 4)}*sin(t)`;
  return [
    '-f', 'lavfi', '-i', `color=c=0xf4f4f0:size=${spec.width}x${spec.height}:rate=${fps}:duration=${seconds}`,
    '-f', 'lavfi', '-i', `color=c=black:size=24x24:rate=${fps}:duration=${seconds}`,
    '-filter_complex', `[0:v]${filters.join(',')}[bg];[bg][1:v]overlay=x='${cursorX}':y='${cursorY}':shortest=1,format=yuv420p[v]`,
    '-map', '[v]',
    '-f', 'yuv4mpegpipe', out,
  ];
}
