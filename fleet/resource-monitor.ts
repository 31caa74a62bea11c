// The generator watches itself (RELIABILITY.md, "the generator must not lie"): CPU and memory
// of this Node process and of every browser process tree, machine CPU and memory, event-loop
// delay, and — when the target offers Prometheus /metrics — the target's own figures.
// Above the CPU limit for a sustained window it marks the run saturated: a starved generator
// is not a slow Waddle, so the verdict must become INCONCLUSIVE.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMetricName, type MetricName } from '../metrics/catalogue.ts';
import type { MetricsRecorder, RunEvent } from '../metrics/types.ts';

// ---------- process trees (also used by the browser pool to kill what close() leaves) ----------

/** Direct children of pid, from /proc/<pid>/task/<tid>/children (Linux ≥ 3.5). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        for (const c of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ')) {
          const n = Number(c);
          if (c.trim() && Number.isInteger(n)) out.push(n);
        }
      } catch {}
    }
  } catch {}
  return out;
}

/** pid and all its descendants (breadth first). */
export function processTree(rootPid: number): number[] {
  const seen = new Set<number>();
  const queue = [rootPid];
  while (queue.length) {
    const pid = queue.shift()!;
    if (seen.has(pid) || !isAlive(pid)) continue;
    seen.add(pid);
    queue.push(...childPids(pid));
  }
  return [...seen];
}

