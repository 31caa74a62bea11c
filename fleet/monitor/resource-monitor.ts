// The generator watches itself (RELIABILITY.md, "the generator must not lie"): every tick it
// records CPU, run-queue wait and memory of this Node process and of every browser process tree,
// machine CPU and memory, event-loop delay, each thread's heap and GC pauses (./thread-health.ts),
// and — when the target offers Prometheus /metrics — the target's own figures; and it feeds the
// saturation judge (./saturation.ts says the rule).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { MetricName } from '../../metrics/catalogue.ts';
import type { MetricsRecorder, RunEvent } from '../../metrics/types.ts';
import { processTree } from './process-tree.ts';
import { gcKinds, GcWatch, type OtherThreads } from './thread-health.ts';
import { LoadSampler, type TickMeasurement } from './load-sampler.ts';
import { defaultSaturationLimits, SaturationJudge, type LoadFigures, type SaturationLimits } from './saturation.ts';
import { createTargetScraper, type TargetScraper } from './target-scrape.ts';

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
  /** the operator named targetMetricsUrl (--target-metrics): keep asking even when the first read fails */
  readonly targetMetricsExplicit?: boolean;
  /** limits of the saturation rule (./saturation.ts); unset ones take the defaults */
  readonly saturation?: Partial<SaturationLimits>;
  /**
   * True while the generator is starting up (a browser launching, and a few seconds after):
   * samples taken then are reported as the start-up burst and not judged. Asked once per tick.
   */
  readonly isStartingUp?: () => boolean;
  /** the fleet's other threads (protocol workers) since the last tick: worst event-loop delay, heaps, GC pauses; undefined without workers */
  readonly otherThreads?: () => OtherThreads | undefined;
  readonly onEvent: (event: RunEvent) => void;
}

/** The judge's figures (./saturation.ts LoadFigures: generator CPU, machine CPU beside it, CPU wait and starvation, the start-up burst) and the verdict on them. */
export interface GeneratorHealthReport extends Omit<LoadFigures, 'loadSamples'> {
  readonly saturated: boolean;
  readonly reasons: readonly string[];
  readonly memoryMaxMb: number;
  readonly eventLoopDelayP99Ms: number;
  readonly targetScrapeFailures: number;
  readonly samples: number;
}

export interface ResourceMonitor {
  stop(): Promise<void>;
  health(): GeneratorHealthReport;
}

export function startResourceMonitor(options: ResourceMonitorOptions): ResourceMonitor {
  return new RunningMonitor(options);
}

/** Ticks every intervalMs (never overlapping: a slow tick skips the next one) until stopped. */
class RunningMonitor implements ResourceMonitor {
  readonly #options: ResourceMonitorOptions;
  readonly #judge: SaturationJudge;
  readonly #scraper: TargetScraper | undefined;
  readonly #sampler: LoadSampler;
  /** event-loop delay per tick (the gauge) and over the whole run (health) */
  readonly #loopInterval = monitorEventLoopDelay({ resolution: 10 });
  readonly #loopRun = monitorEventLoopDelay({ resolution: 10 });
  /** this (the main) thread's GC pauses; the workers watch their own */
  readonly #gc = new GcWatch().start();
  readonly #timer: NodeJS.Timeout;
  #memoryMaxMb = 0;
  #samples = 0;
  #stopped = false;
  #running: Promise<void> | undefined;

  constructor(options: ResourceMonitorOptions) {
    this.#options = options;
    const intervalMs = options.intervalMs ?? 2000;
    this.#judge = new SaturationJudge({ ...defaultSaturationLimits, ...definedOnly(options.saturation ?? {}) });
    this.#scraper = options.targetMetricsUrl ? createTargetScraper(options.targetMetricsUrl, Math.min(1500, intervalMs), (m, v) => this.#record(m, v), options.onEvent, { explicit: options.targetMetricsExplicit ?? false }) : undefined;
    this.#loopInterval.enable();
    this.#loopRun.enable();
    this.#sampler = new LoadSampler(() => this.#browserTreePids());
    this.#timer = setInterval(() => this.#startTick(), intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#running;
    this.#loopInterval.disable();
    this.#loopRun.disable();
    this.#gc.stop();
  }

