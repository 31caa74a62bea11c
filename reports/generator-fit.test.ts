import { describe, expect, it } from 'vitest';
import type { GeneratorHealth } from '../metrics/run-summary.ts';
import { generatorFit } from './generator-fit.ts';

const health = (over: Partial<GeneratorHealth>): GeneratorHealth => ({
  saturated: false, reasons: [], cpuPercentP95: 50, cpuPercentMax: 60, memoryMaxMb: 900, eventLoopDelayP99Ms: 20,
  videoCpuLimitedShare: 0, browserCrashes: 0, browserRelaunches: 0, cpuStarvedPercentP95: 0, ...over,
});

describe('generator fit: advice that changes something', () => {
  it('the demo on 2 cores (issue 19: p95 93.6%, starved 2.4%): 2 workers or a smaller scale, never --max-browsers', () => {
    const fit = generatorFit({ shard: '1/1', generator: health({ saturated: true, cpuPercentP95: 93.6, cpuStarvedPercentP95: 2.4 }) })!;
    expect(fit).toMatchObject({ starved: false, workers: 2, scale: 0.85 });
    expect(fit.advice).toContain('--shard 1/2 … 2/2');
    expect(fit.advice).toContain('--scale 0.85');
    expect(fit.advice).not.toContain('--max-browsers');
  });

  it('a load that read 100%: "at least", and a shard of 3 multiplies the workers', () => {
    const fit = generatorFit({ shard: '2/3', generator: health({ saturated: true, cpuPercentP95: 100 }) })!;
    expect(fit.workers).toBe(6);
    expect(fit.advice).toMatch(/needs at least 6 workers .* in each of 3 shards/);
  });

  it('a generator starved by other work while its own CPU was low: rerun alone, no sharding', () => {
    const fit = generatorFit({ shard: '1/1', generator: health({ saturated: true, cpuPercentP95: 40, cpuStarvedPercentP95: 70 }) })!;
    expect(fit.starved).toBe(true);
    expect(fit.advice).toMatch(/machine without other work/);
    expect(fit.advice).not.toMatch(/--shard 1\//);
  });

  it('says nothing for a generator at or under 80% of the machine that was not starved', () => {
    expect(generatorFit({ shard: '1/1', generator: health({ cpuPercentP95: 80 }) })).toBeUndefined();
  });
});
