// What to do when the generator was saturated or ran hot, said from the run's own figures, so the
// advice always changes something. Two causes, two answers:
// - other processes held the CPU it waited for (starved): the plan fits, the machine was busy;
// - its own CPU was high: the plan is bigger than this machine. Shards split users evenly, so
//   ceil(p95 / 80%) workers of this size carry it (80%: the share the workers estimate loads a
//   worker to, fleet/calibration/workers-needed.ts), or one worker a scale of 80% / p95.
// Never "lower --max-browsers": for a given plan that only queues or refuses users (a plan that
// peaks above the contexts a worker holds is refused before load), it takes no CPU off a worker.
import type { RunSummary } from '../metrics/run-summary.ts';

const pct = (v: number) => `${v.toFixed(1)}%`;

/** the CPU share a worker is loaded to: fleet/calibration/workers-needed.ts's cpuLimitShare (reports/ may not import fleet/) */
const cpuLimitShare = 0.8;

/** starved: more of its runnable time waiting for others than this share (the judge's rule 2, fleet/monitor/saturation.ts) */
const STARVED_PCT = 50;

export interface GeneratorFit {
  /** the generator waited for CPU others held: rerun alone, not sharded */
  readonly starved: boolean;
  /** workers of this size the run's load needs at ≤80% CPU each (all shards together) */
  readonly workers: number;
  /** the --scale that fits one worker of this size (of the scale it ran at) */
  readonly scale: number;
  readonly advice: string;
}

/** Advice from the generator's own figures; undefined when it ran at or under 80% of the machine and was not starved. */
export function generatorFit(summary: Pick<RunSummary, 'generator' | 'shard'>): GeneratorFit | undefined {
  const g = summary.generator;
  const starvedPct = g.cpuStarvedPercentP95 ?? 0;
  const limitPct = cpuLimitShare * 100;
  const starved = starvedPct > STARVED_PCT && g.cpuPercentP95 <= limitPct;
  if (!starved && g.cpuPercentP95 <= limitPct) return undefined;
  const shards = Number(/\/(\d+)$/.exec(summary.shard ?? '')?.[1] ?? 1) || 1;
  // a saturated generator's CPU reads at most 100%: what it wanted may be more, so "at least"
  const perShard = Math.max(2, Math.ceil(g.cpuPercentP95 / limitPct));
  const workers = perShard * shards;
  const scale = Math.floor((limitPct / Math.max(g.cpuPercentP95, 1)) * 100) / 100;
  if (starved) {
    return { starved, workers: shards, scale: 1, advice:
      `Other processes held the CPU the generator waited for (starved ${pct(starvedPct)} of its runnable time; its own CPU p95 ${pct(g.cpuPercentP95)} of the machine): ` +
      'the plan fits this worker. Rerun on a machine without other work (or give the generator a CPU share of its own); sharding would not help.' };
  }
  const atLeast = g.cpuPercentP95 >= 95 ? 'at least ' : '';
  return { starved, workers, scale, advice:
    `This load needs ${atLeast}${workers} workers of this size by its own CPU (generator p95 ${pct(g.cpuPercentP95)} of this machine${shards > 1 ? ` in each of ${shards} shards` : ''}; ≤${limitPct}% each): ` +
    `run it as --shard 1/${workers} … ${workers}/${workers} with a shared --start-at (docker/compose.yaml or the Kubernetes Indexed Job), ` +
    `or on one worker with --scale ${scale} (relative to the scale this run had). Lighter fake media (the plan\u2019s media sizes) lowers each video user\u2019s cost too.` };
}
