// Runs the real `waddle-fleet` command as a child process, the way a pipeline would.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const binPath = fileURLToPath(new URL('../../bin/waddle-fleet.mjs', import.meta.url));

export interface CliResult {
  /** the waddle-fleet process */
  readonly pid: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function startCli(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): {
  child: ChildProcess;
  done: Promise<CliResult>;
  output: () => string;
} {
  const child = spawn(process.execPath, [binPath, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, ...options.env, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ pid: child.pid!, code, signal, stdout, stderr }));
  });
  return { child, done, output: () => stdout + stderr };
}

export function runCli(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return startCli(args, options).done;
}

/**
 * Chromium processes a fleet process started that are still running: their profile lives in the
 * fleet's own temp folder (fleet/private-temp-root.ts: waddle-fleet-run-<pid>-…), so other
 * engineers' browsers on a shared machine are never counted.
 */
export function playwrightChromiumPids(fleetPid: number): number[] {
  try {
    return execFileSync('pgrep', ['-f', `waddle-fleet-run-${fleetPid}-.*playwright_chromiumdev_profile|playwright_chromiumdev_profile.*waddle-fleet-run-${fleetPid}-`], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}
