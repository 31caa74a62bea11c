// `waddle-fleet calibrate [plan]`: measure, on this machine, what a user of each journey and
// driver kind the plan runs costs (default plan: stress, whose hybrid mix covers the seed journeys
// on protocol and its browser sample on browser), with the plan's own params and fake media, and
// write the calibration file the dry run, the oversized-plan refusal and `k8s-job` read.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { UsageError } from '../../common/errors.ts';
import { loadPlan } from '../../plans/index.ts';
import { planCatalog } from '../../plans/catalog.ts';
import { resolvePlan } from '../../plans/resolve.ts';
import { writeCalibration, type Calibration, type KindCost } from './calibration-file.ts';
import { measureKind, type CalibrationTimeline, type KindSpec } from './measure-kind.ts';

export interface CalibrateOptions {
  readonly planRef: string;
  readonly out: string;
  /** only these journeys (default: all the plan runs) */
  readonly journeys?: readonly string[];
  readonly timeline: CalibrationTimeline;
  readonly browserSizes: readonly number[];
  readonly protocolSizes: readonly number[];
  readonly chromiumPath: string;
  readonly log: (line: string) => void;
}

export const standardTimeline: CalibrationTimeline = { rampMs: 5_000, warmMs: 15_000, sampleMs: 20_000, windowMs: 5_000 };

/** The kinds to measure: each (journey, driver kind) the plan runs, with its params and the plan's media. */
export async function kindsOfPlan(planRef: string, only: readonly string[] | undefined, sizes: { browser: readonly number[]; protocol: readonly number[] }): Promise<KindSpec[]> {
  const loaded = await loadPlan(planRef);
  if (!loaded.ok) throw new UsageError(loaded.problems);
  const resolved = resolvePlan(loaded.plan, { seed: 1 });
  const catalog = planCatalog(loaded.plan);
  const kinds = new Map<string, KindSpec>();
  for (const phase of resolved.phases) {
    for (const s of phase.scenarios) {
      const driverKind = catalog.driver(s.driver)?.kind ?? 'browser';
      const key = `${s.journey}|${driverKind}`;
      if (s.users === 0 || kinds.has(key) || (only && !only.includes(s.journey))) continue;
      const journey = catalog.journey(s.journey);
      const camera = resolved.media.camera ?? journey?.media?.camera;
      const screen = resolved.media.screen ?? journey?.media?.screen;
      const media = driverKind === 'browser' && (camera || screen) ? { ...(camera ? { camera } : {}), ...(screen ? { screen } : {}) } : undefined;
      kinds.set(key, { journey: s.journey, driverKind, params: s.params ?? {}, ...(media ? { media } : {}), sizes: sizes[driverKind] });
    }
  }
  const unknown = (only ?? []).filter((j) => ![...kinds.values()].some((k) => k.journey === j));
  if (unknown.length) throw new UsageError([`--journeys: ${unknown.join(', ')} not run by plan ${planRef} (it runs ${[...new Set([...kinds.values()].map((k) => k.journey))].join(', ')})`]);
  return [...kinds.values()];
}

export async function calibrate(options: CalibrateOptions): Promise<Calibration> {
  const kinds = await kindsOfPlan(options.planRef, options.journeys, { browser: options.browserSizes, protocol: options.protocolSizes });
  const loads: number[] = [];
  const measured: KindCost[] = [];
  options.log(`calibrating ${kinds.length} kind(s) of plan ${options.planRef} on ${os.availableParallelism()} cores (sizes: browser ${options.browserSizes.join(', ')}, protocol ${options.protocolSizes.join(', ')})`);
  for (const kind of kinds) {
    measured.push(await measureKind(kind, options.timeline, options.log));
    loads.push(os.loadavg()[0] ?? 0);
  }
  const calibration: Calibration = {
    version: 1,
    createdAt: new Date().toISOString(),
    machine: { cores: os.availableParallelism(), memoryMb: Math.round(os.totalmem() / 2 ** 20), cpuModel: cpuModel(), chromium: chromiumVersion(options.chromiumPath), node: process.version },
    loadAverage: loads.length ? loads.reduce((a, b) => a + b, 0) / loads.length : 0,
    kinds: measured,
  };
  await writeCalibration(options.out, calibration);
  return calibration;
}

function cpuModel(): string {
  try {
    return /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  } catch {
    return os.cpus()[0]?.model ?? 'unknown';
  }
}

function chromiumVersion(path: string): string {
  try {
    return execFileSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').at(-1) ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** One line per kind, for the terminal. */
export function describeCalibration(c: Calibration): string[] {
  return c.kinds.map((k) => {
    const per = k.driverKind === 'protocol' ? `${(k.cpuPctPerUser * 1000).toFixed(1)}% CPU and ${(k.pssMbPerUser * 1000).toFixed(0)} MB per 1,000 users` : `${k.cpuPctPerUser.toFixed(2)}% CPU and ${k.pssMbPerUser.toFixed(0)} MB per user`;
    return `  ${k.journey.padEnd(14)} ${k.driverKind.padEnd(8)} ${per} (fixed ${k.fixedCpuPct.toFixed(1)}%, ${k.fixedPssMb.toFixed(0)} MB)${k.failures ? `; ${k.failures} journey errors while measuring` : ''}`;
  });
}
