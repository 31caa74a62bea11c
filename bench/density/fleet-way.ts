// The fleet's real path: the `waddle-fleet run` command in its own process, with a JSON plan as a
// user would write it, against the benchmark's target; hub, journeys, probe and the run folder
// all in. What the run measured comes back from its run folder (samples.ndjson, events.ndjson).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WayMeasurements } from './usual-way.ts';

const cli = fileURLToPath(new URL('../../bin/waddle-fleet.mjs', import.meta.url));

export interface FleetChild {
  readonly child: ChildProcess;
  /** resolves when the run starts its load task (browsers are launched by the first users) */
  readonly loadStarted: Promise<void>;
  /** resolves with the run's exit code */
  readonly exited: Promise<number>;
  readonly output: () => string;
}

export function startFleetRun(plan: Record<string, unknown>, target: string, workDir: string, extraArgs: readonly string[]): FleetChild {
  const planFile = join(workDir, `${String(plan.name)}.json`);
  writeFileSync(planFile, JSON.stringify(plan, null, 2));
  const args = [cli, 'run', planFile, '--target', target, '--results', join(workDir, 'results'), '--no-progress', '--no-report', '--seed', '1', ...extraArgs];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let onLoad: () => void = () => {};
  const loadStarted = new Promise<void>((resolve) => (onLoad = resolve));
  const take = (d: Buffer) => {
    out += d.toString();
    if (out.includes('▶ load')) onLoad();
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  return { child, loadStarted, exited, output: () => out };
}

interface Sample {
  metric: string;
  value: number;
  tags?: Record<string, string>;
  timeMs: number;
}

/** What the run folder says the users did and measured; `readyStep` marks a user as set up. */
export function fleetMeasurements(workDir: string, readyStep: string): WayMeasurements {
  const results = join(workDir, 'results');
  const runs = existsSync(results) ? readdirSync(results).filter((d) => d !== 'latest' && existsSync(join(results, d, 'samples.ndjson'))) : [];
  const runDir = runs.sort().at(-1);
  if (!runDir) throw new Error(`bench: the fleet run left no run folder with samples in ${results}`);
  const m: WayMeasurements = { sent: [], delivered: [], fps: [], freezes: [], ready: 0, failures: [] };
  const isInboundVideo = (s: Sample) => s.tags?.kind === 'video' && s.tags?.direction === 'inbound';
  for (const line of readFileSync(join(results, runDir, 'samples.ndjson'), 'utf8').split('\n')) {
    if (!line) continue;
    const s = JSON.parse(line) as Sample;
    if (s.metric === 'chat.messages_sent') m.sent.push(s.timeMs);
    else if (s.metric === 'chat.delivery_ms') m.delivered.push({ atMs: s.timeMs, value: s.value });
    else if (s.metric === 'webrtc.fps' && isInboundVideo(s)) m.fps.push({ atMs: s.timeMs, value: s.value });
    else if (s.metric === 'webrtc.video.freeze_count' && isInboundVideo(s)) m.freezes.push({ atMs: s.timeMs, value: s.value });
    else if (s.metric === 'step.duration_ms' && s.tags?.step === readyStep) m.ready++;
  }
  for (const line of readFileSync(join(results, runDir, 'events.ndjson'), 'utf8').split('\n')) {
    if (!line.includes('"journey_error"')) continue;
    const event = JSON.parse(line) as { message?: string; reason?: string };
    if (event.reason !== 'aborted') m.failures.push(event.message ?? 'journey_error');
  }
  return m;
}
