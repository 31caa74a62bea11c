// Interop with real Chromium: one browser user (the reference web client in Debian's Chromium, its
// WebRTC probe) and one protocolMedia user (werift) in one mesh call, through the real command.
// The browser's probe must decode the protocolMedia user's VP8 (its only peer), and the protocolMedia
// user must receive the browser's audio and video.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunSummary } from '../metrics/run-summary.ts';
import { runCli } from './helpers/cli.ts';

let dir: string;

const plan = `import { definePlan } from 'waddle-fleet';
// both pinned to voice channel 0: one call of two
const call = { roomSize: 2, room: 0, holdMs: 15000, remoteMediaTimeoutMs: 30000 };
export default definePlan({
  name: 'protocol-media-browser',
  media: { camera: { width: 640, height: 360, fps: 15 } },
  phases: [{ name: 'call', targetUsers: 2, rampUp: '2s', duration: '10s', scenarios: [
    { journey: 'videoCall', driver: 'browser', users: 1, params: call },
    { journey: 'videoCall', driver: 'protocolMedia', users: 1, params: call },
  ] }],
  gracefulStop: '40s',
  thresholds: {
    'webrtc.fps{driver:browser,kind:video,direction:inbound}': ['p(50)>5'],
    'webrtc.frames{driver:browser,kind:video,direction:inbound}': ['count>30'],
    'webrtc.packets{driver:browser,kind:audio,direction:inbound}': ['count>100'],
    'webrtc.packets{driver:protocolMedia,kind:video,direction:inbound}': ['count>30'],
    'webrtc.packets{driver:protocolMedia,kind:audio,direction:inbound}': ['count>100'],
    'webrtc.fps{driver:protocolMedia,kind:video,direction:inbound}': ['p(50)>5'],
  },
});
`;

beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'waddle-fleet-protocol-media-browser-'));
  await writeFile(join(dir, 'plan.ts'), plan);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('a browser user and a protocolMedia user in one call decode and receive each other’s media', async () => {
  const results = join(dir, 'results');
  const r = await runCli(['run', join(dir, 'plan.ts'), '--results', results, '--no-progress', '--no-report'], { cwd: dir });
  const [runDir] = (await readdir(results)).filter((d) => d !== 'latest');
  const s = JSON.parse(await readFile(join(results, runDir!, 'summary.json'), 'utf8')) as RunSummary;
  const output = r.stdout + r.stderr;
  if (r.code === 4) expect(s.generator.saturated, output).toBe(true);
  else expect(r.code, output).toBe(0);
  expect(s.users.completed, output).toBe(2);
  expect(s.thresholds.filter((t) => !t.ok), output).toEqual([]);
}, 300_000);
