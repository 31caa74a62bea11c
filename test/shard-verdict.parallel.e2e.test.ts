// A shard judges what its slice measured; the merge judges the whole run. Two protocol-user shards
// through the real command (each with its own reference Waddle), then `waddle-fleet merge`:
// - shard 1 runs only the chatter and shard 2 only the uploader, so each shard's built-in gate
//   names only its own journey, and the plan's upload threshold has no data in shard 1;
// - the plan's count threshold is a total of the whole run, which no shard can judge alone.
// Before this, a shard of the hybrid stress plan failed on browser journeys it never ran (no data)
// and on the whole run's message count.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../metrics/run-summary.ts';
import { runCli } from './helpers/cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'waddle-fleet-shard-verdict-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const plan = `import { definePlan } from 'waddle-fleet';
export default definePlan({
  name: 'sliced',
  phases: [{ name: 'steady', targetUsers: 2, rampUp: '0s', duration: '6s', scenarios: [
    { journey: 'chatMessaging', driver: 'protocol', users: 1, params: { count: 3, intervalMs: 500, receiveMs: 500 } },
    { journey: 'fileUpload', driver: 'protocol', users: 1, params: { sizeBytes: 65536 } },
  ] }],
  gracefulStop: '10s',
  thresholds: {
    'upload.duration_ms{journey:fileUpload}': ['p(95)<30000'],
    'chat.messages_sent': ['count>100000'],
  },
});
`;

async function summaryIn(resultsDir: string): Promise<RunSummary> {
  const [run] = (await readdir(resultsDir)).filter((d) => d !== 'latest');
  return JSON.parse(await readFile(join(resultsDir, run!, 'summary.json'), 'utf8')) as RunSummary;
}

describe('thresholds of a sharded run', () => {
  it('a shard leaves totals and thresholds without data in its slice to the merge, which judges them on all shards', async () => {
    await writeFile(join(dir, 'sliced.ts'), plan);
    const shards = await Promise.all([1, 2].map(async (i) => {
      const results = join(dir, `shard${i}`);
      const r = await runCli(['run', join(dir, 'sliced.ts'), '--shard', `${i}/2`, '--results', results, '--no-progress', '--no-report'], { cwd: dir });
      return { r, results, summary: await summaryIn(results) };
    }));
    const [chat, upload] = shards;

    for (const { r } of shards) expect(r.code, r.stdout + r.stderr).toBe(0);
    // each shard's built-in gate names only the journey it ran
    const gated = (s: RunSummary) => s.thresholds.filter((t) => t.source === 'default').map((t) => t.metric);
    expect(gated(chat!.summary).every((m) => m.includes('journey:chatMessaging'))).toBe(true);
    expect(gated(upload!.summary).every((m) => m.includes('journey:fileUpload'))).toBe(true);
    // the upload threshold had no data in the chat shard, and the count is a total: both left to the merge
    const byMetric = (s: RunSummary, metric: string) => s.thresholds.find((t) => t.metric === metric);
    expect(byMetric(chat!.summary, 'upload.duration_ms{journey:fileUpload}')).toMatchObject({ noData: true, ok: true, deferred: true });
    expect(byMetric(chat!.summary, 'chat.messages_sent')).toMatchObject({ deferred: true, ok: true });
    expect(byMetric(upload!.summary, 'upload.duration_ms{journey:fileUpload}')).toMatchObject({ noData: false, ok: true });
    expect(byMetric(upload!.summary, 'upload.duration_ms{journey:fileUpload}')?.deferred).toBeUndefined();
    expect(chat!.r.stdout).toContain('left to merge');

    // the merge judges the whole run: the upload held, the message count did not
    const out = join(dir, 'merged');
    const merged = await runCli(['merge', ...shards.map((s) => join(s.results, 'latest')), '--shards', '2', '--out', out], { cwd: dir });
    expect(merged.code, merged.stdout + merged.stderr).toBe(3);
    const m = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as RunSummary;
    expect(m.thresholds.find((t) => t.metric === 'upload.duration_ms{journey:fileUpload}')).toMatchObject({ ok: true, noData: false });
    expect(m.thresholds.find((t) => t.metric === 'chat.messages_sent')).toMatchObject({ ok: false });
    expect(m.thresholds.some((t) => t.deferred)).toBe(false);
    expect(m.thresholds.filter((t) => t.source === 'default').map((t) => t.metric)).toEqual(expect.arrayContaining([
      'journey.errors{journey:chatMessaging,driver:protocol}', 'journey.errors{journey:fileUpload,driver:protocol}',
    ]));
  }, 120_000);
});
