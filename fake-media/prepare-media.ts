// Fake camera / microphone / screen files for Chromium's fake capture devices, generated
// once with Debian's ffmpeg and cached by a hash of the inputs.
import { access } from 'node:fs/promises';
import { cachedFile, contentKey } from './media-cache.ts';
import { ffmpegFilters, runFfmpeg } from './ffmpeg.ts';
import { cameraArgs, DEFAULT_FONT, micArgs, screenArgs, SCREEN_SLIDE_SECONDS, type VideoSpec } from './generators.ts';

export interface CameraSpec extends VideoSpec {
  /** burned into every frame; per browser process (fake devices are per process), not per user */
  readonly label: string;
}

export interface PrepareMediaOptions {
  readonly cacheDir: string;
  readonly camera?: CameraSpec;
  /**
   * Also write a screen y4m. Chromium cannot use a file as a getDisplayMedia source (its fake
   * screen capture is a synthetic pattern), so live screen shares come from the in-page canvas
   * (in-page/screen-share.ts); this file is for consumers that can read one.
   */
  readonly screen?: VideoSpec;
  /** share of the mic file spent "talking", 0..1 (default 0.5) */
  readonly voiceActivity?: number;
  /** length of the camera and mic files; Chromium loops them (default 10) */
  readonly seconds?: number;
  readonly ffmpegPath?: string;
}

export interface MediaFiles {
  readonly cameraY4m?: string;
  readonly micWav: string;
  readonly screenY4m?: string;
  /** what was degraded and why (e.g. no drawtext in this ffmpeg build) */
  readonly notes?: readonly string[];
}

function checkVideo(where: string, v: VideoSpec): void {
  const ok = (n: number, max: number) => Number.isInteger(n) && n > 0 && n <= max;
  if (!ok(v.width, 3840) || !ok(v.height, 2160) || v.width % 2 || v.height % 2) {
    throw new RangeError(`prepareMedia: ${where} size must be even integers up to 3840x2160, got ${v.width}x${v.height}`);
  }
  if (!ok(v.fps, 60)) throw new RangeError(`prepareMedia: ${where}.fps must be an integer 1..60, got ${v.fps}`);
}

async function textSupport(ffmpegPath: string | undefined, notes: string[]): Promise<{ fontFile?: string } | false> {
  const filters = await ffmpegFilters(ffmpegPath);
  if (!filters.has('drawtext')) {
    notes.push('ffmpeg has no drawtext filter: camera label and clock are not burned in (install a Debian ffmpeg built with libfreetype)');
    return false;
  }
  try {
    await access(DEFAULT_FONT);
    return { fontFile: DEFAULT_FONT };
  } catch {
    notes.push(`font ${DEFAULT_FONT} missing, drawtext uses fontconfig's default (apt-get install fonts-dejavu-core)`);
    return {};
  }
}

export async function prepareMedia(options: PrepareMediaOptions): Promise<MediaFiles> {
  const seconds = options.seconds ?? 10;
  const voiceActivity = options.voiceActivity ?? 0.5;
  if (!(seconds >= 1 && seconds <= 120)) throw new RangeError(`prepareMedia: seconds must be 1..120, got ${seconds}`);
  if (!(voiceActivity >= 0 && voiceActivity <= 1)) throw new RangeError(`prepareMedia: voiceActivity must be 0..1, got ${voiceActivity}`);
  if (options.camera) checkVideo('camera', options.camera);
  if (options.screen) checkVideo('screen', options.screen);
  const run = (args: string[]) => runFfmpeg(args, { path: options.ffmpegPath });
  const notes: string[] = [];
  const drawText = options.camera || options.screen ? await textSupport(options.ffmpegPath, notes) : false;

  const micKey = contentKey({ kind: 'mic', voiceActivity, seconds });
  const mic = cachedFile(options.cacheDir, 'mic', 'wav', micKey, (tmp) => run(micArgs(voiceActivity, seconds, tmp)));

  const camera = options.camera;
  const cam = camera
    ? cachedFile(options.cacheDir, `camera-${camera.width}x${camera.height}-${camera.fps}`, 'y4m', contentKey({ kind: 'camera', camera, seconds, drawText }), (tmp) =>
        run(cameraArgs(camera, seconds, tmp, drawText)),
      )
    : undefined;

  const screen = options.screen;
  // three slides, whatever `seconds` is: the file is 1 fps, ~3 MB a frame at 1080p
  const screenSeconds = SCREEN_SLIDE_SECONDS * 3;
  const scr = screen
    ? cachedFile(options.cacheDir, `screen-${screen.width}x${screen.height}`, 'y4m', contentKey({ kind: 'screen', screen, screenSeconds, drawText }), (tmp) =>
        run(screenArgs(screen, screenSeconds, tmp, drawText)),
      )
    : undefined;

  const [micFile, camFile, scrFile] = await Promise.all([mic, cam, scr]);
  return {
    micWav: micFile.path,
    ...(camFile ? { cameraY4m: camFile.path } : {}),
    ...(scrFile ? { screenY4m: scrFile.path } : {}),
    ...(notes.length ? { notes } : {}),
  };
}
