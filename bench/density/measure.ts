// One measurement: one way (fleet or usual), one workload, one number of users, on a fresh
// target. Users start over the ramp, settle, then the generator's process tree is sampled in
// windows (the figure is their median), its PSS read, and the quality judged on what the users
// and the protocol observers measured in the same window.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { judgeQuality, median, type Quality } from './figures.ts';
import { fleetMeasurements, startFleetRun } from './fleet-way.ts';
import { sleep, startChatFillers } from './fillers.ts';
import { startTarget } from '../../fleet/calibration/target-process.ts';
import { defaultMediaCacheDir } from '../../fake-media/media-cache.ts';
import { prepareMedia } from '../../fake-media/prepare-media.ts';
import { loadAverage, TreeSampler, type CpuWindow } from '../../fleet/calibration/tree-sampler.ts';
import type { WayMeasurements } from './usual-way.ts';
import { fleetPlan, type Timeline, type Workload } from './workloads.ts';

/** 'fleet', 'usual', or a variant of either named with --variant */
export type Way = string;

/** A variant of a way: the fleet with extra command-line arguments, or the usual way with context options and switches. */
export interface WayVariant {
  readonly base: 'fleet' | 'usual';
  readonly fleetArgs?: readonly string[];
  readonly usual?: { readonly context?: Record<string, unknown>; readonly args?: readonly string[] };
}

export interface Measurement {
  readonly way: Way;
  readonly workload: string;
  readonly users: number;
  readonly cpuPct: number;
  readonly machinePct: number;
  readonly byKindPct: Readonly<Record<string, number>>;
  readonly byThreadPct: Readonly<Record<string, number>>;
  readonly pssMb: number;
  /** the tree's CPU in each window, % of the machine (cpuPct is their median) */
  readonly cpuWindowsPct: readonly number[];
  /** the most PSS read at the end of a window, when asked for (a confirm: the list grows, and so may memory) */
  readonly pssPeakMb?: number;
  readonly renderers: number;
  readonly loadAverage: number;
  readonly quality: Quality;
}

const usualScript = fileURLToPath(new URL('./usual-way.ts', import.meta.url));

export interface MeasureOptions {
  /** CPU per thread name too (--threads) */
  readonly threads?: boolean;
  /** read PSS after every window, not only at the end (pssPeakMb) */
  readonly pssEachWindow?: boolean;
}

