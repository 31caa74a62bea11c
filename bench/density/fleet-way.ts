// The fleet's real path: the `waddle-fleet run` command in its own process (fleet/calibration/
// fleet-child.ts), with a JSON plan as a user would write it, against the benchmark's target; hub,
// journeys, probe and the run folder all in. What the run measured comes back from its run folder
// (samples.ndjson, events.ndjson).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WayMeasurements } from './usual-way.ts';

export { startFleetRun } from '../../fleet/calibration/fleet-child.ts';

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
