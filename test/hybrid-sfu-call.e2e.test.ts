// Issue 17's hybrid call, through the real command: 2 browser users (the reference web client in
// Debian's Chromium) and 4 protocolMedia users (werift, pre-encoded VP8 + Opus) in ONE SFU room of
// the reference Waddle (started here, so the test can read its Janus's counters), the two
// scenarios sharing their rooms by roomGroup. Everyone sees remote video; the browsers' webrtc.*
// come from the SFU's streams (each page holds 1 publishing + 5 receiving connections: 12 open,
// where a mesh call of 6 would hold 2 × 5 = 10); each protocolMedia user received what Janus says
// it forwarded to it (its admin API's handle_info, read as each subscription ended).
// The same target then passes the standalone plan (protocolMedia only, rooms of 2), shortened.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../metrics/run-summary.ts';
import { findJanus } from '../reference-waddle/sfu/janus-process.ts';
import { startReferenceWaddle, type ReferenceWaddle } from '../reference-waddle/server.ts';
import { runCli } from './helpers/cli.ts';

const hybridPlan = `import { definePlan } from 'waddle-fleet';
const call = { roomGroup: 'hybrid', holdMs: 60000, remoteMediaTimeoutMs: 30000 };
export default definePlan({
  name: 'hybrid-sfu',
  media: { camera: { width: 320, height: 240, fps: 15 } },
  phases: [{ name: 'call', targetUsers: 6, rampUp: '2s', duration: '25s', scenarios: [
    { journey: 'videoCall', driver: 'browser', users: 2, params: { ...call, roomSize: 2 } },
    { journey: 'videoCall', driver: 'protocolMedia', users: 4, params: { ...call, roomSize: 4 } },
  ] }],
  // the hold ends with the phase (one iteration each, ~20 s of call after joining)
  gracefulStop: '20s',
  thresholds: {
    'webrtc.frames{driver:browser,kind:video,direction:inbound}': ['count>100'],
    'webrtc.frames{driver:protocolMedia,kind:video,direction:inbound}': ['count>100'],
  },
});
`;
// the standalone acceptance plan (60 s there: README), 20 s here with its count scaled
const standalonePlan = `import { definePlan } from 'waddle-fleet';
export default definePlan({
  name: 'protocol-media-sfu',
  phases: [{ name: 'call', targetUsers: 4, rampUp: '1s', duration: '20s', scenarios: [
    { journey: 'videoCall', driver: 'protocolMedia', users: 4, params: { roomSize: 2 } },
  ] }],
  thresholds: { 'webrtc.packets{driver:protocolMedia}': ['count>700'], 'webrtc.fps{driver:protocolMedia}': ['p(50)>10'] },
});
`;

interface Sample { metric: string; value: number; tags: Record<string, string> }
interface Event { type: string; tags?: Record<string, string>; data?: { vu?: number } }

const janusInstalled = !('problem' in findJanus());
let dir: string;
let waddle: ReferenceWaddle;

async function run(name: string, plan: string): Promise<{ code: number | null; output: string; folder: string; summary: RunSummary }> {
  await writeFile(join(dir, `${name}.ts`), plan);
  const results = join(dir, `results-${name}`);
  const r = await runCli(['run', join(dir, `${name}.ts`), '--target', waddle.url, '--results', results, '--no-progress', '--no-report', '--seed', '7'], { cwd: dir });
  const [runDir] = (await readdir(results)).filter((d) => d !== 'latest');
  const folder = join(results, runDir!);
  return { code: r.code, output: r.stdout + r.stderr, folder, summary: JSON.parse(await readFile(join(folder, 'summary.json'), 'utf8')) as RunSummary };
}

async function ndjson<T>(file: string): Promise<T[]> {
  return (await readFile(file, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);
}

beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'waddle-fleet-hybrid-sfu-'));
  if (janusInstalled) waddle = await startReferenceWaddle({ port: 0, media: 'sfu' });
}, 60_000);
afterAll(async () => {
  await waddle?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe.runIf(janusInstalled)('a hybrid call through the SFU', () => {
  it('2 browser + 4 protocolMedia users in one SFU room: all see remote video, browsers via the SFU, protocolMedia users receive what Janus forwarded', async () => {
    const { code, output, folder, summary } = await run('hybrid', hybridPlan);
    // 0, or 4 when the shared machine saturated the generator: the call is what is checked here
    if (code === 4) expect(summary.generator.saturated, output).toBe(true);
    else expect(code, output).toBe(0);
    expect(summary.journeys.videoCall?.completed, output).toBe(6);
    expect(summary.journeys.videoCall?.failed, output).toBe(0);
    // everyone saw remote video (the wait is non-critical, so its errors are read, not the iterations)
    const waits = summary.steps.filter((s) => s.step === 'wait_remote_video');
    expect(waits.map((s) => [s.driver, s.count, s.errors]).sort(), output).toEqual([['browser', 2, 0], ['protocolMedia', 4, 0]]);
    expect(summary.thresholds.filter((t) => !t.ok), output).toEqual([]);

    const samples = await ndjson<Sample>(join(folder, 'samples.ndjson'));
    const of = (metric: string, tags: Record<string, string> = {}) => samples.filter((s) => s.metric === metric && Object.entries(tags).every(([k, v]) => s.tags[k] === v)).map((s) => s.value);
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    // the browsers' stats come from the SFU's streams: 1 publishing + 5 receiving connections per page
    expect(Math.max(...of('webrtc.connections')), output).toBe(12);
    expect(sum(of('webrtc.packets', { driver: 'browser', kind: 'video', direction: 'inbound' }))).toBeGreaterThan(500);

    // each protocolMedia user received what Janus forwarded to it (the users are vu-NNNN by index)
    const events = await ndjson<Event>(join(folder, 'events.ndjson'));
    const protocolUsers = [...new Set(events.filter((e) => e.type === 'user_start' && e.tags?.driver === 'protocolMedia').map((e) => `vu-${String(e.data?.vu).padStart(4, '0')}`))];
    expect(protocolUsers).toHaveLength(4);
    const forwarded = sum(protocolUsers.map((u) => waddle.sfuForwardedTo?.get(u) ?? 0));
    const received = sum(of('webrtc.packets', { driver: 'protocolMedia', direction: 'inbound' }));
    // ±1%: a subscription's count is read just before its detach, after the user closed its
    // connection (leave → answer → close): what Janus sent in those few ms is counted by Janus and
    // not received, ~1 packet per subscription of ~150/s (measured: 228/229 and 274/274 in
    // clients/protocol-media/sfu-media.e2e.test.ts)
    expect(received, `protocolMedia users received ${received} packets; Janus forwarded ${forwarded} to them`).toBeGreaterThan(5000);
    expect(Math.abs(received - forwarded), `protocolMedia users received ${received} packets; Janus forwarded ${forwarded} to them`).toBeLessThanOrEqual(forwarded * 0.01);
  }, 240_000);

  it("passes the issue's standalone plan (4 protocolMedia users, rooms of 2) against the same SFU target", async () => {
    const { code, output, summary } = await run('standalone', standalonePlan);
    // 0; on this shared machine 4 when other work starved the generator (the thresholds still read)
    if (code === 4) expect(summary.generator.saturated, output).toBe(true);
    else expect(code, output).toBe(0);
    expect(summary.thresholds.filter((t) => !t.ok), output).toEqual([]);
    expect(summary.thresholds.filter((t) => t.metric.startsWith('webrtc.')), output).toHaveLength(2);
    expect(output).not.toMatch(/WARNING/);
  }, 120_000);
});