export async function measure(way: Way, variant: WayVariant, w: Workload, users: number, t: Timeline, opts: MeasureOptions = {}): Promise<Measurement> {
  const channels = Math.max(3, Math.ceil(users / (w.channelSize ?? 10)));
  const target = await startTarget(channels, Math.max(10, Math.ceil(users / (w.roomSize ?? 2))));
  const workDir = mkdtempSync(join(os.tmpdir(), `density-${way}-`));
  const fillers = w.name === 'video' ? undefined : await startChatFillers(target.url, w, users, `${way.replace(/[^a-z0-9]/gi, '')}${users}`);
  try {
    const run = variant.base === 'fleet' ? startFleet(w, users, t, target.url, workDir, variant.fleetArgs ?? []) : startUsual(w, users, t, target.url, workDir, variant.usual ?? {}, await usualMedia(w));
    const sampler = new TreeSampler(run.pid, opts.threads ?? false);
    try {
      await run.loadStarted;
      await sleep(t.rampMs + t.warmMs);
      sampler.window();
      const fromMs = Date.now();
      const windows: CpuWindow[] = [];
      let pssPeakMb = 0;
      while (Date.now() - fromMs < t.sampleMs - 500) {
        await sleep(t.windowMs);
        windows.push(sampler.window());
        if (opts.pssEachWindow) pssPeakMb = Math.max(pssPeakMb, (await sampler.memory()).pssMb);
      }
      const toMs = Date.now();
      const memory = await sampler.memory();
      const loadAvg = loadAverage();
      const measured = await run.finish();
      const kinds = [...new Set(windows.flatMap((x) => Object.keys(x.byKindPct)))];
      return {
        way,
        workload: w.name,
        users,
        cpuPct: median(windows.map((x) => x.generatorPct)),
        machinePct: median(windows.map((x) => x.machinePct)),
        byKindPct: Object.fromEntries(kinds.map((k) => [k, median(windows.map((x) => x.byKindPct[k] ?? 0))])),
        byThreadPct: Object.fromEntries([...new Set(windows.flatMap((x) => Object.keys(x.byThreadPct)))].map((k) => [k, median(windows.map((x) => x.byThreadPct[k] ?? 0))])),
        pssMb: memory.pssMb,
        cpuWindowsPct: windows.map((x) => x.generatorPct),
        ...(opts.pssEachWindow ? { pssPeakMb: Math.max(pssPeakMb, memory.pssMb) } : {}),
        renderers: memory.renderers,
        loadAverage: loadAvg,
        quality: judgeQuality(w.name, users, measured, fillers?.observed ?? [], fromMs, toMs, w.chatIntervalMs),
      };
    } finally {
      sampler.stop();
      await run.kill();
    }
  } finally {
    await fillers?.stop();
    await target.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

interface RunningWay {
  readonly pid: number;
  readonly loadStarted: Promise<void>;
  /** stop the users (or wait for the plan to end) and read what they measured */
  finish(): Promise<WayMeasurements>;
  kill(): Promise<void>;
}

function startFleet(w: Workload, users: number, t: Timeline, target: string, workDir: string, fleetArgs: readonly string[]): RunningWay {
  const run = startFleetRun(fleetPlan(w, users, t), target, workDir, fleetArgs);
  const readyStep = w.name === 'video' ? 'wait_remote_video' : 'open_channel';
  return {
    pid: run.child.pid!,
    loadStarted: run.loadStarted,
    finish: async () => {
      const timeout = setTimeout(() => run.child.kill('SIGINT'), 60_000);
      const code = await run.exited;
      clearTimeout(timeout);
      if (code === 1 || code === 2) throw new Error(`bench: the fleet run failed (exit ${code}): ${run.output().slice(-2000)}`);
      return fleetMeasurements(workDir, readyStep);
    },
    kill: async () => {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
    },
  };
}

/** the fleet's media files (the same frames both ways send); the usual script gets their paths, not the fleet's code */
async function usualMedia(w: Workload): Promise<{ mic: string; camera?: string }> {
  const media = await prepareMedia({ cacheDir: defaultMediaCacheDir(), voiceActivity: 0.5, ...(w.camera ? { camera: { ...w.camera, label: `waddle-fleet ${w.camera.width}x${w.camera.height}@${w.camera.fps}` } } : {}) });
  return { mic: media.micWav, ...(media.cameraY4m ? { camera: media.cameraY4m } : {}) };
}

function startUsual(w: Workload, users: number, t: Timeline, target: string, workDir: string, variant: NonNullable<WayVariant['usual']>, media: { mic: string; camera?: string }): RunningWay {
  const out = join(workDir, 'usual.json');
  const child = spawn(process.execPath, ['--import', 'tsx', usualScript, w.name, String(users), target, out, String(t.rampMs)], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DENSITY_USUAL_VARIANT: JSON.stringify(variant), DENSITY_USUAL_MEDIA: JSON.stringify(media),
    DENSITY_USUAL_SHAPE: JSON.stringify({ channelSize: w.channelSize, chatIntervalMs: w.chatIntervalMs, roomSize: w.roomSize }) } });
  let output = '';
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  return {
    pid: child.pid!,
    // the script launches its browser first; the ramp starts right after
    loadStarted: new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        output += d.toString();
        if (output.includes('load\n')) resolve();
      });
      void exited.then((code) => reject(new Error(`bench: the usual way exited (${code}): ${output.slice(-2000)}`)));
    }),
    finish: async () => {
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`bench: the usual way failed (exit ${code}): ${output.slice(-2000)}`);
      return JSON.parse(readFileSync(out, 'utf8')) as WayMeasurements;
    },
    kill: async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
