// describePlan: what the run will do, printed before every run and by --dry-run (k6's
// GetDescription before Run): timeline, VUs per journey per phase, peak, duration, and an
// estimate of the browser memory it needs, with a warning when this machine cannot hold it.
import { describeNetworks } from '../network/describe.ts';
import os from 'node:os';
import { planCatalog, type PlanCatalog } from './catalog.ts';
import { buildFullSchedule, callRoomLayout, peakConcurrency, type VuSlot } from './schedule.ts';
import { describeCallRooms } from './call-rooms.ts';
import { needsMoreThanDefaults, referenceDefaults, targetNeeds } from './target-needs.ts';
import { formatShard, inShard } from './shard.ts';
import { formatDurationMs } from './duration.ts';
import type { ResolvedPlan } from './resolve.ts';
import { unfedThresholdWarnings } from './threshold-feeds.ts';
import { chatFanOut, describeFanOut } from './chat-fanout.ts';
import { defaultUserCost, memoryMbPerBrowser, userNeedsOf, videoUsersPerCore } from './user-cost.ts';


export interface DescribeOptions {
  readonly machineMemoryMb?: number;
  readonly cores?: number;
  readonly contextsPerBrowser?: number;
  /** --max-browsers: with contextsPerBrowser, the most concurrent browser users this worker takes */
  readonly maxBrowsers?: number;
  /** what gates the run (metrics/default-gate.ts describeGate): printed under "gate" */
  readonly gateLines?: readonly string[];
  /** the plan's journeys and drivers (default: the built-in ones) */
  readonly catalog?: PlanCatalog;
  /** the workers the whole plan needs (fleet/calibration/plan-workers.ts), printed under the estimate */
  readonly workersLines?: readonly string[];
  /** --target-media: how the fleet's own reference Waddle carries calls (printed when 'sfu') */
  readonly targetMedia?: 'mesh' | 'sfu';
}

export interface PlanEstimate {
  readonly slots: number;
  readonly peakUsers: number;
  readonly peakBrowserUsers: number;
  readonly peakProtocolUsers: number;
  readonly peakVideoUsers: number;
  readonly browsers: number;
  readonly memoryMb: number;
  readonly warnings: readonly string[];
}

/** What a user of this slot costs (plans/user-cost.ts, the model the workers estimate uses too). */
function costOf(slot: VuSlot, catalog: PlanCatalog): { browser: boolean; video: boolean; memoryMb: number; mediaCores: number } {
  const needs = userNeedsOf(slot, catalog);
  const cost = defaultUserCost(slot.journey, needs);
  const browser = needs.kind === 'browser';
  // a protocol user that carries media (protocolMedia) sends and receives RTP: its cores count here
  return { browser, video: browser && needs.video, memoryMb: cost.memoryMb, mediaCores: needs.carriesMedia ? cost.cores : 0 };
}

