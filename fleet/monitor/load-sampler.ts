// One resource-monitor tick's measurement: CPU of this Node process and of every browser process
// tree, their run-queue wait, memory, and machine CPU and memory, each over the wall window since
// the previous tick. The sampler keeps the cumulative readings a tick differences.
import os from 'node:os';
import { clockTicks, cpuTicksBetween, generatorCpuPercent, machineCpuPercent, machineMemoryPercent, memoryKb, readMachineCpuTimes, readProcCpu, type ProcCpuSnapshot } from './proc-stats.ts';
import { cpuStarvedPercent, cpuWaitPercent, demandCores, readSchedTimes, starvedCores, schedTimesBetween, type SchedSnapshot } from './run-queue-wait.ts';
import type { LoadSample } from './saturation.ts';

/** What one tick measured: the judge's sample and the gauges recorded beside it. */
export interface TickMeasurement {
  readonly sample: LoadSample;
  /** this Node process's CPU over the window, % of one core */
  readonly nodeCpuPct: number;
  /** the browser trees' CPU over the window, % of one core */
  readonly browserCpuPct: number;
  /** node's own RSS (it shares little with the browsers) + the browsers' PSS */
  readonly memoryMb: number;
  readonly nodeHeapMb: number;
  readonly machineMemoryPct: number;
}

/** Cumulative readings at one instant; a tick differences two of them. */
interface Reading {
  readonly wallMs: number;
  readonly nodeCpu: NodeJS.CpuUsage;
  readonly procCpu: ProcCpuSnapshot;
  readonly sched: SchedSnapshot;
}

export class LoadSampler {
  readonly #cores = os.availableParallelism();
  readonly #hz = clockTicks();
  readonly #treePids: () => Set<number>;
  #last: Reading;
  #lastMachine: { busy: number; total: number } | undefined;
  /** the browsers' PSS, read every memoryEveryTicks ticks or when the processes change (see below) */
  #browserMemKb = 0;
  #memoryPids = '';
  #ticksSinceMemory = Infinity;

  /** treePids: the generator's processes other than this Node one, asked once per tick */
  constructor(treePids: () => Set<number>) {
    this.#treePids = treePids;
    // primed now so the first tick has a machine figure over its whole window
    this.#lastMachine = readMachineCpuTimes();
    this.#last = read(treePids());
  }

  async measure(startingUp: boolean): Promise<TickMeasurement> {
    const pids = this.#treePids();
    const last = this.#last;
    const now = read(pids);
    const wallMs = Math.max(1, now.wallMs - last.wallMs);
    const nodeCpu = process.cpuUsage(last.nodeCpu);
    const nodeCpuMs = (nodeCpu.user + nodeCpu.system) / 1000;
    const browserCpuMs = (cpuTicksBetween(last.procCpu, now.procCpu) * 1000) / this.#hz;
    const sched = schedTimesBetween(last.sched, now.sched);
    this.#last = now;
    const mem = process.memoryUsage();
    const machineTimes = readMachineCpuTimes();
    const machineMemoryPct = machineMemoryPercent();
    const browserMemKb = await this.#browserMemoryKb(pids);
    const machineCpuPct = machineCpuPercent(this.#lastMachine, machineTimes);
    this.#lastMachine = machineTimes;

    const generatorCpuPct = generatorCpuPercent(nodeCpuMs, browserCpuMs, this.#cores, wallMs);
    const demand = demandCores(sched.runNs, sched.waitNs, wallMs);
    const starved = starvedCores({ waitNs: sched.waitNs, wallMs, cores: this.#cores, machineCpuPct, generatorCpuPct });
    const sample: LoadSample = {
      wallMs,
      generatorCpuPct,
      cpuWaitPct: cpuWaitPercent(sched.runNs, sched.waitNs),
      demandCores: demand,
      starvedCores: starved,
      cpuStarvedPct: cpuStarvedPercent(starved, demand),
      machineCpuPct,
      eventLoopP99Ms: NaN, // the monitor owns the event-loop histogram and fills it in
      startingUp,
    };
    return {
      sample,
      nodeCpuPct: (nodeCpuMs / wallMs) * 100,
      browserCpuPct: (browserCpuMs / wallMs) * 100,
      memoryMb: mem.rss / (1024 * 1024) + browserMemKb / 1024,
      nodeHeapMb: mem.heapUsed / (1024 * 1024),
      machineMemoryPct,
    };
  }

  async #browserMemoryKb(pids: Set<number>): Promise<number> {
    const key = [...pids].sort((a, b) => a - b).join(',');
    if (key !== this.#memoryPids || ++this.#ticksSinceMemory >= memoryEveryTicks) {
      this.#browserMemKb = (await memoryKb(pids)).kb;
      this.#memoryPids = key;
      this.#ticksSinceMemory = 0;
    }
    return this.#browserMemKb;
  }
}

/**
 * PSS costs the kernel a walk of every mapping of a process (measured: ~1.5 ms of system time
 * per Chromium process, 47 ms for 30 of them, every tick: about 1% of a 2-core machine at 10
 * idle users, growing with the processes), while memory moves slowly: read it every fifth tick
 * (10 s at the monitor's 2 s), and at once when processes came or went.
 */
const memoryEveryTicks = 5;

// node and every browser pid are read at (nearly) the same instant, synchronously, so all
// CPU figures cover the one wall window between two readings
function read(pids: Set<number>): Reading {
  const procCpu = readProcCpu(pids);
  const sched = readSchedTimes([process.pid, ...pids]);
  return { procCpu, sched, nodeCpu: process.cpuUsage(), wallMs: performance.now() };
}
