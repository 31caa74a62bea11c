import { existsSync } from 'node:fs';
import { fullChromiumPath, headlessShellPath } from '../../fake-media/chromium-binary.ts';
import { describe, expect, it } from 'vitest';
import { checkPoolOptions, frameRateProblems, resolvePoolOptions, type BrowserPoolOptions } from './pool-options.ts';

const good: BrowserPoolOptions = { maxBrowsers: 1, contextsPerBrowser: 2, mediaCacheDir: '/tmp/m', allowedHosts: ['127.0.0.1'], onEvent: () => {}, executablePath: process.execPath };

describe('checkPoolOptions', () => {
  it('accepts sound options on a machine where the executable exists', async () => {
    await expect(checkPoolOptions(good)).resolves.toBeUndefined();
  });

  it('lists every problem at once, each naming its option', async () => {
    const bad = { ...good, maxBrowsers: 0, contextsPerBrowser: 1.5, probeIntervalMs: 10, relaunch: { maxPerMinute: -1, backoffMs: 0 }, executablePath: '/nowhere/chromium' };
    const error = await checkPoolOptions(bad).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(/^BrowserPool\.launch: /);
    expect(message).toContain('maxBrowsers: expected an integer ≥ 1, got 0');
    expect(message).toContain('contextsPerBrowser: expected an integer ≥ 1, got 1.5');
    expect(message).toContain('probeIntervalMs: expected ≥ 250, got 10');
    expect(message).toContain('relaunch: maxPerMinute and backoffMs must be ≥ 0');
    expect(message).toContain('executablePath: /nowhere/chromium does not exist');
  });

  it('refuses non-loopback hosts unless allowed', async () => {
    await expect(checkPoolOptions({ ...good, allowedHosts: ['10.0.0.1'] })).rejects.toThrow(/non-loopback hosts \(10.0.0.1\)/);
    await expect(checkPoolOptions({ ...good, allowedHosts: ['10.0.0.1'], allowNonLoopbackHosts: true })).resolves.toBeUndefined();
  });
});

describe('resolvePoolOptions', () => {
  it('fills the defaults and keeps what was given', () => {
    const resolved = resolvePoolOptions({ ...good, executablePath: undefined, hangCheck: false });
    expect(resolved).toMatchObject({ executablePath: existsSync(headlessShellPath) ? headlessShellPath : fullChromiumPath, probeIntervalMs: 2000, headless: true, relaunch: { maxPerMinute: 5, backoffMs: 1000 }, hangCheck: false, closeTimeoutMs: 5000, extraArgs: [] });
    expect(resolvePoolOptions(good).hangCheck).toEqual({ intervalMs: 5000, timeoutMs: 15_000 });
  });
});

describe('frameRateProblems (--frame-rate)', () => {
  it('has nothing against off, or a rate on the headless shell without media marks', () => {
    expect(frameRateProblems(0, fullChromiumPath, true)).toEqual([]);
    expect(frameRateProblems(4, headlessShellPath, false)).toEqual([]);
    expect(frameRateProblems(60, headlessShellPath, false)).toEqual([]);
  });

  it('names each problem: the rate, a browser without BeginFrame control, media marks', () => {
    const problems = frameRateProblems(61, fullChromiumPath, true);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toBe('frameRate: expected frames a second from 1 to 60 (or off), got 61');
    expect(problems[1]).toContain(`${fullChromiumPath} is not the headless shell`);
    expect(problems[1]).toContain('apt-get install chromium-headless-shell');
    expect(problems[2]).toContain('media marks');
  });

  it('is part of checkPoolOptions', async () => {
    await expect(checkPoolOptions({ ...good, frameRate: 4 })).rejects.toThrow(`frameRate: ${process.execPath} is not the headless shell`);
  });
});
