// One kind's cost: the users of one journey on one driver kind, run through the real command at
// two sizes against a reference Waddle in its own process; the generator (the run's process tree)
// is sampled in windows once the users settled, and its PSS read. A line through the two sizes
// gives the cost per user and the fixed cost of the worker.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { KindCost } from './calibration-file.ts';
import { startFleetRun } from './fleet-child.ts';
import { startTarget } from './target-process.ts';
import { TreeSampler } from './tree-sampler.ts';

export interface KindSpec {
  readonly journey: string;
  readonly driverKind: 'browser' | 'protocol';
  readonly params: Readonly<Record<string, unknown>>;
  readonly media?: KindCost['media'];
  readonly sizes: readonly number[];
}

export interface CalibrationTimeline {
  readonly rampMs: number;
  readonly warmMs: number;
  readonly sampleMs: number;
  readonly windowMs: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;

/**
 * A line through the smallest and largest size (fixed + perUser × n). With one size, or when the
 * fixed part comes out negative, the line goes through the origin (all of it per user: the safe
 * side). When the cost did not rise with the users (noise on a shared machine), `flat` says so and
 * the per-user figure is 0: measure again on a quieter machine or with sizes further apart.
 */
export function fitLine(sizes: readonly number[], values: readonly number[]): { perUser: number; fixed: number; flat: boolean } {
  const last = sizes.length - 1;
  const throughOrigin = { perUser: Math.max(0, values[last]! / sizes[last]!), fixed: 0, flat: false };
  if (last < 1 || !(sizes[last]! > sizes[0]!)) return throughOrigin;
  const perUser = (values[last]! - values[0]!) / (sizes[last]! - sizes[0]!);
  if (!(perUser > 0)) return { perUser: 0, fixed: Math.max(...values.slice(0, last + 1)), flat: true };
  const fixed = values[0]! - perUser * sizes[0]!;
  return fixed >= 0 ? { perUser, fixed, flat: false } : throughOrigin;
}

export function kindPlan(spec: KindSpec, users: number, t: CalibrationTimeline): Record<string, unknown> {
  const durationS = Math.ceil((t.warmMs + t.sampleMs) / 1000) + 3;
  return {
    name: `calibrate-${spec.journey}-${spec.driverKind}-${users}`,
    gracefulStop: '5s',
    thresholds: {},
    ...(spec.media ? { media: spec.media } : {}),
    phases: [{ name: 'calibrate', targetUsers: users, rampUp: `${Math.max(1, Math.round(t.rampMs / 1000))}s`, duration: `${durationS}s`, scenarios: [{ journey: spec.journey, driver: spec.driverKind, users, params: spec.params }] }],
  };
}

/** CPU (% of this machine, median of windows) and PSS (MB) of the generator running `users`. */
async function measureSize(spec: KindSpec, users: number, t: CalibrationTimeline, log: (line: string) => void): Promise<{ cpuPct: number; pssMb: number; failures: number }> {
  // a channel and a call room per user at most, so the kind's channelSize and roomSize group users
  // as the plan does; with fewer channels, chatters of many channels would share one and each
  // message would reach ten times the members (1,000 stress chatters priced at 37% of the machine)
  const target = await startTarget(Math.max(10, users), Math.max(20, users));
  const workDir = mkdtempSync(join(os.tmpdir(), 'waddle-fleet-calibrate-'));
  try {
    const run = startFleetRun(kindPlan(spec, users, t), target.url, workDir, []);
    const sampler = new TreeSampler(run.child.pid!);
    try {
      await run.loadStarted;
      await sleep(t.rampMs + t.warmMs);
      sampler.window();
      const windows: number[] = [];
      const fromMs = Date.now();
      while (Date.now() - fromMs < t.sampleMs - 100) {
        await sleep(t.windowMs);
        windows.push(sampler.window().generatorPct);
      }
      const { pssMb } = await sampler.memory();
      const stop = setTimeout(() => run.child.kill('SIGINT'), 60_000);
      const code = await run.exited;
      clearTimeout(stop);
      if (code === 1 || code === 2) throw new Error(`calibrate: the run of ${users} ${spec.journey} users on ${spec.driverKind} failed (exit ${code}): ${run.output().slice(-1500)}`);
      const failures = journeyErrors(join(workDir, 'results'));
      const cpuPct = median(windows);
      log(`  ${spec.journey} on ${spec.driverKind}, ${users} users: CPU ${cpuPct.toFixed(1)}% of the machine, PSS ${pssMb.toFixed(0)} MB${failures ? `, ${failures} journey errors` : ''}`);
      return { cpuPct, pssMb, failures };
    } finally {
      sampler.stop();
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
    }
  } finally {
    await target.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Journey errors of the run (not the interruptions at its end). */
function journeyErrors(resultsDir: string): number {
  let n = 0;
  for (const dir of readdirSync(resultsDir).filter((d) => d !== 'latest')) {
    let text: string;
    try {
      text = readFileSync(join(resultsDir, dir, 'events.ndjson'), 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) if (line.includes('"journey_error"') && !line.includes('"reason":"aborted"')) n++;
  }
  return n;
}

export async function measureKind(spec: KindSpec, t: CalibrationTimeline, log: (line: string) => void): Promise<KindCost> {
  const points: { cpuPct: number; pssMb: number; failures: number }[] = [];
  for (const users of spec.sizes) points.push(await measureSize(spec, users, t, log));
  const cpu = fitLine(spec.sizes, points.map((p) => p.cpuPct));
  const mem = fitLine(spec.sizes, points.map((p) => p.pssMb));
  if (cpu.flat || mem.flat) log(`  WARNING: ${spec.journey} on ${spec.driverKind}: the ${cpu.flat ? 'CPU' : 'memory'} did not rise from ${spec.sizes[0]} to ${spec.sizes.at(-1)} users (a noisy machine, or sizes too close): its per-user figure is 0; calibrate again with sizes further apart`);
  return {
    journey: spec.journey,
    driverKind: spec.driverKind,
    ...(spec.media ? { media: spec.media } : {}),
    sizes: [...spec.sizes],
    cpuPct: points.map((p) => p.cpuPct),
    pssMb: points.map((p) => p.pssMb),
    cpuPctPerUser: cpu.perUser,
    pssMbPerUser: mem.perUser,
    fixedCpuPct: cpu.fixed,
    fixedPssMb: mem.fixed,
    failures: points.reduce((a, p) => a + p.failures, 0),
  };
}
