// The generator watches itself (RELIABILITY.md, "the generator must not lie"): every tick it
// records CPU, run-queue wait and memory of this Node process and of every browser process tree,
// machine CPU and memory, event-loop delay, and — when the target offers Prometheus /metrics —
// the target's own figures; and it feeds the saturation judge (./saturation.ts says the rule).
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { MetricName } from '../metrics/catalogue.ts';
import type { MetricsRecorder, RunEvent } from '../metrics/types.ts';
import { processTree } from './process-tree.ts';
import { clockTicks, cpuTicksBetween, generatorCpuPercent, machineCpuPercent, machineMemoryPercent, memoryKb, readMachineCpuTimes, readProcCpu, type ProcCpuSnapshot } from './proc-stats.ts';
import { cpuStarvedPercent, cpuWaitPercent, demandCores, readSchedTimes, starvedCores, schedTimesBetween, type SchedSnapshot } from './run-queue-wait.ts';
import { defaultSaturationLimits, SaturationJudge, type LoadSample, type SaturationLimits } from './saturation.ts';
import { createTargetScraper } from './target-scrape.ts';

// importers of the monolith this file used to be (browser pool, bench) keep their paths
export { childPids, isAlive, processTree } from './process-tree.ts';
export { clockTicks, cpuTicksBetween, generatorCpuPercent, memoryKb, parseProcStat, parsePssKb, parseRssKb, readProcCpu, type ProcCpuSnapshot } from './proc-stats.ts';
export { mapTargetMetrics, parsePrometheusText, targetMetricTable } from './target-scrape.ts';

export interface ResourceMonitorOptions {
  readonly recorder: MetricsRecorder;
  readonly intervalMs?: number;
  /** browser process ids (the pool's); their whole process trees are counted */
  readonly browserPids: () => number[];
  /** other generator processes to count (e.g. helper workers) */
  readonly extraPids?: () => number[];
  readonly targetMetricsUrl?: string;
  /** limits of the saturation rule (./saturation.ts); unset ones take the defaults */
  readonly saturation?: Partial<SaturationLimits>;
  /**
   * True while the generator is starting up (a browser launching, and a few seconds after):
   * samples taken then are reported as the start-up burst and not judged. Asked once per tick.
   */
  readonly isStartingUp?: () => boolean;
  readonly onEvent: (event: RunEvent) => void;
}

export interface GeneratorHealthReport {
  readonly saturated: boolean;
  readonly reasons: readonly string[];
  /** generator CPU (node + browsers, % of the machine: the generator.cpu_pct gauge) over samples under load */
  readonly cpuPercentP95: number;
  readonly cpuPercentMax: number;
  /** whole-machine CPU over the same samples, reported beside and never judged alone */
  readonly machineCpuPercentP95: number;
  /** share of the generator threads' runnable time spent waiting for a CPU, over the same samples (reported, not judged) */
  readonly cpuWaitPercentP95: number;
  /** share of the generator's runnable time spent waiting while other processes held the CPU, % (saturation rule 2) */
  readonly cpuStarvedPercentP95: number;
  /** generator CPU maximum and total duration of the samples taken while starting up */
  readonly startupCpuPercentMax: number;
  readonly startupMs: number;
  readonly memoryMaxMb: number;
  readonly eventLoopDelayP99Ms: number;
  readonly targetScrapeFailures: number;
  readonly samples: number;
}

export interface ResourceMonitor {
  stop(): Promise<void>;
  health(): GeneratorHealthReport;
}

/** Cumulative readings at one instant; a tick differences two of them. */
interface Reading {
  readonly wallMs: number;
  readonly nodeCpu: NodeJS.CpuUsage;
  readonly procCpu: ProcCpuSnapshot;
  readonly sched: SchedSnapshot;
}

