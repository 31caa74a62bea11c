// CPU and memory of one process tree (the generator under test), read from /proc from outside
// it, so the fleet and the usual way are measured by the same code. CPU is sampled every second
// and summed per process (pid + start time), so processes that come and go inside a window count
// for the time they lived; a window's figure is % of the whole machine (cores × wall time).
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { clockTicks, memoryKb, parseProcStat, readMachineCpuTimes, readProcCpu } from '../monitor/proc-stats.ts';
import { processTree } from '../monitor/process-tree.ts';

/** What a process of the tree is: node, browser, renderer, gpu-process, audio, network, utility, zygote… */
export function processKind(pid: number): string {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!/chrom/i.test(args.split('\0')[0] ?? '')) return /node/.test(args.split('\0')[0] ?? '') ? 'node' : 'other';
    const type = /--type=([a-z-]+)/.exec(args)?.[1];
    if (!type) return 'browser';
    if (type === 'utility') return /NetworkService/.test(args) ? 'network' : /AudioService/.test(args) ? 'audio' : 'utility';
    return type;
  } catch {
    return 'gone';
  }
}

export interface CpuWindow {
  readonly wallMs: number;
  /** the tree's CPU, % of the whole machine */
  readonly generatorPct: number;
  /** the whole machine's busy %, everyone's load included */
  readonly machinePct: number;
  readonly byKindPct: Readonly<Record<string, number>>;
  /** per "process kind/thread name", when the sampler was asked for threads */
  readonly byThreadPct: Readonly<Record<string, number>>;
}

/** Samples a tree each second; window() returns the CPU since the last window() call. */
export class TreeSampler {
  readonly #root: number;
  readonly #ticksByKind = new Map<string, number>();
  #last = new Map<number, { cpuTicks: number; startTicks: number; kind: string }>();
  #windowStartMs = performance.now();
  #machineStart = readMachineCpuTimes();
  readonly #timer: NodeJS.Timeout;

  constructor(rootPid: number, threads = false) {
    this.#root = rootPid;
    this.#threads = threads;
    this.#tick();
    this.#timer = setInterval(() => this.#tick(), 1000);
  }

  /** with threads: CPU also per "process kind/thread name" (digits dropped, so pools of threads add up) */
  readonly #threads: boolean;
  #lastThreads = new Map<string, number>();
  readonly #ticksByThread = new Map<string, number>();

  #tickThreads(pids: readonly number[]): void {
    const next = new Map<string, number>();
    for (const pid of pids) {
      const kind = this.#last.get(pid)?.kind ?? processKind(pid);
      let tids: string[] = [];
      try {
        tids = readdirSync(`/proc/${pid}/task`);
      } catch {}
      for (const tid of tids) {
        try {
          const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
          const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/\d+/g, '#');
          const ticks = parseProcStat(stat)?.cpuTicks ?? 0;
          const id = `${pid}/${tid}`;
          const before = this.#lastThreads.get(id);
          if (before !== undefined) this.#ticksByThread.set(`${kind}/${name}`, (this.#ticksByThread.get(`${kind}/${name}`) ?? 0) + Math.max(0, ticks - before));
          next.set(id, ticks);
        } catch {}
      }
    }
    this.#lastThreads = next;
  }

  #tick(): void {
    const pids = processTree(this.#root);
    if (this.#threads) this.#tickThreads(pids);
    const now = readProcCpu(pids);
    const next = new Map<number, { cpuTicks: number; startTicks: number; kind: string }>();
    for (const [pid, cur] of now) {
      const before = this.#last.get(pid);
      const same = before && before.startTicks === cur.startTicks;
      const kind = same ? before.kind : processKind(pid);
      if (same) this.#ticksByKind.set(kind, (this.#ticksByKind.get(kind) ?? 0) + Math.max(0, cur.cpuTicks - before.cpuTicks));
      next.set(pid, { ...cur, kind });
    }
    this.#last = next;
  }

  /** CPU since the previous window (or the start). */
  window(): CpuWindow {
    this.#tick();
    const wallMs = performance.now() - this.#windowStartMs;
    const machine = readMachineCpuTimes();
    const cores = os.availableParallelism();
    const pct = (ticks: number) => ((ticks * (1000 / clockTicks())) / (cores * wallMs)) * 100;
    const byKindPct = Object.fromEntries([...this.#ticksByKind].map(([k, t]) => [k, pct(t)]));
    const generatorPct = Object.values(byKindPct).reduce((a, b) => a + b, 0);
    const byThreadPct = Object.fromEntries([...this.#ticksByThread].map(([k, t]) => [k, pct(t)]));
    this.#ticksByThread.clear();
    const machinePct = ((machine.busy - this.#machineStart.busy) / Math.max(1, machine.total - this.#machineStart.total)) * 100;
    this.#ticksByKind.clear();
    this.#windowStartMs = performance.now();
    this.#machineStart = machine;
    return { wallMs, generatorPct, machinePct, byKindPct, byThreadPct };
  }

  /** PSS of the whole tree now, MB, and how many renderer processes it has. */
  async memory(): Promise<{ pssMb: number; renderers: number; processes: number }> {
    const pids = processTree(this.#root);
    const { kb } = await memoryKb(pids);
    return { pssMb: kb / 1024, renderers: pids.filter((p) => processKind(p) === 'renderer').length, processes: pids.length };
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

/** The machine's 1-minute load average: how busy the shared machine was around a measurement. */
export function loadAverage(): number {
  return os.loadavg()[0] ?? NaN;
}
