import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MetricsHub } from './hub.ts';
import { mergeRunFolders } from './merge.ts';
import type { RunSummary } from './run-summary.ts';
import { RunFolderSink, createRunFolder, writeSummary } from './sinks/run-folder.ts';
import { buildSummary } from './summary.ts';
import { evaluateThresholds, parseThresholds } from './thresholds.ts';
import { decideVerdict } from './verdict.ts';

let root = '';
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'waddle-merge-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const SPEC = { 'chat.delivery_ms': ['p(95)<2000', 'p(50)<300'], 'journey.errors': ['rate<0.05'] };

/** one shard: its own value range, so averaging shard percentiles would be visibly wrong */
async function writeShard(i: number, n: number, values: number[], status: RunSummary['status'] = 'complete', extra: Partial<Pick<RunSummary, 'blocked' | 'generator' | 'verdict'>> = {}): Promise<string> {
  const runId = `20260101-000000-smoke-abcd-shard${i}of${n}`;
  const dir = await createRunFolder(root, runId);
  let t = 1_700_000_000_000;
  const hub = new MetricsHub({ runId, shard: `${i}/${n}`, sinks: [new RunFolderSink(dir)], now: () => t });
  values.forEach((v, k) => {
    hub.record('chat.delivery_ms', v, { journey: 'chatMessaging' });
    hub.record('journey.errors', 0, { journey: 'chatMessaging' });
    if (k % 50 === 49) {
      t += 5000;
      hub.tick();
    }
  });
  await hub.close(Date.now() + 2000);
  const parsed = parseThresholds(SPEC);
  const thresholds = evaluateThresholds(parsed.thresholds, hub.totals());
  const users = { started: 10, completed: 10, failed: 0, interrupted: 0 };
  const verdict = decideVerdict({ interrupted: false, saturated: false, saturationReasons: [], thresholds, runCompleted: true, usersStarted: 10 });
  await writeSummary(dir, buildSummary({
    runId, shard: `${i}/${n}`, status, startedAtMs: 1_700_000_000_000, endedAtMs: t, target: 'http://127.0.0.1:1', plan: { name: 'smoke' }, phases: [],
    verdict, userCounts: users, journeyCounts: { chatMessaging: users }, totals: hub.totals(), thresholds, ...extra,
  }));
  return dir;
}

const range = (from: number, count: number, step: number) => Array.from({ length: count }, (_, k) => from + k * step);

