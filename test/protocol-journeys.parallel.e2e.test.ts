// The six seed journeys on protocol users, through the real command against the reference Waddle:
// the same journeys the browser driver runs (test/smoke.e2e.test.ts), on the protocol driver, pass
// the built-in gate; and spread over worker threads, every count adds up exactly in the one summary,
// and each thread's heap and GC pauses reach the run's intervals (fleet/monitor/thread-health.ts).
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { RunSummary } from '../metrics/run-summary.ts';
import type { IntervalSnapshot, SeriesAggregate } from '../metrics/types.ts';
import { runCli } from './helpers/cli.ts';

let dir: string;

const plan = `import { definePlan } from 'waddle-fleet';
const call = { room: -1, roomSize: 2 };
export default definePlan({
  name: 'protocol-journeys',
  phases: [{ name: 'all', targetUsers: 16, rampUp: '3s', duration: '20s', scenarios: [
    { journey: 'voiceCall', driver: 'protocol', users: 2, params: { ...call, talkMs: 4000, speakSegmentMs: 1000, remoteMediaTimeoutMs: 10000 } },
    { journey: 'videoCall', driver: 'protocol', users: 2, params: { ...call, holdMs: 3000, remoteMediaTimeoutMs: 10000 } },
    { journey: 'screenShare', driver: 'protocol', users: 2, params: { ...call, holdMs: 3000 } },
    { journey: 'chatMessaging', driver: 'protocol', users: 6, params: { count: 5, intervalMs: 800, receiveMs: 2000, channelSize: 3 } },
    { journey: 'fileUpload', driver: 'protocol', users: 2, params: { sizeBytes: 300000 } },
    { journey: 'mixedUsage', driver: 'protocol', users: 2, params: { ...call, messageCount: 3, messageIntervalMs: 800, waitMs: 2000, remoteMediaTimeoutMs: 10000, reactProbability: 1 } },
  ] }],
  gracefulStop: '15s',
  thresholds: { 'chat.delivery_ms{driver:protocol}': ['count>0'], 'upload.bytes': ['count>0'], 'download.verify_errors': ['rate==0'], 'reactions.sent': ['count>0'] },
});
`;

async function runFolder(results: string): Promise<string> {
  const [run] = (await readdir(results)).filter((d) => d !== 'latest');
  return join(results, run!);
}

async function summaryOf(results: string): Promise<RunSummary> {
  return JSON.parse(await readFile(join(await runFolder(results), 'summary.json'), 'utf8')) as RunSummary;
}

/** Every interval series of a metric in the run folder. */
async function seriesOf(results: string, metric: string): Promise<SeriesAggregate[]> {
  const lines = (await readFile(join(await runFolder(results), 'intervals.ndjson'), 'utf8')).trim().split('\n');
  return lines.flatMap((line) => (JSON.parse(line) as IntervalSnapshot).series.filter((a) => a.metric === metric && a.count > 0));
}

const total = (s: RunSummary, metric: string) => s.metrics.find((m) => m.metric === metric);

beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'waddle-fleet-protocol-journeys-'));
  await writeFile(join(dir, 'plan.ts'), plan);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the seed journeys on protocol users', () => {
  // the two runs side by side: each is its own process with its own target, and protocol users
  // are light (a run here costs a fraction of a core), so together they take the time of one
  it.concurrent.for([['on the main thread', '0'], ['over 2 worker threads', '2']] as const)('pass the built-in gate %s, every count adding up', async ([, workers], { expect }) => {
    const results = join(dir, `results-${workers}`);
    const r = await runCli(['run', join(dir, 'plan.ts'), '--results', results, '--no-progress', '--no-report', '--protocol-workers', workers], { cwd: dir });
    const s = await summaryOf(results);
    // a shared machine may saturate: then the verdict says so, and only so
    if (r.code === 4) expect(s.generator.saturated).toBe(true);
    else expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(s.users.started).toBe(16);
    expect(s.users.started).toBe(s.users.completed + s.users.failed + s.users.interrupted);
    for (const journey of ['voiceCall', 'videoCall', 'screenShare', 'chatMessaging', 'fileUpload', 'mixedUsage']) {
      expect(s.journeys[journey]?.completed, journey).toBeGreaterThanOrEqual(1);
    }
    expect(s.thresholds.filter((t) => !t.ok)).toEqual([]);
    // merged exactly: the messages counted sent equal the send steps that succeeded, wherever they ran
    const sends = s.steps.filter((st) => st.step === 'send_message').reduce((n, st) => n + st.count - st.errors, 0);
    expect(total(s, 'chat.messages_sent')?.sum).toBe(sends);
    expect(total(s, 'users.started')?.sum).toBe(16);
    expect(s.steps.every((st) => st.driver === 'protocol')).toBe(true);
    // each thread's own memory: the main thread's GC pauses always; the workers' heaps and pauses, from the workers
    const pauses = await seriesOf(results, 'generator.gc_pause_ms');
    expect(pauses.some((a) => a.tags.thread === 'main')).toBe(true);
    const heaps = await seriesOf(results, 'generator.worker_heap_mb');
    if (workers === '0') {
      expect(heaps).toEqual([]);
      expect(pauses.filter((a) => a.tags.thread === 'worker')).toEqual([]);
    } else {
      expect(Math.max(...heaps.map((a) => a.max))).toBeGreaterThan(2 * 5); // two workers' heaps, each above the few MB of a bare isolate
      expect(pauses.some((a) => a.tags.thread === 'worker' && a.tags.kind === 'minor' && a.max > 0)).toBe(true);
    }
  });
});
