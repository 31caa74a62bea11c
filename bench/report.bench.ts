// Report build cost for long runs: 1 h and 10 h of 5 s intervals with ~200 series each.
// Prints figures only (machines differ; no assertion on time). Run: node --import tsx bench/report.bench.ts
import { performance } from 'node:perf_hooks';
import { buildReportHtml } from '../reports/index.ts';
import { makeFixtureRun } from '../reports/testing/fixture-run.ts';

for (const hours of [1, 10]) {
  const intervalCount = (hours * 3600) / 5;
  const madeAt = performance.now();
  const run = makeFixtureRun({ intervalCount, valuesPerInterval: 3, extraSteps: 15, seed: hours });
  const seriesPerInterval = run.intervals[0]?.series.length ?? 0;
  const madeMs = performance.now() - madeAt;
  const heapBefore = process.memoryUsage().heapUsed;
  const builtAt = performance.now();
  const html = buildReportHtml(run);
  const buildMs = performance.now() - builtAt;
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
  console.log(`report bench: ${hours} h = ${intervalCount} intervals × ${seriesPerInterval} series → build ${buildMs.toFixed(0)} ms, ` +
    `report.html ${(Buffer.byteLength(html) / 1e6).toFixed(2)} MB, heap +${heapMb.toFixed(0)} MB (fixture generated in ${madeMs.toFixed(0)} ms)`);
}
