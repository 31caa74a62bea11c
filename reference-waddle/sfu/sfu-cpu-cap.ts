// The reference Waddle's hold on its Janus's CPU limit (cpu-limit.ts): made on the first cap
// (at start with options.sfuCpuLimit, or later by setSfuCpuLimit, which tests use to switch the
// cause on mid-run), read by the metrics (waddle_sfu_cpu_limit_pct, waddle_sfu_cpu_throttled_pct)
// and removed after Janus stops.
import { limitCpu, type CpuLimit } from './cpu-limit.ts';
import type { JanusProcess } from './janus-process.ts';

export class SfuCpuCap {
  private limit: CpuLimit | undefined;
  private last: { periods: number; throttledPeriods: number } | undefined;

  constructor(private readonly janus: JanusProcess | undefined) {}

  /** the cap in cores, or undefined */
  get cores(): number | undefined {
    return this.limit?.cores;
  }

  async set(cores: number | undefined): Promise<void> {
    if (!this.janus) throw new Error('setSfuCpuLimit: this reference Waddle runs calls in mesh mode; start it with media: "sfu"');
    if (this.limit) await this.limit.set(cores);
    else if (cores !== undefined) this.limit = await limitCpu(this.janus.pid, cores);
  }

  /** % of the CFS periods since the last call in which the kernel throttled Janus (0 without a cap) */
  async throttledPct(): Promise<number> {
    if (!this.limit) return 0;
    const now = await this.limit.throttling();
    const before = this.last ?? { periods: 0, throttledPeriods: 0 };
    this.last = now;
    const periods = now.periods - before.periods;
    return periods > 0 ? ((now.throttledPeriods - before.throttledPeriods) / periods) * 100 : 0;
  }

  async remove(): Promise<void> {
    await this.limit?.remove();
  }
}