describe('mergeRunFolders', () => {
  it('merges shards exactly: percentiles equal those of one histogram of all values; verdict from merged totals', async () => {
    const shards = [range(10, 200, 1), range(400, 100, 3), range(1000, 300, 2)];
    const dirs = await Promise.all(shards.map((v, k) => writeShard(k + 1, 3, v)));
    const { summary, missingShards, problems } = await mergeRunFolders(dirs, { expectedShards: 3 });
    expect(problems).toEqual([]);
    expect(missingShards).toEqual([]);
    const single = new MetricsHub({ runId: 'all', shard: '1/1', sinks: [] });
    for (const v of shards.flat()) single.record('chat.delivery_ms', v, { journey: 'chatMessaging' });
    const want = single.totalsByMetric()[0];
    const got = summary.metrics.find((m) => m.metric === 'chat.delivery_ms');
    expect(got).toMatchObject({ count: 600, p50: want?.p50, p90: want?.p90, p95: want?.p95, p99: want?.p99, min: 10, max: want?.max });
    expect(summary.users).toEqual({ started: 30, completed: 30, failed: 0, interrupted: 0 });
    expect(summary.journeys.chatMessaging?.started).toBe(30);
    expect(summary.runId).toBe('20260101-000000-smoke-abcd');
    expect(summary.status).toBe('complete');
    // p(50)<300 holds in shard 1 alone but fails on the merged data: the merge re-evaluates
    expect(summary.thresholds.map((t) => [t.expression, t.ok])).toEqual([['p(95)<2000', true], ['p(50)<300', false], ['rate<0.05', true]]);
    expect(summary.verdict).toMatchObject({ result: 'fail', exitCode: 3 });
  });

  it('a missing shard or a partial one makes the merged verdict inconclusive and is listed', async () => {
    const d1 = await writeShard(1, 3, range(10, 100, 1));
    const d2 = await writeShard(2, 3, range(10, 100, 1), 'partial');
    const { summary, missingShards } = await mergeRunFolders([d1, d2], { expectedShards: 3 });
    expect(missingShards).toEqual(['2/3 (status partial)', '3/3 (no run folder)']);
    expect(summary.verdict.result).toBe('inconclusive');
    expect(summary.verdict.exitCode).toBe(4);
    expect(summary.verdict.reasons[0]).toMatch(/shard\(s\) 2\/3 \(status partial\), 3\/3 \(no run folder\) did not report/);
    expect(summary.status).toBe('partial');
  });

  it('a shard stopped by abortOnFail fails the merged run; words alone in a reason do not', async () => {
    const stopped = { result: 'fail', exitCode: 3, reasons: ['the run was stopped early'], abortedBy: 'threshold journey.errors rate<0.05 failed' } as const;
    const d1 = await writeShard(1, 2, range(10, 50, 1), 'complete', { verdict: stopped });
    const d2 = await writeShard(2, 2, range(10, 50, 1));
    const merged = (await mergeRunFolders([d1, d2], { expectedShards: 2 })).summary.verdict;
    expect(merged).toMatchObject({ result: 'fail', exitCode: 3, abortedBy: 'shard 1/2: threshold journey.errors rate<0.05 failed' });
    // a journey of the plan's own may be called anything: its name in a sentence is no abortOnFail stop
    const named = { result: 'pass', exitCode: 0, reasons: ['threshold step.errors{journey:abortOnFailDemo} rate<0.5 held'] } as const;
    const d3 = await writeShard(1, 2, range(10, 50, 1), 'complete', { verdict: named });
    const d4 = await writeShard(2, 2, range(10, 50, 1));
    const clean = (await mergeRunFolders([d3, d4], { expectedShards: 2 })).summary.verdict;
    expect(clean).toMatchObject({ result: 'pass', exitCode: 0 });
    expect(clean.abortedBy).toBeUndefined();
  });

  it("adds up the shards' blocked traffic and keeps the worst shard's machine figures", async () => {
    const blocked = (host: string, n: number) => ({ total: n, byHost: { [host]: n, 'cdn.example:443': 1 }, byKind: { request: n }, examples: [`request https://${host}/`], browser: { total: 1, byHost: { 'update.example:443': 1 }, examples: [] } });
    const d1 = await writeShard(1, 2, range(10, 50, 1), 'complete', { blocked: blocked('a.example:443', 3), generator: { machineCpuPercentP95: 40, cpuStarvedPercentP95: 2, startupMs: 900, browser: { executable: '/usr/lib/chromium/chromium-headless-shell', frameRate: 4 } } as RunSummary['generator'] });
    const d2 = await writeShard(2, 2, range(10, 50, 1), 'complete', { blocked: blocked('b.example:80', 4), generator: { machineCpuPercentP95: 70, cpuStarvedPercentP95: 1, startupMs: 400 } as RunSummary['generator'] });
    const { summary } = await mergeRunFolders([d1, d2], { expectedShards: 2 });
    expect(summary.blocked).toMatchObject({ total: 7, byHost: { 'a.example:443': 3, 'b.example:80': 4, 'cdn.example:443': 2 }, byKind: { request: 7 }, browser: { total: 2 } });
    expect(summary.blocked?.examples).toHaveLength(2);
    expect(summary.generator).toMatchObject({ machineCpuPercentP95: 70, cpuStarvedPercentP95: 2, startupMs: 900 });
    // the browser and its frame rate (the shard that had browser users says which)
    expect(summary.generator.browser).toEqual({ executable: '/usr/lib/chromium/chromium-headless-shell', frameRate: 4 });
  });
});
