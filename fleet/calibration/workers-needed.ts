// How many workers a plan needs, from the cost of each of its users: calibrated on a machine like
// the worker (fleet/calibration/calibration-file.ts), or default figures that say they are
// defaults. A worker is loaded to at most 80% of its CPU and 80% of its memory, and holds at most
// its --max-browsers × --contexts-per-browser browser users and 20,000 protocol users; shards
// split users evenly, so the plan's peak cost divided by the workers must fit one worker.
import { relayCpuPctPerUser } from '../../network/describe.ts';
import { isImpairing, type NetworkProfile } from '../../network/profile.ts';
import type { PlanCatalog } from '../../plans/catalog.ts';
import { peakConcurrency, type VuSlot } from '../../plans/schedule.ts';
import { protocolMediaCost } from '../../clients/protocol-media/cost.ts';
import { costOf, type Calibration } from './calibration-file.ts';

export const cpuLimitShare = 0.8;
export const memoryLimitShare = 0.8;
/** Protocol users one worker process holds (measured: 10,000 at ~27% of a core, bench:protocol). */
export const protocolUsersPerWorker = 20_000;
export { protocolMediaCost };

/** A worker's size: cores and memory (MB). */
export interface WorkerSize {
  readonly cores: number;
  readonly memoryMb: number;
}

/** Cost of one user in cores and MB, and the fixed cost of the worker running it. */
interface UserCost {
  readonly cores: number;
  readonly memoryMb: number;
  readonly fixedCores: number;
  readonly fixedMemoryMb: number;
  readonly calibrated: boolean;
}

/**
 * Defaults when nothing was calibrated lean to safety (the former, lighter figures priced stress at
 * 2 workers where 2,500 of its users saturated one machine and the calibration says 4). A shipped
 * journey is priced by what `calibrate` measured for it on a 2-core machine (README "Workers a plan
 * needs") with a 25% margin per user, since a busy machine measures up to 2× either way; a journey
 * of a plan's own by the most expensive measured user of its kind: protocol ~0.00025 core and
 * 0.2 MB, a video or screen browser user ~0.33 core and 370 MB, voice ~0.18 core and 110 MB, the
 * rest ~0.19 core and 200 MB. A worker's Node and first browser cost ~0.1 core and 300 MB; protocol
 * uploaders ~1 core more while the target takes uploads as fast as it can.
 */
const measuredOn2Cores: Readonly<Record<string, { readonly protocol: readonly [number, number]; readonly browser: readonly [number, number] }>> = {
  // [cores, MB] per user
  voiceCall: { protocol: [0.00004, 0.101], browser: [0.079, 84] },
  videoCall: { protocol: [0.00001, 0.066], browser: [0.323, 212] },
  chatMessaging: { protocol: [0.000122, 0.162], browser: [0.066, 89] },
  fileUpload: { protocol: [0.000254, 0.194], browser: [0.189, 196] },
  screenShare: { protocol: [0.00001, 0.056], browser: [0.217, 369] },
};
const perUserMargin = 1.25;

function defaultCost(driverKind: 'browser' | 'protocol', journey: string, needs: { video: boolean; screen: boolean; voice: boolean; media: boolean }): UserCost {
  const fixed = { fixedCores: driverKind === 'protocol' && journey === 'fileUpload' ? 1.0 : 0.1, fixedMemoryMb: 300, calibrated: false };
  // a protocol user that carries media (protocolMedia) is priced by npm run bench:media-protocol
  if (driverKind === 'protocol' && needs.media && (needs.video || needs.voice)) return { ...protocolMediaCost[needs.screen ? 'screen' : needs.video ? 'video' : 'voice'], ...fixed };
  const measured = measuredOn2Cores[journey]?.[driverKind];
  if (measured) return { cores: measured[0] * perUserMargin, memoryMb: measured[1] * perUserMargin, ...fixed };
  if (driverKind === 'protocol') return { cores: 0.00025, memoryMb: 0.2, ...fixed };
  if (needs.video) return { cores: 0.33, memoryMb: 370, ...fixed };
  if (needs.voice) return { cores: 0.18, memoryMb: 110, ...fixed };
  return { cores: 0.19, memoryMb: 200, ...fixed };
}

export interface WorkersEstimate {
  readonly workers: number;
  readonly boundBy: 'cpu' | 'memory' | 'browser contexts' | 'protocol users';
  readonly worker: WorkerSize;
  /** the plan's peak cost, all workers together */
  readonly peakCores: number;
  readonly peakMemoryMb: number;
  /** what one of `workers` carries at peak (its fixed cost included) */
  readonly perWorker: { readonly cores: number; readonly memoryMb: number; readonly browserUsers: number; readonly protocolUsers: number };
  /** journeys × drivers priced by defaults (not calibrated) */
  readonly uncalibrated: readonly string[];
  readonly calibration?: Calibration;
}

export interface EstimateInput {
  /** every slot of the plan (all shards) */
  readonly slots: readonly VuSlot[];
  readonly catalog: PlanCatalog;
  readonly calibration?: Calibration;
  /** default: the calibrated machine, else 2 cores and 8 GiB */
  readonly worker?: WorkerSize;
  /** --max-browsers × --contexts-per-browser of each worker */
  readonly browserUsersPerWorker: number;
  /** the plan's networks (ResolvedPlan.networks): an impaired browser user also costs the relay (network/describe.ts) */
  readonly networks?: Readonly<Record<string, NetworkProfile>>;
}