export function startResourceMonitor(options: ResourceMonitorOptions): ResourceMonitor {
  const intervalMs = options.intervalMs ?? 2000;
  const judge = new SaturationJudge({ ...defaultSaturationLimits, ...definedOnly(options.saturation ?? {}) });
  const cores = os.availableParallelism();
  const hz = clockTicks();
  const rec = (m: MetricName, v: number) => {
    if (Number.isFinite(v)) options.recorder.record(m, v);
  };
  const scraper = options.targetMetricsUrl ? createTargetScraper(options.targetMetricsUrl, Math.min(1500, intervalMs), rec, options.onEvent) : undefined;

  const loopInterval = monitorEventLoopDelay({ resolution: 10 });
  const loopRun = monitorEventLoopDelay({ resolution: 10 });
  loopInterval.enable();
  loopRun.enable();

  let memoryMaxMb = 0;
  let samples = 0;
  // primed now so the first tick has a machine figure over its whole window
  let lastMachine: { busy: number; total: number } | undefined = readMachineCpuTimes();
  let stopped = false;
  let running: Promise<void> | undefined;

  /** the browsers' and extra processes' pids now (whole trees; never this Node process, counted apart) */
  function browserTreePids(): Set<number> {
    const pids = new Set<number>();
    for (const root of [...options.browserPids(), ...(options.extraPids?.() ?? [])]) for (const pid of processTree(root)) pids.add(pid);
    pids.delete(process.pid);
    return pids;
  }

  // node and every browser pid are read at (nearly) the same instant, synchronously, so all
  // CPU figures cover the one wall window between two readings
  function read(pids: Set<number>): Reading {
    const procCpu = readProcCpu(pids);
    const sched = readSchedTimes([process.pid, ...pids]);
    return { procCpu, sched, nodeCpu: process.cpuUsage(), wallMs: performance.now() };
  }
  let last = read(browserTreePids());

  async function tick(): Promise<void> {
    const startingUp = options.isStartingUp?.() ?? false;
    const pids = browserTreePids();
    const now = read(pids);
    const wallMs = Math.max(1, now.wallMs - last.wallMs);
    const nodeCpu = process.cpuUsage(last.nodeCpu);
    const nodeCpuMs = (nodeCpu.user + nodeCpu.system) / 1000;
    const browserCpuMs = (cpuTicksBetween(last.procCpu, now.procCpu) * 1000) / hz;
    const sched = schedTimesBetween(last.sched, now.sched);
    last = now;
    const mem = process.memoryUsage();
    const machineTimes = readMachineCpuTimes();
    const machineMemPct = machineMemoryPercent();
    const [browserMem] = await Promise.all([memoryKb(pids), scraper?.scrape()]);
    const machineCpuPct = machineCpuPercent(lastMachine, machineTimes);
    lastMachine = machineTimes;

    const generatorCpuPct = generatorCpuPercent(nodeCpuMs, browserCpuMs, cores, wallMs);
    const demand = demandCores(sched.runNs, sched.waitNs, wallMs);
    const starved = starvedCores({ waitNs: sched.waitNs, wallMs, cores, machineCpuPct, generatorCpuPct });
    const sample: LoadSample = {
      wallMs,
      generatorCpuPct,
      cpuWaitPct: cpuWaitPercent(sched.runNs, sched.waitNs),
      demandCores: demand,
      starvedCores: starved,
      cpuStarvedPct: cpuStarvedPercent(starved, demand),
      machineCpuPct,
      startingUp,
    };
    // node's own RSS (it shares little with the browsers) + the browsers' PSS
    const memoryMb = mem.rss / (1024 * 1024) + browserMem.kb / 1024;
    rec('generator.cpu_pct', sample.generatorCpuPct);
    rec('generator.node_cpu_pct', (nodeCpuMs / wallMs) * 100);
    rec('generator.browser_cpu_pct', (browserCpuMs / wallMs) * 100);
    rec('generator.cpu_wait_pct', sample.cpuWaitPct);
    rec('generator.cpu_starved_pct', sample.cpuStarvedPct);
    rec('generator.memory_mb', memoryMb);
    rec('generator.node_heap_mb', mem.heapUsed / (1024 * 1024));
    rec('generator.system_cpu_pct', machineCpuPct);
    rec('generator.system_memory_pct', machineMemPct);
    rec('generator.browsers', options.browserPids().length);
    rec('generator.event_loop_delay_ms', loopInterval.percentile(99) / 1e6);
    loopInterval.reset();
    samples++;
    memoryMaxMb = Math.max(memoryMaxMb, memoryMb);
    for (const finding of judge.add(sample)) {
      options.onEvent({ timeMs: Date.now(), type: 'saturation', reason: finding.reason, message: finding.message, data: finding.data });
    }
  }

  const timer = setInterval(() => {
    if (running || stopped) return; // never overlap: a slow tick skips the next one
    running = tick()
      .catch((err) => options.onEvent({ timeMs: Date.now(), type: 'warning', reason: 'resource_monitor', message: `resource monitor sample failed: ${String(err)}` }))
      .finally(() => (running = undefined));
  }, intervalMs);
  timer.unref();

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      loopInterval.disable();
      loopRun.disable();
    },
    health() {
      const { loadSamples: _, ...figures } = judge.figures();
      return {
        saturated: judge.saturated,
        reasons: judge.findings.map((f) => f.message),
        ...figures,
        memoryMaxMb,
        eventLoopDelayP99Ms: loopRun.count > 0 ? loopRun.percentile(99) / 1e6 : 0,
        targetScrapeFailures: scraper?.failures ?? 0,
        samples,
      };
    },
  };
}

/** The keys of a partial whose value is set (so `{ cpuPercent: undefined }` keeps the default). */
function definedOnly<T extends object>(partial: Partial<T>): Partial<T> {
  return Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) as Partial<T>;
}
