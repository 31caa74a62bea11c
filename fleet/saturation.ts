// When is the load generator saturated? (RELIABILITY.md: "a saturated generator is not a slow
// Waddle"; a saturated run's verdict is INCONCLUSIVE.)
//
// The rule judges the generator — this Node process plus every browser process tree — never the
// machine alone, and only while the load runs (samples taken while a browser starts are set apart):
//   1. generator CPU (node + browsers, % of the whole machine) above `cpuPercent` (--saturation-cpu,
//      default 85) for `windowMs` (10 s) → the generator itself used the machine up;
//   2. generator run-queue wait (the share of its threads' runnable time spent waiting for a CPU,
//      from /proc/<pid>/task/<tid>/schedstat) above `cpuWaitPercent` (default 60) for `windowMs`,
//      while those threads wanted at least `minDemandCores` (0.25) of a core → the generator was
//      starved, by other processes or by itself. A mostly idle generator cannot be starved of much,
//      hence the demand floor: its few wake-ups may queue behind a busy machine without harm.
// Samples taken while `startingUp` (browsers launching, and a few seconds after) neither count
// toward the window nor break it; their CPU maximum and duration are reported as the start-up burst.
// Whole-machine CPU is reported beside, never judged on its own: other work on the machine only
// matters when it takes CPU the generator wanted, and rule 2 measures exactly that.
// Limits come from measurements on 2 cores (fleet/resource-monitor.e2e.test.ts and the lead's
// report): a quiet 10-user chat run waits < 40% of its runnable time; a generator sharing 2 cores
// with 3 busy loops waits > 75%.

export interface SaturationLimits {
  /** generator CPU, % of the machine */
  readonly cpuPercent: number;
  /** share of the generator's runnable time spent waiting for a CPU, % */
  readonly cpuWaitPercent: number;
  /** rule 2 applies only when the generator's threads wanted at least this many cores (run + wait) / wall */
  readonly minDemandCores: number;
  /** how long a rule must hold, counted over samples under load only */
  readonly windowMs: number;
}

export const defaultSaturationLimits: SaturationLimits = { cpuPercent: 85, cpuWaitPercent: 60, minDemandCores: 0.25, windowMs: 10_000 };

/** One monitor sample: figures over the wall window that ends now. NaN where unknown. */
export interface LoadSample {
  readonly wallMs: number;
  /** node + browsers, % of the whole machine (the generator.cpu_pct gauge) */
  readonly generatorCpuPct: number;
  /** wait / (wait + run) of every generator thread, % (the generator.cpu_wait_pct gauge) */
  readonly cpuWaitPct: number;
  /** (run + wait) / wall of every generator thread: how many cores it wanted */
  readonly demandCores: number;
  /** the whole machine busy, % (the generator.system_cpu_pct gauge) */
  readonly machineCpuPct: number;
  readonly startingUp: boolean;
}

export interface SaturationFinding {
  readonly reason: 'generator_cpu' | 'generator_cpu_wait';
  readonly message: string;
  readonly data: Readonly<Record<string, number>>;
}

/** The figures generator health reports, all on one basis: samples under load, start-up apart. */
export interface LoadFigures {
  readonly cpuPercentP95: number;
  readonly cpuPercentMax: number;
  readonly machineCpuPercentP95: number;
  readonly cpuWaitPercentP95: number;
  readonly startupCpuPercentMax: number;
  readonly startupMs: number;
  /** samples under load (start-up samples excluded) */
  readonly loadSamples: number;
}

const MAX_KEPT = 100_000; // ~55 h of 2 s samples: bounded over soaks

/** Time a rule has held over consecutive samples under load. */
class Streak {
  private heldMs = 0;
  /** counts the sample toward the window; returns the time held so far (0 when it broke) */
  update(sample: LoadSample, above: boolean): number {
    if (sample.startingUp) return this.heldMs; // set apart: neither counts nor breaks
    this.heldMs = above ? this.heldMs + sample.wallMs : 0;
    return this.heldMs;
  }
}

