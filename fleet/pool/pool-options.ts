// The browser pool's options: what a caller may give, the defaults, and the checks
// BrowserPool.launch runs before any browser starts (every problem at once, each naming the option
// and how to fix it).
import { access } from 'node:fs/promises';
import type { RunEvent } from '../../metrics/types.ts';
import { checkAllowedHosts } from '../guard/host-guard.ts';
import { basename } from 'node:path';
import { defaultChromiumPath, headlessShellPath } from '../../fake-media/chromium-binary.ts';
import { maxIdleFps } from './frame-pacer.ts';

export interface BrowserPoolOptions {
  readonly executablePath?: string;
  readonly maxBrowsers: number;
  readonly contextsPerBrowser: number;
  readonly mediaCacheDir: string;
  readonly probeIntervalMs?: number;
  /** hosts (optionally host:port) pages may reach; loopback only unless allowNonLoopbackHosts */
  readonly allowedHosts: readonly string[];
  readonly allowNonLoopbackHosts?: boolean;
  readonly onEvent: (event: RunEvent) => void;
  readonly headless?: boolean;
  readonly relaunch?: { readonly maxPerMinute: number; readonly backoffMs: number };
  /** a page that does not answer a trivial evaluate within timeoutMs is hung (default 5 s / 15 s) */
  readonly hangCheck?: { readonly intervalMs: number; readonly timeoutMs: number } | false;
  /** bound on closing a context or a browser before forcing it (default 5000) */
  readonly closeTimeoutMs?: number;
  readonly extraArgs?: readonly string[];
  /** keep Chromium's audio processing on the fake mic (default false: it costs the generator and cancels no echo) */
  readonly audioProcessing?: boolean;
  /**
   * glass-to-glass marks (in-page/media-marks.ts); false (default): off. An object: mic bursts at
   * senders, readers and a quality frame every 5 s per remote video track at receivers; `video:
   * true` also stamps every camera frame (media.video_e2e_ms), which costs more (README, "Glass-to-glass").
   */
  readonly mediaMarks?: false | { readonly video?: boolean; readonly sampleEveryMs?: number; readonly qualityEveryMs?: number };
  /**
   * frames a second for pages while no driver acts on them (frame-pacer.ts: BeginFrame control,
   * headless shell only); 0 (default): the browser's own ~60
   */
  readonly frameRate?: number;
}

/** The options with every default filled in (the guard keeps allowNonLoopbackHosts). */
export type ResolvedPoolOptions = Required<Omit<BrowserPoolOptions, 'allowNonLoopbackHosts'>>;


export function resolvePoolOptions(options: BrowserPoolOptions): ResolvedPoolOptions {
  return {
    executablePath: options.executablePath ?? defaultChromiumPath(),
    maxBrowsers: options.maxBrowsers,
    contextsPerBrowser: options.contextsPerBrowser,
    mediaCacheDir: options.mediaCacheDir,
    probeIntervalMs: options.probeIntervalMs ?? 2000,
    allowedHosts: [...options.allowedHosts],
    onEvent: options.onEvent,
    headless: options.headless ?? true,
    relaunch: options.relaunch ?? { maxPerMinute: 5, backoffMs: 1000 },
    hangCheck: options.hangCheck === undefined ? { intervalMs: 5000, timeoutMs: 15_000 } : options.hangCheck,
    closeTimeoutMs: options.closeTimeoutMs ?? 5000,
    extraArgs: options.extraArgs ?? [],
    audioProcessing: options.audioProcessing ?? false,
    mediaMarks: options.mediaMarks ?? false,
    frameRate: options.frameRate ?? 0,
  };
}

/** Throws one error listing every problem with the options and the machine (Chromium present). */
export async function checkPoolOptions(options: BrowserPoolOptions): Promise<void> {
  const problems: string[] = [];
  const posInt = (n: number) => Number.isInteger(n) && n >= 1;
  if (!posInt(options.maxBrowsers)) problems.push(`maxBrowsers: expected an integer ≥ 1, got ${options.maxBrowsers}`);
  if (!posInt(options.contextsPerBrowser)) problems.push(`contextsPerBrowser: expected an integer ≥ 1, got ${options.contextsPerBrowser}`);
  if (options.probeIntervalMs !== undefined && !(options.probeIntervalMs >= 250)) problems.push(`probeIntervalMs: expected ≥ 250, got ${options.probeIntervalMs}`);
  if (options.relaunch && !(options.relaunch.maxPerMinute >= 0 && options.relaunch.backoffMs >= 0)) problems.push('relaunch: maxPerMinute and backoffMs must be ≥ 0');
  try {
    checkAllowedHosts(options.allowedHosts, options.allowNonLoopbackHosts);
  } catch (error) {
    problems.push((error as Error).message);
  }
  const exe = options.executablePath ?? defaultChromiumPath();
  try {
    await access(exe);
  } catch {
    problems.push(`executablePath: ${exe} does not exist; install Debian Chromium with apt-get install chromium-headless-shell (or chromium), or give --chromium <path>`);
  }
  problems.push(...frameRateProblems(options.frameRate ?? 0, exe, !!options.mediaMarks));
  if (problems.length) throw new Error(`BrowserPool.launch: ${problems.join('; ')}`);
}

/** What stops --frame-rate: a rate outside (0, 60], a browser without BeginFrame control, or media marks (they read what is shown). */
export function frameRateProblems(frameRate: number, executablePath: string, mediaMarks: boolean): string[] {
  if (frameRate === 0) return [];
  const problems: string[] = [];
  if (!(frameRate > 0 && frameRate <= maxIdleFps)) problems.push(`frameRate: expected frames a second from 1 to ${maxIdleFps} (or off), got ${frameRate}`);
  if (!basename(executablePath).includes('headless-shell')) {
    problems.push(`frameRate: ${executablePath} is not the headless shell; only chromium-headless-shell takes BeginFrame control (apt-get install chromium-headless-shell, --chromium ${headlessShellPath}), or leave --frame-rate off`);
  }
  if (mediaMarks) problems.push('frameRate: media marks (glass-to-glass, quality) time what a page shows, which a paced page shows late; leave --frame-rate off, or --media-marks off');
  return problems;
}
