// Process-tree helpers for the lifecycle tests: find the fleet process under a wrapper, list what
// it started, and wait for processes to end. Everything is read from /proc, never by name, so
// other engineers' browsers on the same machine are never counted or touched.
import { readdirSync, readFileSync } from 'node:fs';

interface Proc {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  readonly cmdline: string;
}

function snapshot(): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (rest[0] === 'Z') continue; // exited, not yet reaped
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      out.push({ pid: Number(name), ppid: Number(rest[1]), pgid: Number(rest[2]), cmdline });
    } catch {}
  }
  return out;
}

export function isRunning(pid: number): boolean {
  return snapshot().some((p) => p.pid === pid);
}

/** Every process below pid (children, grandchildren, …). */
export function descendants(pid: number): number[] {
  return descendantsIn(snapshot(), pid);
}

function descendantsIn(all: readonly Proc[], pid: number): number[] {
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const p of all) {
      if (p.ppid === parent && !found.includes(p.pid)) {
        found.push(p.pid);
        queue.push(p.pid);
      }
    }
  }
  return found;
}

/** The Chromium browser processes a fleet process started (their command line carries the pool's marker). */
export function browsersOf(fleetPid: number): number[] {
  return browserProcesses(fleetPid).map((p) => p.pid);
}

/** Those browser processes, tree and command lines from one snapshot. */
function browserProcesses(fleetPid: number): Proc[] {
  const all = snapshot();
  const below = new Set(descendantsIn(all, fleetPid));
  return all.filter((p) => below.has(p.pid) && p.cmdline.includes('--waddle-fleet-browser='));
}

/** The fleet's node process in a process group: a node process running the waddle-fleet bin. */
export function fleetProcessInGroup(pgid: number): number | undefined {
  return snapshot().find((p) => p.pgid === pgid && /^\S*node\s/.test(p.cmdline) && /waddle-fleet(\.mjs)?\s+run\s/.test(p.cmdline))?.pid;
}

/** The Chromium profiles (--user-data-dir) of those browsers, read from one snapshot, each once. */
export function browserProfilesOf(fleetPid: number): string[] {
  const dirs = browserProcesses(fleetPid).map((p) => /--user-data-dir=(\S+)/.exec(p.cmdline)?.[1]);
  return [...new Set(dirs.filter((d): d is string => !!d))];
}

export function commandLineOf(pid: number): string {
  return snapshot().find((p) => p.pid === pid)?.cmdline ?? '';
}

/** Processes (of the given pids) still running. */
export function stillRunning(pids: readonly number[]): number[] {
  const live = new Set(snapshot().map((p) => p.pid));
  return pids.filter((pid) => live.has(pid));
}

export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 200): Promise<number> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return Date.now() - t0;
}

/** SIGKILL the given processes that still run (test clean-up after a failed assertion). */
export function killAll(pids: readonly number[]): void {
  for (const pid of stillRunning(pids)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
}