export function workersNeeded(input: EstimateInput): WorkersEstimate {
  const { slots, catalog, calibration } = input;
  const worker = input.worker ?? (calibration ? { cores: calibration.machine.cores, memoryMb: calibration.machine.memoryMb } : { cores: 2, memoryMb: 8192 });
  const uncalibrated = new Set<string>();
  const costs = new Map<string, UserCost>();
  const costOfSlot = (slot: VuSlot): UserCost => {
    const key = `${slot.journey}\u0000${slot.driver}`;
    let cost = costs.get(key);
    if (!cost) {
      const driver = catalog.driver(slot.driver);
      const driverKind = driver?.kind ?? 'browser';
      const journey = catalog.journey(slot.journey);
      // calibrate measures plain protocol users: one carrying media costs ~300× more, so it keeps the media figure
      const media = driverKind === 'protocol' && (driver?.capabilities.includes('media') ?? false);
      const entry = calibration && !media ? costOf(calibration, slot.journey, driverKind) : undefined;
      const perCore = (pct: number) => (pct / 100) * calibration!.machine.cores;
      cost = entry
        ? { cores: perCore(entry.cpuPctPerUser), memoryMb: entry.pssMbPerUser, fixedCores: perCore(entry.fixedCpuPct), fixedMemoryMb: entry.fixedPssMb, calibrated: true }
        : defaultCost(driverKind, slot.journey, { video: Boolean(journey?.media?.camera || journey?.media?.screen), screen: Boolean(journey?.media?.screen), voice: journey?.requires?.includes('voice') ?? false, media });
      if (!entry) uncalibrated.add(media ? `${slot.journey} on ${slot.driver} (npm run bench:media-protocol figures; calibrate does not measure it)` : `${slot.journey} on ${driverKind}`);
      costs.set(key, cost);
    }
    return cost;
  };
  const isBrowser = (slot: VuSlot) => catalog.isBrowserDriver(slot.driver);
  const networks = input.networks ?? {};
  const relayCores = (s: VuSlot) => (isBrowser(s) && s.network && networks[s.network] && isImpairing(networks[s.network]!) ? relayCpuPctPerUser / 100 : 0);
  const peakCores = peakConcurrency(slots, (s) => costOfSlot(s).cores + relayCores(s));
  const peakMemoryMb = peakConcurrency(slots, (s) => costOfSlot(s).memoryMb);
  const browserPeak = peakConcurrency(slots, (s) => (isBrowser(s) ? 1 : 0));
  const protocolPeak = peakConcurrency(slots, (s) => (isBrowser(s) ? 0 : 1));
  const fixedCores = Math.max(0, ...[...costs.values()].map((c) => c.fixedCores));
  const fixedMemoryMb = Math.max(0, ...[...costs.values()].map((c) => c.fixedMemoryMb));
  const cpuRoom = worker.cores * cpuLimitShare - fixedCores;
  const memoryRoom = worker.memoryMb * memoryLimitShare - fixedMemoryMb;
  const bounds: [WorkersEstimate['boundBy'], number][] = [
    ['cpu', cpuRoom > 0 ? Math.ceil(peakCores / cpuRoom - 1e-9) : Infinity],
    ['memory', memoryRoom > 0 ? Math.ceil(peakMemoryMb / memoryRoom - 1e-9) : Infinity],
    ['browser contexts', Math.ceil(browserPeak / Math.max(1, input.browserUsersPerWorker))],
    ['protocol users', Math.ceil(protocolPeak / protocolUsersPerWorker)],
  ];
  const [boundBy, n] = bounds.reduce((a, b) => (b[1] > a[1] ? b : a));
  const workers = Math.max(1, n);
  return {
    workers,
    boundBy,
    worker,
    peakCores,
    peakMemoryMb,
    perWorker: { cores: peakCores / workers + fixedCores, memoryMb: peakMemoryMb / workers + fixedMemoryMb, browserUsers: Math.ceil(browserPeak / workers), protocolUsers: Math.ceil(protocolPeak / workers) },
    uncalibrated: [...uncalibrated],
    ...(calibration ? { calibration } : {}),
  };
}

/** What the dry run and the refusal print. */
export function describeWorkers(e: WorkersEstimate, calibrationPath: string): string[] {
  const gb = (mb: number) => `${(mb / 1024).toFixed(1)} GB`;
  const size = `${e.worker.cores} cores / ${gb(e.worker.memoryMb)}`;
  const lines = [
    `workers needed: ${e.workers} of ${size} (bound by ${e.boundBy}; at peak ${e.peakCores.toFixed(1)} cores and ${gb(e.peakMemoryMb)} in all, ` +
      `each worker ${e.perWorker.cores.toFixed(2)} cores, ${gb(e.perWorker.memoryMb)}, ${e.perWorker.browserUsers} browser + ${e.perWorker.protocolUsers} protocol users; ≤${cpuLimitShare * 100}% CPU and memory)`,
  ];
  const c = e.calibration;
  if (c) lines.push(`  from the calibration ${calibrationPath} (${c.createdAt.slice(0, 10)}, ${c.machine.cores} cores, ${c.machine.chromium}, load average ${c.loadAverage.toFixed(1)})`);
  if (e.uncalibrated.length > 0) {
    lines.push(`  ${c ? 'not calibrated, priced by default figures' : 'default figures, not measured on this machine'}: ${e.uncalibrated.join(', ')}; run npx waddle-fleet calibrate to measure them`);
  }
  return lines;
}
