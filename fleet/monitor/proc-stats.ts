// Per-process CPU and memory, and machine CPU and memory, from /proc (Linux).
// Why not pidusage: it measures each pid over its own interval (since its previous call for
// that pid, or since process start for a new one), so summing pids did not share one wall
// window and generator CPU reached 136% "of the machine"; and it sums RSS, counting Chromium's
// shared pages once per process (3.6 GB for 8 pages). Here every pid's utime+stime is read at
// the monitor's tick instant and differenced per pid over the monitor's own wall window, and
// memory is PSS (shared pages split between the processes sharing them).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/** utime+stime (clock ticks) and start time (ticks after boot: with the pid, a process's identity) from /proc/<pid>/stat text. */
export function parseProcStat(text: string): { cpuTicks: number; startTicks: number } | undefined {
  // comm may hold spaces and parentheses: the fields start after the LAST ')'
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state): utime is field 14, stime 15, starttime 22
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  const start = Number(rest[19]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return { cpuTicks: utime + stime, startTicks: Number.isFinite(start) ? start : 0 };
}

/** "Pss:" of /proc/<pid>/smaps_rollup, in kB. */
export function parsePssKb(smapsRollup: string): number | undefined {
  const kb = /^Pss:\s+(\d+)\s+kB/m.exec(smapsRollup)?.[1];
  return kb === undefined ? undefined : Number(kb);
}

/** "VmRSS:" of /proc/<pid>/status, in kB (the fallback when smaps_rollup cannot be read). */
export function parseRssKb(status: string): number | undefined {
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  return kb === undefined ? undefined : Number(kb);
}

let clockTicksPerSecond: number | undefined;
/** USER_HZ: `getconf CLK_TCK`, read once (100 on every Linux we run on). */
export function clockTicks(): number {
  if (clockTicksPerSecond === undefined) {
    try {
      const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 2000 }).trim());
      clockTicksPerSecond = Number.isInteger(n) && n > 0 ? n : 100;
    } catch {
      clockTicksPerSecond = 100;
    }
  }
  return clockTicksPerSecond;
}

/** pid → its /proc/<pid>/stat at one instant (a pid that vanished is simply absent). */
export type ProcCpuSnapshot = ReadonlyMap<number, { readonly cpuTicks: number; readonly startTicks: number }>;

export function readProcCpu(pids: Iterable<number>): Map<number, { cpuTicks: number; startTicks: number }> {
  const out = new Map<number, { cpuTicks: number; startTicks: number }>();
  for (const pid of pids) {
    try {
      const stat = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      if (stat) out.set(pid, stat);
    } catch {} // exited between listing and reading
  }
  return out;
}

/**
 * CPU ticks spent by a set of processes between two snapshots. A pid seen for the first time
 * counts from that sight (its earlier CPU is not in this window), a pid gone drops out, and a
 * pid reused by a new process (other start time) counts as new. Never negative.
 */
export function cpuTicksBetween(prev: ProcCpuSnapshot, cur: ProcCpuSnapshot): number {
  let ticks = 0;
  for (const [pid, now] of cur) {
    const before = prev.get(pid);
    if (before && before.startTicks === now.startTicks) ticks += Math.max(0, now.cpuTicks - before.cpuTicks);
  }
  return ticks;
}

/**
 * Generator CPU as % of the whole machine over one wall window: (node + browsers) / (cores × wall).
 * Both come from the same window, so it cannot pass 100% except by rounding — 10 ms ticks
 * sampled a little after the node figure — hence the clamp to [0, 100].
 */
export function generatorCpuPercent(nodeCpuMs: number, browserCpuMs: number, cores: number, wallMs: number): number {
  if (!(wallMs > 0) || !(cores > 0)) return NaN;
  return Math.min(100, Math.max(0, ((nodeCpuMs + browserCpuMs) / (cores * wallMs)) * 100));
}

/** Proportional set size of each pid in kB (RSS when smaps_rollup cannot be read), summed. */
export async function memoryKb(pids: Iterable<number>): Promise<{ kb: number; pssPids: number; rssPids: number }> {
  let kb = 0;
  let pssPids = 0;
  let rssPids = 0;
  await Promise.all(
    [...pids].map(async (pid) => {
      const pss = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').then(parsePssKb, () => undefined);
      if (pss !== undefined) {
        kb += pss;
        pssPids++;
        return;
      }
      const rss = await readFile(`/proc/${pid}/status`, 'utf8').then(parseRssKb, () => undefined);
      if (rss !== undefined) {
        kb += rss;
        rssPids++;
      }
    }),
  );
  return { kb, pssPids, rssPids };
}

// The two machine files are tiny and read synchronously: an async read wakes a libuv pool thread,
// and on a loaded machine each wake-up queues, which the monitor would then count as its own wait.

/** Busy and total jiffies of the whole machine, from the first line of /proc/stat. */
export function readMachineCpuTimes(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (f[3] ?? 0) + (f[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

/** Machine CPU busy % between two /proc/stat readings; NaN when no time passed. */
export function machineCpuPercent(prev: { busy: number; total: number } | undefined, cur: { busy: number; total: number }): number {
  if (!prev || !(cur.total > prev.total)) return NaN;
  return ((cur.busy - prev.busy) / (cur.total - prev.total)) * 100;
}

/** Machine memory in use (MemTotal − MemAvailable), %. */
export function machineMemoryPercent(): number {
  const info = readFileSync('/proc/meminfo', 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(info)?.[1] ?? NaN);
  const total = kb('MemTotal');
  const available = kb('MemAvailable');
  return Number.isFinite(total) && Number.isFinite(available) && total > 0 ? ((total - available) / total) * 100 : NaN;
}