export function estimatePlan(plan: ResolvedPlan, slots: readonly VuSlot[], options: DescribeOptions = {}): PlanEstimate {
  const catalog = options.catalog ?? planCatalog({});
  const machineMemoryMb = options.machineMemoryMb ?? Math.round(os.totalmem() / 2 ** 20);
  const cores = options.cores ?? os.availableParallelism();
  const contextsPerBrowser = options.contextsPerBrowser ?? 8;
  const cost = new Map(slots.map((slot) => [slot, costOf(slot, catalog)]));
  const peakUsers = peakConcurrency(slots);
  const peakBrowserUsers = peakConcurrency(slots, (slot) => (cost.get(slot)!.browser ? 1 : 0));
  const peakVideoUsers = peakConcurrency(slots, (slot) => (cost.get(slot)!.video ? 1 : 0));
  const usersMemoryMb = peakConcurrency(slots, (slot) => cost.get(slot)!.memoryMb);
  const browsers = Math.ceil(peakBrowserUsers / contextsPerBrowser);
  const memoryMb = Math.round(usersMemoryMb + browsers * memoryMbPerBrowser);
  const warnings: string[] = [];
  if (memoryMb > machineMemoryMb * 0.9) {
    warnings.push(
      `needs ~${memoryMb} MB of ${peakBrowserUsers === peakUsers ? 'browser ' : ''}memory but this machine has ${machineMemoryMb} MB: use --scale, or --shard over ${Math.ceil(memoryMb / (machineMemoryMb * 0.8))}+ machines`,
    );
  }
  const mediaCores = peakConcurrency(slots, (slot) => cost.get(slot)!.mediaCores);
  if (mediaCores > cores * 0.8) {
    warnings.push(
      `protocol users carrying media need ~${mediaCores.toFixed(1)} cores at peak (bench:media-protocol) but this machine has ${cores}: the generator will saturate (verdict inconclusive); use --scale or --shard`,
    );
  }
  const videoLimit = videoUsersPerCore * cores;
  if (peakVideoUsers > videoLimit) {
    warnings.push(
      `${peakVideoUsers} video/screen users at peak but ${cores} cores hold ~${videoLimit}: the generator will saturate (verdict inconclusive); use --scale or --shard`,
    );
  }
  if (options.maxBrowsers !== undefined && peakBrowserUsers > options.maxBrowsers * contextsPerBrowser) {
    warnings.push(
      `${peakBrowserUsers} concurrent ${peakBrowserUsers === peakUsers ? '' : 'browser '}users at peak but --max-browsers ${options.maxBrowsers} × --contexts-per-browser ${contextsPerBrowser} hold ${options.maxBrowsers * contextsPerBrowser}: the run will be refused; use --scale, --shard or raise them`,
    );
  }
  return { slots: slots.length, peakUsers, peakBrowserUsers, peakProtocolUsers: peakUsers - peakBrowserUsers, peakVideoUsers, browsers, memoryMb, warnings };
}