export function isAlive(pid: number): boolean {
  try {
    // a zombie still has /proc/<pid> but is dead for our purposes
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

// ---------- per-process CPU and memory from /proc ----------
// Why not pidusage: it measures each pid over its own interval (since its previous call for
// that pid, or since process start for a new one), so summing pids did not share one wall
// window and generator CPU reached 136% "of the machine"; and it sums RSS, counting Chromium's
// shared pages once per process (3.6 GB for 8 pages). Here every pid's utime+stime is read at
// the monitor's tick instant and differenced per pid over the monitor's own wall window, and
// memory is PSS (shared pages split between the processes sharing them).

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

// ---------- machine figures ----------

async function readCpuTimes(): Promise<{ busy: number; total: number }> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0] ?? '';
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (f[3] ?? 0) + (f[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

async function systemMemoryPct(): Promise<number> {
  const info = await readFile('/proc/meminfo', 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(info)?.[1] ?? NaN);
  const total = kb('MemTotal');
  const available = kb('MemAvailable');
  return Number.isFinite(total) && Number.isFinite(available) && total > 0 ? ((total - available) / total) * 100 : NaN;
}

// ---------- the target's Prometheus text ----------

/** Prometheus name → catalogue name and a unit factor. Unknown waddle_<x> map to target.<x> when the catalogue has it. */
export const targetMetricTable: Readonly<Record<string, readonly [MetricName, number]>> = {
  waddle_ws_connections: ['target.ws_connections', 1],
  process_cpu_percent: ['target.cpu_pct', 1],
  process_resident_memory_bytes: ['target.memory_mb', 1 / (1024 * 1024)],
  waddle_chat_messages_per_second: ['target.messages_per_s', 1],
  waddle_event_loop_delay_p99_ms: ['target.event_loop_delay_ms', 1],
};

/** Unlabelled samples of a Prometheus text exposition (labelled series are summed per name). */
export function parsePrometheusText(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || !m[1] || !m[3]) continue;
    const value = Number(m[3]);
    if (!Number.isFinite(value)) continue;
    out.set(m[1], (out.get(m[1]) ?? 0) + value);
  }
  return out;
}

export function mapTargetMetrics(samples: ReadonlyMap<string, number>): Array<[MetricName, number]> {
  const out: Array<[MetricName, number]> = [];
  for (const [name, value] of samples) {
    const mapped = targetMetricTable[name];
    if (mapped) out.push([mapped[0], value * mapped[1]]);
    else if (name.startsWith('waddle_')) {
      const guess = `target.${name.slice('waddle_'.length)}`;
      if (isMetricName(guess) && !Object.values(targetMetricTable).some(([m]) => m === guess)) out.push([guess, value]);
    }
  }
  return out;
}

// ---------- the monitor ----------

export interface ResourceMonitorOptions {
  readonly recorder: MetricsRecorder;
  readonly intervalMs?: number;
  /** browser process ids (the pool's); their whole process trees are counted */
  readonly browserPids: () => number[];
  /** other generator processes to count (e.g. helper workers) */
  readonly extraPids?: () => number[];
  readonly targetMetricsUrl?: string;
  readonly saturation?: { readonly cpuPercent?: number; readonly windowMs?: number; readonly useSystemCpu?: boolean };
  readonly onEvent: (event: RunEvent) => void;
}

export interface GeneratorHealthReport {
  readonly saturated: boolean;
  readonly reasons: readonly string[];
  readonly cpuPercentP95: number;
  readonly cpuPercentMax: number;
  readonly memoryMaxMb: number;
  readonly eventLoopDelayP99Ms: number;
  readonly targetScrapeFailures: number;
  readonly samples: number;
}

export interface ResourceMonitor {
  stop(): Promise<void>;
  health(): GeneratorHealthReport;
}

function percentile(values: readonly number[], p: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

export function startResourceMonitor(options: ResourceMonitorOptions): ResourceMonitor {
  const intervalMs = options.intervalMs ?? 2000;
  const cpuLimit = options.saturation?.cpuPercent ?? 85;
  const windowMs = options.saturation?.windowMs ?? 10_000;
  const useSystemCpu = options.saturation?.useSystemCpu ?? true;
  const cores = os.availableParallelism();
  const rec = (m: MetricName, v: number) => {
    if (Number.isFinite(v)) options.recorder.record(m, v);
  };

  const loopInterval = monitorEventLoopDelay({ resolution: 10 });
  const loopRun = monitorEventLoopDelay({ resolution: 10 });
  loopInterval.enable();
  loopRun.enable();

  const loadSamples: number[] = [];
  let memoryMaxMb = 0;
  let cpuMax = 0;
  let samples = 0;
  let aboveSinceMs: number | undefined;
  let saturated = false;
  const reasons: string[] = [];
  let targetScrapeFailures = 0;
  let lastCpu = process.cpuUsage();
  let lastWallMs = performance.now();
  let lastSys: { busy: number; total: number } | undefined;
  let lastProcCpu: ProcCpuSnapshot = new Map();
  let stopped = false;
  let running: Promise<void> | undefined;
  const hz = clockTicks();

  /** the browsers' and extra processes' pids now (whole trees; never this Node process, counted apart) */
  function generatorPids(): Set<number> {
    const pids = new Set<number>();
    for (const root of [...options.browserPids(), ...(options.extraPids?.() ?? [])]) for (const pid of processTree(root)) pids.add(pid);
    pids.delete(process.pid);
    return pids;
  }

  async function scrapeTarget(): Promise<void> {
    if (!options.targetMetricsUrl) return;
    try {
      const res = await fetch(options.targetMetricsUrl, { signal: AbortSignal.timeout(Math.min(1500, intervalMs)) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      for (const [metric, value] of mapTargetMetrics(parsePrometheusText(await res.text()))) rec(metric, value);
    } catch (err) {
      targetScrapeFailures++;
      if (targetScrapeFailures === 1) {
        options.onEvent({ timeMs: Date.now(), type: 'warning', reason: 'target_metrics', message: `resource monitor: cannot read ${options.targetMetricsUrl} (${err instanceof Error ? err.message : String(err)}); target.* metrics are missing, failures are counted` });
      }
    }
  }

  async function tick(): Promise<void> {
    // node and every browser pid are read at (nearly) the same instant, synchronously, so all
    // CPU figures cover the one wall window [lastWallMs, nowMs]
    const pids = generatorPids();
    const procCpu = readProcCpu(pids);
    const cpu = process.cpuUsage(lastCpu);
    lastCpu = process.cpuUsage();
    const nowMs = performance.now();
    const wallMs = Math.max(1, nowMs - lastWallMs);
    lastWallMs = nowMs;
    const nodeCpuMs = (cpu.user + cpu.system) / 1000;
    const browserCpuMs = (cpuTicksBetween(lastProcCpu, procCpu) * 1000) / hz;
    lastProcCpu = procCpu;
    const nodeCpuPct = (nodeCpuMs / wallMs) * 100;
    const browserCpuPct = (browserCpuMs / wallMs) * 100;
    const mem = process.memoryUsage();
    const [browserMem, sys, sysMemPct] = await Promise.all([memoryKb(pids), readCpuTimes(), systemMemoryPct().catch(() => NaN), scrapeTarget()]);
    let systemCpuPct = NaN;
    if (lastSys && sys.total > lastSys.total) systemCpuPct = ((sys.busy - lastSys.busy) / (sys.total - lastSys.total)) * 100;
    lastSys = sys;

    const generatorCpuPct = generatorCpuPercent(nodeCpuMs, browserCpuMs, cores, wallMs);
    // node's own RSS (it shares little with the browsers) + the browsers' PSS
    const memoryMb = mem.rss / (1024 * 1024) + browserMem.kb / 1024;
    rec('generator.cpu_pct', generatorCpuPct);
    rec('generator.node_cpu_pct', nodeCpuPct);
    rec('generator.browser_cpu_pct', browserCpuPct);
    rec('generator.memory_mb', memoryMb);
    rec('generator.node_heap_mb', mem.heapUsed / (1024 * 1024));
    rec('generator.system_cpu_pct', systemCpuPct);
    rec('generator.system_memory_pct', sysMemPct);
    rec('generator.browsers', options.browserPids().length);
    const loopP99Ms = loopInterval.percentile(99) / 1e6;
    loopInterval.reset();
    rec('generator.event_loop_delay_ms', loopP99Ms);

    samples++;
    memoryMaxMb = Math.max(memoryMaxMb, memoryMb);
    const load = useSystemCpu && Number.isFinite(systemCpuPct) ? Math.max(generatorCpuPct, systemCpuPct) : generatorCpuPct;
    loadSamples.push(load);
    cpuMax = Math.max(cpuMax, load);
    if (loadSamples.length > 100_000) loadSamples.splice(0, loadSamples.length - 100_000); // bounded over soaks
    if (load > cpuLimit) {
      aboveSinceMs ??= nowMs - wallMs; // above since the start of this interval
      if (!saturated && nowMs - aboveSinceMs >= windowMs) {
        saturated = true;
        const which = useSystemCpu && systemCpuPct > generatorCpuPct ? 'machine CPU' : 'generator CPU (node + browsers)';
        const reason = `${which} stayed above ${cpuLimit}% for ${Math.round((nowMs - aboveSinceMs) / 1000)} s (now ${load.toFixed(0)}%): the load generator is saturated, results say more about it than about the target`;
        reasons.push(reason);
        options.onEvent({ timeMs: Date.now(), type: 'saturation', reason: 'generator_cpu', message: reason, data: { cpuPercent: load, limit: cpuLimit, windowMs } });
      }
    } else {
      aboveSinceMs = undefined;
    }
  }

  const timer = setInterval(() => {
    if (running || stopped) return; // never overlap: a slow tick skips the next one
    running = tick()
      .catch((err) => options.onEvent({ timeMs: Date.now(), type: 'warning', reason: 'resource_monitor', message: `resource monitor sample failed: ${String(err)}` }))
      .finally(() => (running = undefined));
  }, intervalMs);
  timer.unref();
  // prime /proc/stat and the pids' CPU so the first tick has deltas over its whole window
  void readCpuTimes().then((s) => (lastSys ??= s)).catch(() => {});
  lastProcCpu = readProcCpu(generatorPids());

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      loopInterval.disable();
      loopRun.disable();
    },
    health() {
      return {
        saturated,
        reasons: [...reasons],
        cpuPercentP95: percentile(loadSamples, 95),
        cpuPercentMax: cpuMax,
        memoryMaxMb,
        eventLoopDelayP99Ms: loopRun.count > 0 ? loopRun.percentile(99) / 1e6 : 0,
        targetScrapeFailures,
        samples,
      };
    },
  };
}
