// Reading a run's summary.json back in the tests that judge a run by its verdict and counts.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { RunSummary } from '../../metrics/run-summary.ts';

/** The one run's summary under a --results folder (exactly one run there). */
export async function summaryOf(resultsDir: string, expectOf: typeof expect = expect): Promise<RunSummary> {
  const runs = (await readdir(resultsDir)).filter((d) => d !== 'latest');
  expectOf(runs).toHaveLength(1);
  return JSON.parse(await readFile(join(resultsDir, runs[0]!, 'summary.json'), 'utf8')) as RunSummary;
}

/** Counts that add up whatever the verdict: started = completed + failed + interrupted, no NaN, no negative time. */
export function expectInvariants(s: RunSummary, expectOf: typeof expect = expect): void {
  expectOf(s.users.started).toBe(s.users.completed + s.users.failed + s.users.interrupted);
  for (const counts of Object.values(s.journeys)) expectOf(counts.started).toBe(counts.completed + counts.failed + counts.interrupted);
  const text = JSON.stringify(s);
  expectOf(text).not.toMatch(/NaN|Infinity/);
  for (const step of s.steps) for (const v of [step.p50, step.p95, step.p99, step.max]) expectOf(v).toBeGreaterThanOrEqual(0);
}