function keep(values: number[], v: number): void {
  if (!Number.isFinite(v)) return;
  values.push(v);
  if (values.length > MAX_KEPT) values.splice(0, values.length - MAX_KEPT);
}

export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

const round = (v: number) => Math.round(v);

/** Feeds on monitor samples; each rule reports at most once per run. */
export class SaturationJudge {
  private readonly cpu: number[] = [];
  private readonly machine: number[] = [];
  private readonly wait: number[] = [];
  private readonly cpuStreak = new Streak();
  private readonly waitStreak = new Streak();
  private readonly found: SaturationFinding[] = [];
  private cpuMax = 0;
  private startupCpuMax = 0;
  private startupMs = 0;

  constructor(readonly limits: SaturationLimits = defaultSaturationLimits) {}

  get saturated(): boolean {
    return this.found.length > 0;
  }

  get findings(): readonly SaturationFinding[] {
    return this.found;
  }

  /** Judges one sample; returns the findings it newly raised. */
  add(sample: LoadSample): SaturationFinding[] {
    this.keepFigures(sample);
    const { cpuPercent, cpuWaitPercent, minDemandCores, windowMs } = this.limits;
    const fresh: SaturationFinding[] = [];
    const cpuHeldMs = this.cpuStreak.update(sample, sample.generatorCpuPct > cpuPercent);
    if (cpuHeldMs >= windowMs && !this.has('generator_cpu')) {
      fresh.push({
        reason: 'generator_cpu',
        message: `generator CPU (node + browsers) stayed above ${cpuPercent}% of the machine for ${round(cpuHeldMs / 1000)} s (now ${round(sample.generatorCpuPct)}%): the generator itself used the machine up, so results say more about it than about the target`,
        data: { cpuPercent: sample.generatorCpuPct, limit: cpuPercent, windowMs, heldMs: cpuHeldMs },
      });
    }
    const starved = sample.cpuWaitPct > cpuWaitPercent && sample.demandCores >= minDemandCores;
    const waitHeldMs = this.waitStreak.update(sample, starved);
    if (waitHeldMs >= windowMs && !this.has('generator_cpu_wait')) {
      const machine = Number.isFinite(sample.machineCpuPct) ? `, machine CPU ${round(sample.machineCpuPct)}%` : '';
      fresh.push({
        reason: 'generator_cpu_wait',
        message: `the generator's processes waited for a CPU ${round(sample.cpuWaitPct)}% of their runnable time, above ${cpuWaitPercent}% for ${round(waitHeldMs / 1000)} s (generator CPU ${round(sample.generatorCpuPct)}%${machine}): the generator was starved of CPU, so results say more about it than about the target`,
        data: { cpuWaitPercent: sample.cpuWaitPct, limit: cpuWaitPercent, generatorCpuPercent: sample.generatorCpuPct, machineCpuPercent: sample.machineCpuPct, windowMs, heldMs: waitHeldMs },
      });
    }
    this.found.push(...fresh);
    return fresh;
  }

  figures(): LoadFigures {
    return {
      cpuPercentP95: percentile(this.cpu, 95),
      cpuPercentMax: this.cpuMax,
      machineCpuPercentP95: percentile(this.machine, 95),
      cpuWaitPercentP95: percentile(this.wait, 95),
      startupCpuPercentMax: this.startupCpuMax,
      startupMs: this.startupMs,
      loadSamples: this.cpu.length,
    };
  }

  private has(reason: SaturationFinding['reason']): boolean {
    return this.found.some((f) => f.reason === reason);
  }

  private keepFigures(s: LoadSample): void {
    if (s.startingUp) {
      this.startupMs += s.wallMs;
      if (Number.isFinite(s.generatorCpuPct)) this.startupCpuMax = Math.max(this.startupCpuMax, s.generatorCpuPct);
      return;
    }
    keep(this.cpu, s.generatorCpuPct);
    keep(this.machine, s.machineCpuPct);
    keep(this.wait, s.cpuWaitPct);
    if (Number.isFinite(s.generatorCpuPct)) this.cpuMax = Math.max(this.cpuMax, s.generatorCpuPct);
  }
}
