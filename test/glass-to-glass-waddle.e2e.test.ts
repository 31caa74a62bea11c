// Glass-to-glass and the quality score on the reference Waddle through the real command: two
// browser users in a 1:1 videoCall, twice. Every figure is there, with the users' tags,
// plausible, and close between the two runs; a plan threshold on them decides the exit code.
// The plan's threshold on media.video_e2e_ms is what turns the camera stamp on (--media-marks auto).
// For issue 16's delay check once the impairing relay lands: the same plan with one user's
// network { down: { delayMs: 100 } } beside an unimpaired run in the same test, and compare p50s
// per network tag: media.video_e2e_ms and media.audio_e2e_ms +100 ± 20 ms. On a loaded machine
// compare them net of webrtc.jitter_buffer_ms{kind,direction:inbound} (NetEq and the video
// buffer adapt to load), as test/glass-to-glass.e2e.test.ts does for jitterBufferTarget.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../metrics/run-summary.ts';
import { runCli } from './helpers/cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'waddle-fleet-g2g-'));
  await writeFile(
    join(dir, 'g2g.ts'),
    `import { definePlan } from 'waddle-fleet';
export default definePlan({
  name: 'g2g',
  phases: [{ name: 'call', targetUsers: 2, rampUp: '1s', duration: '17s', scenarios: [
    { journey: 'videoCall', users: 2, params: { roomSize: 2, holdMs: 14_000 } },
  ] }],
  media: { camera: { width: 640, height: 360, fps: 15 } },
  thresholds: {
    // plausible: tens to ~200 ms on a quiet machine; NetEq alone held 213 ms at load average 20
    'media.video_e2e_ms{stage:displayed}': ['p(50)>5', 'p(50)<400'],
    'media.audio_e2e_ms': ['p(50)>5', 'p(50)<400'],
    'media.video_psnr_db': ['p(50)>30'],
    'media.video_ssim': ['p(50)>0.9'],
    // read back as observed p50s: e2e besides the receiver's jitter buffer, which adapts to load
    'webrtc.jitter_buffer_ms{kind:video,direction:inbound}': ['p(50)>=0'],
    'webrtc.jitter_buffer_ms{kind:audio,direction:inbound}': ['p(50)>=0'],
  },
  gracefulStop: '20s',
});
`,
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(name: string): Promise<RunSummary> {
  const results = join(dir, name);
  const r = await runCli(['run', join(dir, 'g2g.ts'), '--results', results, '--no-progress', '--no-report'], { cwd: dir });
  const runs = (await readdir(results)).filter((d) => d !== 'latest');
  const summary = JSON.parse(await readFile(join(results, runs[0]!, 'summary.json'), 'utf8')) as RunSummary;
  // this machine is shared: a run the generator calls saturated by OTHER processes is exit 4 with
  // the same figures; every threshold must still have held
  if (r.code === 4) expect(r.stdout + r.stderr).toMatch(/saturated/);
  else expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  expect(summary.thresholds.filter((t) => !t.ok), `${r.stdout}`).toEqual([]);
  return summary;
}

describe('glass-to-glass on the reference Waddle, through waddle-fleet run', () => {
  it('a 1:1 videoCall has video and audio e2e and a quality score, plausible and stable over two runs', async () => {
    const a = await run('a');
    const b = await run('b');
    const p50 = (s: RunSummary, metric: string) => s.metrics.find((m) => m.metric === metric)?.p50 ?? NaN;
    const figures = Object.fromEntries(['media.video_e2e_ms', 'media.audio_e2e_ms', 'media.video_psnr_db', 'media.video_ssim'].map((m) => [m, [p50(a, m), p50(b, m)]]));
    console.log(`reference Waddle glass-to-glass p50, run a and b: ${JSON.stringify(figures)}`);
    for (const s of [a, b]) {
      const video = s.metrics.find((m) => m.metric === 'media.video_e2e_ms');
      // ~12 s of call (a 14 s hold, 20 s until the suite's time: issue 18), 2 receivers: video read
      // 4 times a second (~96), a tone burst every 2 s (~12), a quality score every 5 s (4-6)
      expect(video?.count ?? 0, JSON.stringify(video)).toBeGreaterThan(50);
      expect(s.metrics.find((m) => m.metric === 'media.audio_e2e_ms')?.count ?? 0).toBeGreaterThan(8);
      expect(s.metrics.find((m) => m.metric === 'media.video_psnr_db')?.count ?? 0).toBeGreaterThan(2);
    }
    // stable: the delay besides the jitter buffer (NetEq grows its buffer when a loaded generator
    // delivers late: +100 ms of audio measured at load average 19 on 2 cores), video within one
    // frame interval of the camera (a frame held once more anywhere between capture and display
    // moves the p50 by a whole interval: 14-34 ms apart at load 16-20, then 41.5 ms in a clean-clone
    // CI with both jitter buffers at 7-8 ms), audio within 70 (26 vs 69 and 22 vs 79 ms measured at
    // load average 17-20; ~10 bursts a run)
    const jb = (s: RunSummary, kind: string) => s.thresholds.find((t) => t.metric === `webrtc.jitter_buffer_ms{kind:${kind},direction:inbound}`)?.observed ?? NaN;
    const rest = (s: RunSummary, kind: 'video' | 'audio') => p50(s, `media.${kind}_e2e_ms`) - jb(s, kind);
    const why = JSON.stringify({ figures, jitterBuffer: { video: [jb(a, 'video'), jb(b, 'video')], audio: [jb(a, 'audio'), jb(b, 'audio')] } });
    console.log(`and their jitter buffers: ${why}`);
    const frameMs = 1000 / 15; // the plan's camera fps
    expect(Math.abs(rest(a, 'video') - rest(b, 'video')), why).toBeLessThan(frameMs);
    expect(Math.abs(rest(a, 'audio') - rest(b, 'audio')), why).toBeLessThan(70);
  }, 240_000);
});
