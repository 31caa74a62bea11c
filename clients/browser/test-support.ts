// Test support for browser tests of the reference Waddle and the driver: tiny fake media
// made with ffmpeg and a Debian Chromium launched with the house flags. The fleet's real
// browser pool lives in fleet/ and fake-media/; this stays small on purpose.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { defaultChromiumPath } from '../../fake-media/chromium-binary.ts';
import { disabledFeaturesFlag } from '../../fake-media/chromium-flags.ts';

const run = promisify(execFile);

/** Always present: root user, closed network (DESIGN.md "Facts about these machines"). */
export const BASE_CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // the fleet's list: among others, host candidates as loopback IPs, not mDNS names (the headless shell)
  disabledFeaturesFlag,
] as const;

export interface TestMedia {
  readonly dir: string;
  readonly cameraY4m: string;
  readonly micWav: string;
  remove(): Promise<void>;
}

/** A 2 s 320x240@15 test pattern and a 2 s 440 Hz sine; Chromium loops both. */
export async function makeTestMedia(): Promise<TestMedia> {
  const dir = await mkdtemp(join(tmpdir(), 'waddle-media-'));
  const cameraY4m = join(dir, 'cam.y4m');
  const micWav = join(dir, 'mic.wav');
  await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15', '-t', '2', '-pix_fmt', 'yuv420p', cameraY4m]);
  await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '2', micWav]);
  return { dir, cameraY4m, micWav, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Chromium with fake camera/mic from files. Screen share: on Chromium 156 headless,
 * getDisplayMedia works only with BOTH --use-fake-ui-for-media-stream and
 * --use-fake-device-for-media-stream (a generated 1280x720@30 "screen", not the y4m);
 * --auto-select-desktop-capture-source does not help without a display (measured; see
 * reference-waddle/README.md).
 */
export async function launchTestBrowser(media: TestMedia): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? defaultChromiumPath(),
    headless: true,
    args: [
      ...BASE_CHROMIUM_ARGS,
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${media.cameraY4m}`,
      `--use-file-for-fake-audio-capture=${media.micWav}`,
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}
