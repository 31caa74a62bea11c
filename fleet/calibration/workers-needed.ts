// How many workers a plan needs, from the cost of each of its users: calibrated on a machine like
// the worker (fleet/calibration/calibration-file.ts), or default figures that say they are
// defaults. A worker is loaded to at most 80% of its CPU and 80% of its memory, and holds at most
// its --max-browsers × --contexts-per-browser browser users and 20,000 protocol users; shards
// split users evenly, so the plan's peak cost divided by the workers must fit one worker.
import { relayCpuPctPerUser } from '../../network/describe.ts';
import { isImpairing, type NetworkProfile } from '../../network/profile.ts';
import type { PlanCatalog } from '../../plans/catalog.ts';
import { peakConcurrency, type VuSlot } from '../../plans/schedule.ts';
import { defaultUserCost, protocolMediaCost, userNeedsOf, type UserCost } from '../../plans/user-cost.ts';
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
      const needs = userNeedsOf(slot, catalog);
      // calibrate measures plain protocol users: one carrying media costs ~300× more, so it keeps the media figure
      const entry = calibration && !needs.carriesMedia ? costOf(calibration, slot.journey, needs.kind) : undefined;
      const perCore = (pct: number) => (pct / 100) * calibration!.machine.cores;
      cost = entry
        ? { cores: perCore(entry.cpuPctPerUser), memoryMb: entry.pssMbPerUser, fixedCores: perCore(entry.fixedCpuPct), fixedMemoryMb: entry.fixedPssMb, calibrated: true }
        : defaultUserCost(slot.journey, needs);
      if (!entry) uncalibrated.add(needs.carriesMedia ? `${slot.journey} on ${slot.driver} (npm run bench:media-protocol figures; calibrate does not measure it)` : `${slot.journey} on ${needs.kind}`);
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