  health(): GeneratorHealthReport {
    const { loadSamples: _, ...figures } = this.#judge.figures();
    return {
      saturated: this.#judge.saturated,
      reasons: this.#judge.findings.map((f) => f.message),
      ...figures,
      memoryMaxMb: this.#memoryMaxMb,
      eventLoopDelayP99Ms: this.#loopRun.count > 0 ? this.#loopRun.percentile(99) / 1e6 : 0,
      targetScrapeFailures: this.#scraper?.failures ?? 0,
      samples: this.#samples,
    };
  }

  #startTick(): void {
    if (this.#running || this.#stopped) return;
    this.#running = this.#tick()
      .catch((err) => this.#options.onEvent({ timeMs: Date.now(), type: 'warning', reason: 'resource_monitor', message: `resource monitor sample failed: ${String(err)}` }))
      .finally(() => (this.#running = undefined));
  }

  /** Measures, records the gauges, and lets the judge see the sample. */
  async #tick(): Promise<void> {
    const startingUp = this.#options.isStartingUp?.() ?? false;
    const [measured] = await Promise.all([this.#sampler.measure(startingUp), this.#scraper?.scrape()]);
    // the generator is as late as its latest thread: worker threads' users time their steps too
    const others = this.#options.otherThreads?.();
    const loopP99Ms = Math.max(this.#loopInterval.percentile(99) / 1e6, others?.loopP99Ms ?? 0);
    const m = { ...measured, sample: { ...measured.sample, eventLoopP99Ms: loopP99Ms } };
    this.#recordGauges(m);
    this.#recordThreads(others);
    this.#samples++;
    this.#memoryMaxMb = Math.max(this.#memoryMaxMb, m.memoryMb);
    for (const finding of this.#judge.add(m.sample)) {
      this.#options.onEvent({ timeMs: Date.now(), type: 'saturation', reason: finding.reason, message: finding.message, data: finding.data });
    }
  }

  #recordGauges(m: TickMeasurement): void {
    const rec = (name: MetricName, v: number) => this.#record(name, v);
    rec('generator.cpu_pct', m.sample.generatorCpuPct);
    rec('generator.node_cpu_pct', m.nodeCpuPct);
    rec('generator.browser_cpu_pct', m.browserCpuPct);
    rec('generator.cpu_wait_pct', m.sample.cpuWaitPct);
    rec('generator.cpu_starved_pct', m.sample.cpuStarvedPct);
    rec('generator.memory_mb', m.memoryMb);
    rec('generator.node_heap_mb', m.nodeHeapMb);
    rec('generator.system_cpu_pct', m.sample.machineCpuPct);
    rec('generator.system_memory_pct', m.machineMemoryPct);
    rec('generator.browsers', this.#options.browserPids().length);
    rec('generator.event_loop_delay_ms', m.sample.eventLoopP99Ms);
    this.#loopInterval.reset();
  }

  /** The workers' heaps (summed) and the longest GC pause of each kind on the main thread and on the workers. */
  #recordThreads(others: OtherThreads | undefined): void {
    if (others?.heapMb !== undefined) this.#record('generator.worker_heap_mb', others.heapMb);
    const record = (thread: 'main' | 'worker', pauses: Partial<Record<string, number>>): void => {
      for (const kind of gcKinds) {
        const ms = pauses[kind];
        if (ms !== undefined && Number.isFinite(ms)) this.#options.recorder.record('generator.gc_pause_ms', ms, { kind, thread });
      }
    };
    record('main', this.#gc.take());
    if (others) record('worker', others.gc);
  }

  /** figures that could not be read (NaN) are left out rather than recorded */
  #record(name: MetricName, v: number): void {
    if (Number.isFinite(v)) this.#options.recorder.record(name, v);
  }

  /** the browsers' and extra processes' pids now (whole trees; never this Node process, counted apart) */
  #browserTreePids(): Set<number> {
    const o = this.#options;
    const pids = new Set<number>();
    for (const root of [...o.browserPids(), ...(o.extraPids?.() ?? [])]) for (const pid of processTree(root)) pids.add(pid);
    pids.delete(process.pid);
    return pids;
  }
}

/** The keys of a partial whose value is set (so `{ cpuPercent: undefined }` keeps the default). */
function definedOnly<T extends object>(partial: Partial<T>): Partial<T> {
  return Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) as Partial<T>;
}
