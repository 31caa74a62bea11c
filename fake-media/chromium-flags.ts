// Every Chromium launch flag of the fleet, in one place, each with the reason it is there.
import type { MediaFiles } from './prepare-media.ts';

// Chromium takes the last --disable-features it is given, and ours comes after Playwright's, so it
// repeats Playwright's own list (playwright-core chromiumSwitches, 1.65) before adding ours.
const playwrightDisabledFeatures = [
  'AvoidUnnecessaryBeforeUnloadCheckSync', 'DestroyProfileOnBrowserClose', 'HttpsUpgrades', 'HttpsFirstBalancedModeAutoEnable', 'LensOverlay',
  'PaintHolding', 'ThirdPartyStoragePartitioning', 'AvoidCorsURLLoaderRestartOnRedirect', 'NetworkTimeServiceQuerying', 'AimEnabled', 'PreconnectToSearch',
];
/** what we turn off: translate/cast/hint services (CPU, outside traffic), Autofill's server (every login form asked it) and mDNS host candidates (the headless shell's calls did not connect) */
const fleetDisabledFeatures = ['Translate', 'MediaRouter', 'OptimizationHints', 'AutofillServerCommunication', 'WebRtcHideLocalIpsWithMdns'];
export const disabledFeaturesFlag = `--disable-features=${[...playwrightDisabledFeatures, ...fleetDisabledFeatures].join(',')}`;

const base: ReadonlyArray<readonly [flag: string, reason: string]> = [
  ['--no-sandbox', 'we run as root in a container, where the setuid sandbox cannot start'],
  ['--disable-gpu', 'no GPU here; avoids the GPU process probing and failing'],
  ['--disable-quic', 'closed network: no QUIC attempts to the outside'],
  ['--no-first-run', 'no first-run UI or imports in fresh temp profiles'],
  ['--disable-background-networking', 'no update/safe-browsing/etc. traffic: loopback only'],
  ['--disable-component-update', 'no component downloads (closed network, stable CPU use)'],
  ['--disable-sync', 'no sync service traffic'],
  ['--use-fake-ui-for-media-stream', 'auto-accept camera/mic/screen permission prompts'],
  ['--use-fake-device-for-media-stream', 'use fake capture devices instead of real hardware'],
  ['--autoplay-policy=no-user-gesture-required', 'remote audio/video elements play without a click, like a real user who clicked'],
  ['--disable-renderer-backgrounding', 'background tabs keep full CPU priority: every user is "in front"'],
  ['--disable-background-timer-throttling', 'timers (probes, app heartbeats) run on time in unfocused pages'],
  ['--disable-backgrounding-occluded-windows', 'headless windows count as visible, so video keeps decoding'],
  ['--disable-dev-shm-usage', 'container /dev/shm is often 64 MB; shared memory goes to /tmp instead of crashing'],
  [disabledFeaturesFlag, "Playwright's list, then no translate/cast/hint services and no Autofill server: less CPU, no outside traffic (the host guard refused 280 Autofill requests in a 6-minute run of 9 browser users before this); and ICE host candidates as loopback IPs, not mDNS .local names: the headless shell hides them even with media permission granted, and nothing resolves them here (its calls never connected: the host guard refused 96 lookups of .local names in one smoke run)"],
];

// Levers measured with `npm run bench:density` (2 cores, quiet machine, 2026-11-30) and left out:
// - --process-per-site (renderers shared across contexts): PSS −20% per chat user, −18% idle, but
//   chat delivery p95 rose from 34 to 66 ms against a protocol observer's 3–5 ms (one renderer's
//   main thread serves several users); video CPU no clearer than noise (8.0 vs 11.1 % per user at 2
//   users, 7.3 vs 7.8 at 4). `run --chromium-arg=--process-per-site` adds it for a run.
// - --force-device-scale-factor 0.5 / 0.25: video CPU per user −3% / −6%, memory unchanged: noise.
// What was kept lives elsewhere: users of one browser share a context when their driver allows it
// (fleet/pool/shared-context.ts; idle PSS 58 vs 90 MB per user at 20 users against
// --context-per-user, one run) and the fake mic runs
// without audio processing (in-page/fake-mic.ts; −0.6% of the machine per voice user).

/** The flags with their reasons (each reason is the comment a flag needs). */
function chromiumFlagReasons(media?: MediaFiles): ReadonlyArray<readonly [string, string]> {
  const list = [...base];
  if (media?.cameraY4m) list.push([`--use-file-for-fake-video-capture=${media.cameraY4m}`, 'the fake camera plays our ffmpeg test pattern (looped)']);
  if (media) list.push([`--use-file-for-fake-audio-capture=${media.micWav}`, 'the fake mic plays speech-like bursts (looped)']);
  return list;
}

/** Launch arguments for a browser whose fake devices play `media`; `extra` is appended. */
export function chromiumArgs(media?: MediaFiles, extra: readonly string[] = []): string[] {
  return [...chromiumFlagReasons(media).map(([flag]) => flag), ...extra];
}
