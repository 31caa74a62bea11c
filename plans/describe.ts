// describePlan: what the run will do, printed before every run and by --dry-run (k6's
// GetDescription before Run): timeline, VUs per journey per phase, peak, duration, and an
// estimate of the browser memory it needs, with a warning when this machine cannot hold it.
import os from 'node:os';
import { buildFullSchedule, callRoomLayout, peakConcurrency, type VuSlot } from '../fleet/scheduler.ts';
import { describeCallRooms } from '../fleet/call-rooms.ts';
import { formatShard, inShard } from '../fleet/shard.ts';
import { formatDurationMs } from './duration.ts';
import type { ResolvedPlan } from './resolve.ts';

/** Measured on 2 cores (shared/DESIGN.md): PSS per browser context by journey, and per browser process. */
export const memoryMbPerUser: Readonly<Record<string, number>> = {
  videoCall: 190,
  screenShare: 190,
  mixedUsage: 190, // camera on with p = 0.7: plan for the worst
  voiceCall: 110,
  chatMessaging: 75,
  fileUpload: 75,
};
export const defaultMemoryMbPerUser = 110;
export const memoryMbPerBrowser = 150;
/** Above ~6 video users per core the machine freezes and loses packets (measured: 16 saturate 2 cores). */
export const videoUsersPerCore = 6;
const videoJourneys = new Set(['videoCall', 'screenShare', 'mixedUsage']);

export interface DescribeOptions {
  readonly machineMemoryMb?: number;
  readonly cores?: number;
  readonly contextsPerBrowser?: number;
  /** --max-browsers: with contextsPerBrowser, the most concurrent users this worker takes */
  readonly maxBrowsers?: number;
  /** what gates the run (metrics/default-gate.ts describeGate): printed under "gate" */
  readonly gateLines?: readonly string[];
}

export interface PlanEstimate {
  readonly slots: number;
  readonly peakUsers: number;
  readonly peakVideoUsers: number;
  readonly browsers: number;
  readonly memoryMb: number;
  readonly warnings: readonly string[];
}

export function estimatePlan(plan: ResolvedPlan, slots: readonly VuSlot[], options: DescribeOptions = {}): PlanEstimate {
  const machineMemoryMb = options.machineMemoryMb ?? Math.round(os.totalmem() / 2 ** 20);
  const cores = options.cores ?? os.availableParallelism();
  const contextsPerBrowser = options.contextsPerBrowser ?? 8;
  const peakUsers = peakConcurrency(slots);
  const peakVideoUsers = peakConcurrency(slots, (slot) => (videoJourneys.has(slot.journey) ? 1 : 0));
  const contextMemoryMb = peakConcurrency(slots, (slot) => memoryMbPerUser[slot.journey] ?? defaultMemoryMbPerUser);
  const browsers = Math.ceil(peakUsers / contextsPerBrowser);
  const memoryMb = contextMemoryMb + browsers * memoryMbPerBrowser;
  const warnings: string[] = [];
  if (memoryMb > machineMemoryMb * 0.9) {
    warnings.push(
      `needs ~${memoryMb} MB of browser memory but this machine has ${machineMemoryMb} MB: use --scale, or --shard over ${Math.ceil(memoryMb / (machineMemoryMb * 0.8))}+ machines`,
    );
  }
  const videoLimit = videoUsersPerCore * cores;
  if (peakVideoUsers > videoLimit) {
    warnings.push(
      `${peakVideoUsers} video/screen users at peak but ${cores} cores hold ~${videoLimit}: the generator will saturate (verdict inconclusive); use --scale or --shard`,
    );
  }
  if (options.maxBrowsers !== undefined && peakUsers > options.maxBrowsers * contextsPerBrowser) {
    warnings.push(
      `${peakUsers} concurrent users at peak but --max-browsers ${options.maxBrowsers} × --contexts-per-browser ${contextsPerBrowser} hold ${options.maxBrowsers * contextsPerBrowser}: the run will be refused; use --scale, --shard or raise them`,
    );
  }
  return { slots: slots.length, peakUsers, peakVideoUsers, browsers, memoryMb, warnings };
}

export function describePlan(plan: ResolvedPlan, options: DescribeOptions = {}): string {
  const all = buildFullSchedule(plan);
  const slots = all.filter((slot) => inShard(slot.index, plan.shard));
  const sharded = plan.shard.count > 1;
  const estimate = estimatePlan(plan, slots, options);
  const lines: string[] = [];
  const scaleNote = plan.scale !== 1 ? ` (scaled ×${plan.scale}${plan.scaleDurations ? ', durations too' : ''})` : '';
  lines.push(`plan ${plan.name}${scaleNote}${sharded ? `, shard ${formatShard(plan.shard)}` : ''}, seed ${plan.seed}`);
  if (plan.description) lines.push(`  ${plan.description}`);
  const journeys = [...new Set(plan.phases.flatMap((phase) => phase.scenarios.map((s) => s.journey)))];
  const header = ['phase', 'starts', 'ramp', 'hold', 'ends', ...journeys, 'total'];
  const rows = plan.phases.map((phase) => {
    // VUs of this shard alive once the ramp is done
    const at = phase.rampEndMs;
    const alive = slots.filter((slot) => slot.startAtMs <= at && slot.stopAtMs > at);
    const perJourney = journeys.map((journey) => {
      const mine = alive.filter((slot) => slot.journey === journey).length;
      const planned = phase.scenarios.find((s) => s.journey === journey)?.users ?? 0;
      return sharded ? `${mine}/${planned}` : String(mine);
    });
    return [
      phase.name,
      formatDurationMs(phase.startMs),
      formatDurationMs(phase.rampUpMs),
      formatDurationMs(phase.durationMs),
      formatDurationMs(phase.endMs),
      ...perJourney,
      sharded ? `${alive.length}/${phase.targetUsers}` : String(alive.length),
    ];
  });
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const format = (row: readonly string[]): string => '  ' + row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  lines.push(format(header), ...rows.map(format));
  if (sharded) lines.push(`  (VUs shown as this shard / whole plan; this shard runs ${slots.length} of ${all.length} VUs)`);
  lines.push(
    `  total ${formatDurationMs(plan.totalDurationMs)} + up to ${formatDurationMs(plan.gracefulStopMs)} graceful stop; ${slots.length} VUs in all, peak ${estimate.peakUsers} concurrent (${estimate.peakVideoUsers} with video/screen)`,
  );
  lines.push(`  estimate: ${estimate.peakUsers} browser contexts in ~${estimate.browsers} browsers, ~${estimate.memoryMb} MB`);
  if (plan.limits.maxArrivalsPerSecond !== undefined) lines.push(`  at most ${plan.limits.maxArrivalsPerSecond} user starts per second`);
  const calls = describeCallRooms(callRoomLayout(plan));
  if (calls.lines.length > 0) {
    lines.push('  calls (room → voice channel room % channels of the waddle):');
    for (const line of calls.lines) lines.push(`    ${line}`);
  }
  if (options.gateLines) {
    lines.push('  gate (every threshold must have data and hold):');
    for (const line of options.gateLines) lines.push(`    ${line}`);
  }
  for (const warning of [...estimate.warnings, ...calls.warnings]) lines.push(`  WARNING: ${warning}`);
  return lines.join('\n');
}