export function describePlan(plan: ResolvedPlan, options: DescribeOptions = {}): string {
  const catalog = options.catalog ?? planCatalog({});
  const all = buildFullSchedule(plan, catalog.journey);
  const slots = all.filter((slot) => inShard(slot.index, plan.shard));
  const sharded = plan.shard.count > 1;
  const estimate = estimatePlan(plan, slots, options);
  const lines: string[] = [];
  const scaled = [plan.scale !== 1 ? `users ×${plan.scale}` : '', plan.durationScale !== 1 ? `durations ×${plan.durationScale}` : ''].filter(Boolean);
  const scaleNote = scaled.length > 0 ? ` (scaled: ${scaled.join(', ')})` : '';
  lines.push(`plan ${plan.name}${scaleNote}${sharded ? `, shard ${formatShard(plan.shard)}` : ''}, seed ${plan.seed}`);
  if (plan.description) lines.push(`  ${plan.description}`);
  // one column per journey and driver ("chatMessaging" on browser, "chatMessaging (protocol)")
  const lanes = [...new Map(plan.phases.flatMap((phase) => phase.scenarios.map((s) => [`${s.journey}\u0000${s.driver}`, { journey: s.journey, driver: s.driver }] as const))).values()];
  const laneTitle = (lane: { journey: string; driver: string }) => (lane.driver === 'browser' ? lane.journey : `${lane.journey} (${lane.driver})`);
  const header = ['phase', 'starts', 'ramp', 'hold', 'ends', ...lanes.map(laneTitle), 'total'];
  const rows = plan.phases.map((phase) => {
    // VUs of this shard alive once the ramp is done
    const at = phase.rampEndMs;
    const alive = slots.filter((slot) => slot.startAtMs <= at && slot.stopAtMs > at);
    const perJourney = lanes.map(({ journey, driver }) => {
      const mine = alive.filter((slot) => slot.journey === journey && slot.driver === driver).length;
      const planned = phase.scenarios.find((s) => s.journey === journey && s.driver === driver)?.users ?? 0;
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
  const protocolUsers = estimate.peakProtocolUsers > 0 ? `, ${estimate.peakProtocolUsers} protocol users` : '';
  lines.push(`  estimate at peak: ${estimate.peakBrowserUsers} browser users in ~${estimate.browsers} browser${estimate.browsers === 1 ? '' : 's'}${protocolUsers}, ~${estimate.memoryMb} MB`);
  const fanOut = describeFanOut(chatFanOut(plan, catalog));
  if (fanOut.line) lines.push(`  ${fanOut.line}`);
  for (const line of options.workersLines ?? []) lines.push(`  ${line}`);
  if (plan.limits.maxArrivalsPerSecond !== undefined) lines.push(`  at most ${plan.limits.maxArrivalsPerSecond} user starts per second`);
  const calls = describeCallRooms(callRoomLayout(plan, catalog.journey));
  const needs = targetNeeds(plan, catalog);
  const sfu = options.targetMedia === 'sfu';
  if (needsMoreThanDefaults(needs)) {
    const d = referenceDefaults;
    const [voice, text] = [Math.max(d.voiceChannels, needs.voiceChannels), Math.max(d.textChannels, needs.textChannels)];
    const [history, upload] = [Math.max(d.historyLimit, needs.historyMessages), Math.max(d.maxUploadBytes, needs.uploadBytes)];
    lines.push(`  target shape: ${voice} voice channel(s), ${text} text channel(s) in the default waddle, ${history} messages kept per channel, uploads up to ${upload} bytes${sfu ? ', calls through an SFU' : ''} ` +
      `(the fleet's own reference Waddle gets them; for yours: npm run waddle -- --port P --voice-channels ${voice} --text-channels ${text} --history-limit ${history} --max-upload-bytes ${upload}${sfu ? ' --media sfu' : ''})`);
  } else if (sfu) {
    lines.push(`  target shape: calls through an SFU (the fleet's own reference Waddle starts Janus; for yours: npm run waddle -- --port P --media sfu)`);
  }
  if (calls.lines.length > 0) {
    lines.push('  calls (room → voice channel room % channels of the waddle):');
    for (const line of calls.lines) lines.push(`    ${line}`);
  }
  lines.push(...describeNetworks(plan.networks ?? {}, slots, (driver) => (catalog.driver(driver)?.kind ?? 'browser') === 'browser'));
  if (options.gateLines) {
    lines.push('  gate (every threshold must have data and hold):');
    for (const line of options.gateLines) lines.push(`    ${line}`);
  }
  for (const warning of [...estimate.warnings, ...calls.warnings, ...scalingWarnings(plan), ...unfedThresholdWarnings(plan, catalog), ...(fanOut.warning ? [fanOut.warning] : [])]) lines.push(`  WARNING: ${warning}`);
  return lines.join('\n');
}

/** What --scale did that the user may not have meant: phases left empty, ramps squeezed under a second. */
function scalingWarnings(plan: ResolvedPlan): string[] {
  if (plan.scale === 1) return [];
  const warnings: string[] = [];
  const empty = plan.phases.filter((p) => p.targetUsers === 0).map((p) => `'${p.name}'`);
  if (empty.length > 0) warnings.push(`--scale ${plan.scale} leaves phase(s) ${empty.join(', ')} with 0 users; raise --scale`);
  if (plan.scaleDurations) {
    const squeezed = plan.phases.filter((p) => p.rampUpMs > 0 && p.rampUpMs < 1000).map((p) => `'${p.name}' (${formatDurationMs(p.rampUpMs)})`);
    if (squeezed.length > 0) warnings.push(`--scale-durations squeezes the ramp of ${squeezed.join(', ')} under a second: users start almost at once; scale durations less (drop --scale-durations, or use a plan of your own)`);
  }
  return warnings;
}
