// The generator's health, judged once, at the end: what the resource monitor saw (CPU, memory,
// event loop, saturation), plus two signs only the run knows — outbound video limited by CPU
// (qualityLimitationReason = cpu, a starved encoder) and a relaunch storm of browsers.
import type { GeneratorHealth } from '../../metrics/run-summary.ts';
import type { SeriesAggregate } from '../../metrics/types.ts';
import { videoCpuLimitedShare, videoCpuSaturationReason } from '../../metrics/verdict.ts';
import type { PoolStats } from '../pool/browser-pool.ts';
import type { GeneratorHealthReport } from './resource-monitor.ts';

/** Share of outbound video samples limited by CPU above which the generator counts as starved. */
export const videoCpuLimitedLimit = 0.3;

export interface GeneratorEvidence {
  readonly monitor?: GeneratorHealthReport;
  readonly totals: readonly SeriesAggregate[];
  readonly pool?: { readonly stats: PoolStats; readonly isFailing: boolean; readonly browser?: GeneratorHealth['browser'] };
}

export function judgeGenerator(evidence: GeneratorEvidence): GeneratorHealth {
  const m = evidence.monitor;
  const reasons = [...(m?.reasons ?? [])];
  const videoStarved = videoCpuSaturationReason(evidence.totals, videoCpuLimitedLimit);
  if (videoStarved) reasons.push(videoStarved);
  if (evidence.pool?.isFailing) reasons.push('browsers crashed and were relaunched too often: a generator fault, not a target fault');
  const { saturated: _saturated, reasons: _reasons, targetScrapeFailures: _scrape, samples: _samples, ...figures } = m ?? emptyMonitor;
  return {
    ...figures,
    saturated: reasons.length > 0,
    reasons,
    videoCpuLimitedShare: videoCpuLimitedShare(evidence.totals),
    browserCrashes: evidence.pool?.stats.crashes ?? 0,
    browserRelaunches: evidence.pool?.stats.relaunches ?? 0,
    ...(evidence.pool?.browser ? { browser: evidence.pool.browser } : {}),
  };
}

const emptyMonitor: GeneratorHealthReport = {
  saturated: false, reasons: [], cpuPercentP95: 0, cpuPercentMax: 0, machineCpuPercentP95: 0, cpuWaitPercentP95: 0, cpuStarvedPercentP95: 0,
  startupCpuPercentMax: 0, startupMs: 0, memoryMaxMb: 0, eventLoopDelayP99Ms: 0, targetScrapeFailures: 0, samples: 0,
};
