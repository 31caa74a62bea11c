// A CPU limit on the reference Waddle's Janus, as a container's CPU quota gives a media server in
// production (a Kubernetes pod's limits.cpu is a CFS quota): an injected, known cause of SFU
// overload. On one 2-core machine that also runs the fleet, Janus cannot be saturated by load alone
// before the generator is (README, *Overload pinned on the SFU*); with a quota of a fraction of a
// core it saturates at a load the generator holds easily, so the browser users in its calls feel
// it and the report must blame the target. The quota is the kernel's (CFS bandwidth control in a
// cgroup of Janus's own), so every Janus thread is capped together and throttling is counted by
// the kernel itself (cpu.stat). Without a writable cgroup (an unprivileged container) the limit is
// refused with a message, never silently skipped.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const V1_ROOT = '/sys/fs/cgroup/cpu';
const V2_ROOT = '/sys/fs/cgroup';
const PREFIX = 'reference-waddle-janus-';
/** the CFS period: Kubernetes' and Docker's default (100 ms) */
export const CFS_PERIOD_US = 100_000;
/** a quota below 1 ms per period is refused by the kernel */
export const MIN_CORES = 0.01;

export interface CpuLimit {
  /** the cap now, in cores (undefined: not capped) */
  readonly cores: number | undefined;
  readonly cgroupDir: string;
  /** changes the cap while Janus runs (undefined lifts it) */
  set(cores: number | undefined): Promise<void>;
  /** periods the kernel throttled Janus in, and periods it ran in, since the group was made */
  throttling(): Promise<{ periods: number; throttledPeriods: number; throttledMs: number }>;
  /** removes the group once Janus has exited (a group with a live task cannot be removed) */
  remove(): Promise<void>;
}

/** Why a CPU limit cannot be applied here, or undefined when it can. */
export function cpuLimitProblem(): string | undefined {
  if (existsSync(join(V1_ROOT, 'cpu.cfs_quota_us')) || existsSync(join(V2_ROOT, 'cgroup.subtree_control'))) return undefined;
  return `--sfu-cpu-limit needs the cgroup CPU controller (${V1_ROOT} or ${V2_ROOT} with cpu.max), which this machine does not mount`;
}

export function checkCores(cores: number): string | undefined {
  if (!Number.isFinite(cores) || cores < MIN_CORES || cores > 1024) return `sfuCpuLimit: expected a number of cores from ${MIN_CORES} (e.g. 0.25 for a quarter of a core), got ${String(cores)}`;
  return undefined;
}

/** Puts `pid` (every thread of it) in a cgroup of its own capped at `cores` of CPU. */
export async function limitCpu(pid: number, cores: number): Promise<CpuLimit> {
  const problem = checkCores(cores) ?? cpuLimitProblem();
  if (problem) throw new Error(problem);
  await sweepEmptyGroups();
  const v1 = existsSync(join(V1_ROOT, 'cpu.cfs_quota_us'));
  const dir = join(v1 ? V1_ROOT : V2_ROOT, `${PREFIX}${pid}`);
  try {
    if (!v1) await writeFile(join(V2_ROOT, 'cgroup.subtree_control'), '+cpu').catch(() => {});
    await mkdir(dir, { recursive: true });
    let now: number | undefined;
    const write = async (value: number | undefined): Promise<void> => {
      const quotaUs = value === undefined ? undefined : Math.max(1000, Math.round(value * CFS_PERIOD_US));
      if (v1) {
        await writeFile(join(dir, 'cpu.cfs_period_us'), String(CFS_PERIOD_US));
        await writeFile(join(dir, 'cpu.cfs_quota_us'), String(quotaUs ?? -1));
      } else {
        await writeFile(join(dir, 'cpu.max'), `${quotaUs ?? 'max'} ${CFS_PERIOD_US}`);
      }
      now = value;
    };
    await write(cores);
    // cgroup.procs moves the whole thread group: threads Janus makes later are born inside
    await writeFile(join(dir, 'cgroup.procs'), String(pid));
    return {
      get cores() {
        return now;
      },
      cgroupDir: dir,
      async set(value) {
        if (value !== undefined) {
          const bad = checkCores(value);
          if (bad) throw new Error(bad);
        }
        await write(value);
      },
      async throttling() {
        const stat = parseCpuStat(await readFile(join(dir, 'cpu.stat'), 'utf8'));
        // v1 counts throttled_time in ns, v2 throttled_usec in µs
        const throttledMs = stat['throttled_time'] !== undefined ? stat['throttled_time'] / 1e6 : (stat['throttled_usec'] ?? 0) / 1000;
        return { periods: stat['nr_periods'] ?? 0, throttledPeriods: stat['nr_throttled'] ?? 0, throttledMs };
      },
      async remove() {
        await removeWhenEmpty(dir);
      },
    };
  } catch (error) {
    await rmdir(dir).catch(() => {});
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(`--sfu-cpu-limit: could not cap Janus (pid ${pid}) in ${dir} (${reason}); it needs a writable cgroup CPU controller (root outside an unprivileged container)`, { cause: error });
  }
}

export function parseCpuStat(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && Number.isFinite(Number(value))) out[key] = Number(value);
  }
  return out;
}

/** rmdir fails while a task is in the group: Janus may take a moment to exit after SIGKILL */
async function removeWhenEmpty(dir: string): Promise<void> {
  for (let i = 0; i < 20; i++) {
    try {
      await rmdir(dir);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * A server killed with SIGKILL takes its Janus with it (pdeathsig) but leaves its group: groups of
 * ours whose Janus (the pid in the name) is gone are removed at the next start. A group of a live
 * Janus is never touched (one another server has just made is still empty), and rmdir refuses a
 * group that holds a task anyway.
 */
async function sweepEmptyGroups(): Promise<void> {
  for (const root of [V1_ROOT, V2_ROOT]) {
    const names = (await readdir(root).catch(() => [] as string[])).filter((n) => n.startsWith(PREFIX));
    for (const name of names) if (!isAlive(Number(name.slice(PREFIX.length)))) await rmdir(join(root, name)).catch(() => {});
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
