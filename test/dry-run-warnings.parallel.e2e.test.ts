// What the dry run warns about before a long run is wasted (issue 19, item 6): a plan threshold on
// a metric no journey of the plan records fails as "no data" at the very end. Through the real
// command, dry runs only (nothing starts). Every case at once (describe.concurrent): each writes its
// own plan file and results folder, and none asserts a time.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { runCli } from './helpers/cli.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'waddle-fleet-dry-warnings-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.concurrent('the dry run', () => {
  it('warns about thresholds on metrics no journey of the plan records, and only those', async ({ expect }) => {
    await writeFile(join(dir, 'unfed.ts'), `import { definePlan } from 'waddle-fleet';
export default definePlan({
  name: 'unfed',
  phases: [{ name: 'steady', targetUsers: 4, rampUp: '1s', duration: '1m', scenarios: [{ journey: 'chatMessaging', driver: 'protocol', users: 4 }] }],
  thresholds: {
    'chat.delivery_ms': ['p(95)<1000'],
    'upload.bytes{driver:protocol}': ['count>0'],
    'webrtc.fps': ['p(50)>10'],
    'voice.join_ms': [{ threshold: 'p(95)<2000', optional: true }],
    'generator.cpu_pct': ['value<90'],
  },
});
`);
    const r = await runCli(['run', join(dir, 'unfed.ts'), '--dry-run'], { cwd: dir });
    expect(r.code).toBe(0);
    const warnings = r.stdout.split('\n').filter((l) => /WARNING: threshold /.test(l));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/threshold upload\.bytes\{driver:protocol\}: no journey of this plan \(chatMessaging\) records upload\.bytes, so it will fail as no data/);
    expect(warnings[1]).toMatch(/threshold webrtc\.fps: .*records webrtc\.fps \(webrtc\.\* comes from call journeys on a driver with media: browser or protocolMedia/);
  });

  it('shortens durations on their own with --duration-scale, and says when --raw-samples auto turns raw samples off', async ({ expect }) => {
    const r = await runCli(['run', 'stress', '--scale', '0.12', '--duration-scale', '0.01', '--dry-run'], { cwd: dir });
    // stress lasts 95 min; × 0.01 is 57 s, whatever --scale did to the users (--scale-durations would keep 95 min × 0.12)
    expect(r.stdout).toMatch(/total 57s \+ up to 30s graceful stop/);
    expect(r.stdout).toMatch(/raw samples: off \(--raw-samples auto: \d{4} protocol users at peak is more than 1,000; .*--raw-samples on writes them anyway\)/);
    const both = await runCli(['run', 'stress', '--scale', '0.01', '--duration-scale', '0.01', '--scale-durations', '--dry-run'], { cwd: dir });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--duration-scale 0\.01 and --scale-durations both set how long phases last: give one/);
  });
});

describe.concurrent('the estimate at scale', () => {
  it('prices chat fan-out and warns when one channel holds hundreds of chatters (1,000 protocol chatters + 2 browsers, channelSize 0)', async ({ expect }) => {
    await writeFile(join(dir, 'crowd.ts'), `import { definePlan } from 'waddle-fleet';
export default definePlan({ name: 'crowd', phases: [{ name: 'p', targetUsers: 1002, rampUp: '30s', duration: '1m', scenarios: [
  { journey: 'chatMessaging', driver: 'protocol', users: 1000, params: { intervalMs: 2000 } },
  { journey: 'chatMessaging', users: 2, params: { intervalMs: 2000 } },
] }] });
`);
    const crowd = await runCli(['run', join(dir, 'crowd.ts'), '--dry-run', '--calibration', join(dir, 'none.json')], { cwd: dir });
    // 1,002 chatters at 0.5 messages/s, each message to the 1,001 others
    expect(crowd.stdout).toMatch(/chat fan-out at peak: ~501 messages\/s sent, ~501,501 deliveries\/s to other members .*the largest channel holds 1002 chatters/);
    expect(crowd.stdout).toMatch(/^protocol users: 1000 at peak on the main thread \(--protocol-workers auto: /m);
    expect(crowd.stdout).toMatch(/WARNING: 1002 chatters share one text channel \(chatMessaging \(protocol\) channelSize 0, chatMessaging channelSize 0\): .*spread them with params\.channelSize/);
    await writeFile(join(dir, 'spread.ts'), (await readFile(join(dir, 'crowd.ts'), 'utf8')).replace("params: { intervalMs: 2000 } },\n  {", "params: { intervalMs: 2000, channelSize: 50 } },\n  {"));
    const spread = await runCli(['run', join(dir, 'spread.ts'), '--dry-run', '--calibration', join(dir, 'none.json')], { cwd: dir });
    expect(spread.stdout).toMatch(/the largest channel holds 52 chatters/);
    expect(spread.stdout).not.toMatch(/share one text channel/);
  });

  it('without a calibration prices stress by measured figures with a margin: never fewer workers than the calibration said (4)', async ({ expect }) => {
    const r = await runCli(['run', 'stress', '--dry-run', '--calibration', join(dir, 'none.json')], { cwd: dir });
    const workers = Number(/workers needed: (\d+) of 2 cores/.exec(r.stdout)?.[1]);
    expect(workers).toBeGreaterThanOrEqual(4);
    expect(r.stdout).toMatch(/default figures, not measured on this machine/);
    // the threads of this process are not the workers (machines) above
    expect(r.stdout).toMatch(/^protocol users: \d+ at peak on [2-4] worker threads of this process \(--protocol-workers auto: .*"workers needed" counts machines\)$/m);
  });
});

describe.concurrent('the dry run\'s figures', () => {
  it('volume: the peak equals the busiest phase (706, was 707 as one lane ramped down while another ramped up), and "~1 browser"', async ({ expect }) => {
    const r = await runCli(['run', 'volume', '--dry-run', '--calibration', join(dir, 'none.json')], { cwd: dir });
    const busiest = Math.max(...[...r.stdout.matchAll(/^ {2}(?:Seed|Volume) .* (\d+)$/gm)].map((m) => Number(m[1])));
    expect(busiest).toBe(706);
    expect(r.stdout).toMatch(/peak 706 concurrent/);
    expect(r.stdout).toMatch(/browser users in ~1 browser, /);
  });
});

describe.concurrent('--raw-samples', () => {
  it('off writes no raw sample, while the default (auto, a small plan) writes them', async ({ expect }) => {
    await writeFile(join(dir, 'tiny.ts'), `import { definePlan } from 'waddle-fleet';
export default definePlan({ name: 'tiny', phases: [{ name: 'p', targetUsers: 1, rampUp: '0s', duration: '2s', scenarios: [{ journey: 'chatMessaging', driver: 'protocol', users: 1, params: { count: 2, intervalMs: 300, receiveMs: 300 } }] }] });
`);
    const samplesOf = async (flags: string[]): Promise<number> => {
      const results = join(dir, `results-${flags.join('') || 'auto'}`);
      const r = await runCli(['run', join(dir, 'tiny.ts'), '--results', results, '--no-progress', '--no-report', ...flags], { cwd: dir });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const [run] = (await readdir(results)).filter((d) => d !== 'latest');
      const text = await readFile(join(results, run!, 'samples.ndjson'), 'utf8').catch(() => '');
      return text.split('\n').filter(Boolean).length;
    };
    // the two runs side by side: each its own results folder, and nothing here is a timing
    const [auto, off] = await Promise.all([samplesOf([]), samplesOf(['--raw-samples', 'off'])]);
    expect(auto).toBeGreaterThan(10);
    expect(off).toBe(0);
  });
});
