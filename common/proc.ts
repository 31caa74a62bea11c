// Processes as Linux shows them in /proc: who is alive, who is whose parent, what they run.
// A pid alone is not an identity (pids are reused); pid + start time (clock ticks after boot,
// /proc/<pid>/stat field 22) is. Owner tags written into file names use that pair, so a sweep
// can tell "the run that made this is gone" from "a new process happens to have that pid".
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';

export interface ProcessIdentity {
  readonly pid: number;
  readonly startTicks: number;
}

export interface ProcStat extends ProcessIdentity {
  /** R, S, D, Z (zombie: exited, not yet reaped), X (dead), … */
  readonly state: string;
  readonly ppid: number;
  readonly comm: string;
}

/** /proc/<pid>/stat, or undefined when there is no such process. */
export function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // comm may hold spaces and parentheses: the fields after it start after the LAST ')'
  const close = text.lastIndexOf(')');
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state), rest[1] field 4 (ppid), rest[19] field 22 (starttime)
  const startTicks = Number(rest[19]);
  const ppid = Number(rest[1]);
  if (!Number.isFinite(startTicks) || !Number.isFinite(ppid)) return undefined;
  return { pid, state: rest[0] ?? '?', ppid, startTicks, comm: text.slice(text.indexOf('(') + 1, close) };
}

export function processIdentity(pid: number = process.pid): ProcessIdentity | undefined {
  const stat = readProcStat(pid);
  return stat && { pid, startTicks: stat.startTicks };
}

/** True while that very process (not a later one with the same pid) runs; a zombie counts as gone. */
export function isProcessAlive(identity: ProcessIdentity): boolean {
  const stat = readProcStat(identity.pid);
  return !!stat && stat.startTicks === identity.startTicks && stat.state !== 'Z' && stat.state !== 'X';
}

/** "<pid>-<startTicks>": the owner part of temp names this process creates. */
export function ownerTag(identity: ProcessIdentity | undefined = processIdentity()): string {
  // without /proc (not Linux) the start time is unknown: 0 never matches, so such files are
  // swept only when the pid is gone altogether — see isOwnerGone
  return `${identity?.pid ?? process.pid}-${identity?.startTicks ?? 0}`;
}

export function parseOwnerTag(tag: string): ProcessIdentity | undefined {
  const m = /^(\d+)-(\d+)$/.exec(tag);
  return m ? { pid: Number(m[1]), startTicks: Number(m[2]) } : undefined;
}

/** The process that wrote this owner tag has exited (so what it left is litter). */
export function isOwnerGone(owner: ProcessIdentity): boolean {
  if (owner.startTicks === 0) return readProcStat(owner.pid) === undefined;
  return !isProcessAlive(owner);
}

/** The chain of ancestors of pid (parent first), stopping before pid 1 and pid 0. */
export function ancestors(pid: number = process.pid): ProcStat[] {
  const chain: ProcStat[] = [];
  let current = readProcStat(pid);
  while (current && current.ppid > 1 && chain.length < 64) {
    const parent = readProcStat(current.ppid);
    if (!parent) break;
    chain.push(parent);
    current = parent;
  }
  return chain;
}

/** The command line of one process (args joined by spaces), '' when it is gone or unreadable. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}

/** The command line of every process we can read, as one string per process (args joined by spaces). */
export async function allCommandLines(): Promise<Map<number, string>> {
  const lines = new Map<number, string>();
  const names = (await readdir('/proc')).filter((n) => /^\d+$/.test(n));
  await Promise.all(
    names.map(async (name) => {
      try {
        const raw = await readFile(`/proc/${name}/cmdline`, 'utf8');
        if (raw) lines.set(Number(name), raw.split('\0').join(' '));
      } catch {}
    }),
  );
  return lines;
}

/** Paths of the unix sockets some live process is listening on or connected to (/proc/net/unix). */
export async function liveUnixSocketPaths(): Promise<Set<string>> {
  const paths = new Set<string>();
  try {
    const text = await readFile('/proc/net/unix', 'utf8');
    for (const line of text.split('\n').slice(1)) {
      // Num RefCount Protocol Flags Type St Inode Path — the path is the 8th column, when bound
      const cols = line.trim().split(/\s+/);
      if (cols.length >= 8 && cols[7]!.startsWith('/')) paths.add(cols.slice(7).join(' '));
    }
  } catch {}
  return paths;
}
