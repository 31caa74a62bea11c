// The schedule: every virtual user a resolved plan will ever run, before the run (plan data, so the
// dry run shows it and every shard computes the same one): its global index, journey, driver,
// planned start and stop, and call room. fleet/scheduler.ts runs it on time.
import { builtInJourneys } from '../journeys/registry.ts';
import { mergeParams } from '../journeys/params.ts';
import type { Journey } from '../journeys/types.ts';
import { NetworkDealer } from '../network/assign.ts';
import { assignCallRooms, type CallRoomLayout } from './call-rooms.ts';
import type { ResolvedPlan } from './resolve.ts';
import { inShard } from './shard.ts';
export { peakConcurrency } from './peak-concurrency.ts';

export interface VuSlot {
  /** global index across all shards (0-based); the VU's seed and shard follow from it */
  readonly index: number;
  readonly journey: string;
  /** the driver this VU runs on */
  readonly driver: string;
  /** 0-based index among the users of this journey on this driver (whole plan): call rooms group by it */
  readonly indexInJourney: number;
  /** the call room the plan put this VU in (plans/call-rooms.ts); undefined for journeys without calls */
  readonly callRoom?: number;
  /** the plan's params for this journey in the phase where the VU starts */
  readonly params: Readonly<Record<string, unknown>>;
  /** name of the phase in which the VU starts */
  readonly phase: string;
  readonly phaseIndex: number;
  /** offsets from the run start, ms */
  readonly startAtMs: number;
  readonly stopAtMs: number;
  /** the user's network profile name (ResolvedPlan.networks; 'none' = unimpaired); absent when the plan gives no user a network */
  readonly network?: string;
}

interface PendingVu {
  journey: string;
  driver: string;
  journeyOrder: number;
  sequence: number;
  params: Readonly<Record<string, unknown>>;
  phase: string;
  phaseIndex: number;
  startAtMs: number;
  stopAtMs: number;
  network?: string;
  /** k/d: how far through its journey's ramp of this phase the VU starts (interleaveStarts orders by it) */
  rampShare: number;
}

/**
 * Every VU of the whole plan, indexed, before sharding. Per journey, a phase moves the count
 * linearly from the previous phase's to its own over rampUp: of a phase's D new VUs (all journeys)
 * the j-th starts at rampUp·j/D, journeys interleaved in proportion (the k-th of a journey's d new
 * VUs comes at share k/d of the order), so users start one at a time, never one of each journey at
 * once (the demo's 6 journeys starting together put 88% of 2 cores into its first seconds); when
 * the count falls by e, the newest VUs stop first, the m-th at rampUp·m/e. All VUs still running
 * stop at the end of the plan. Indices follow (start, journey order, sequence).
 */
export function buildFullSchedule(plan: ResolvedPlan, journeyOf: JourneyLookup = builtInLookup): VuSlot[] {
  const slots = plannedSlots(plan);
  const { rooms } = assignCallRooms(slots, roomRuleOf(journeyOf));
  return slots.map((slot, i) => (rooms[i] === undefined ? slot : { ...slot, callRoom: rooms[i] }));
}

/** Who calls in which rooms, for the dry run and plan.json (lone rooms are a plan problem). */
export function callRoomLayout(plan: ResolvedPlan, journeyOf: JourneyLookup = builtInLookup): CallRoomLayout[] {
  return assignCallRooms(plannedSlots(plan), roomRuleOf(journeyOf)).layout;
}

/** A journey by name: the plan's catalogue (plans/catalog.ts); default: the built-in journeys only. */
export type JourneyLookup = (name: string) => Journey | undefined;
const builtInLookup: JourneyLookup = (name) => builtInJourneys[name];

function roomRuleOf(journeyOf: JourneyLookup) {
  return (slot: VuSlot) => {
    const journey = journeyOf(slot.journey);
    return journey?.callRoom?.(mergeParams(journey.defaults, slot.params));
  };
}

function plannedSlots(plan: ResolvedPlan): VuSlot[] {
  // one lane per (journey, driver), in order of first appearance
  const lanes = new Map<string, { journey: string; driver: string; order: number }>();
  for (const phase of plan.phases) {
    for (const s of phase.scenarios) {
      const key = laneKey(s.journey, s.driver);
      if (!lanes.has(key)) lanes.set(key, { journey: s.journey, driver: s.driver, order: lanes.size });
    }
  }
  const all: PendingVu[] = [];
  for (const lane of lanes.values()) all.push(...laneSlots(plan, lane));
  interleaveStarts(plan, all);
  return all
    .filter((vu) => vu.stopAtMs > vu.startAtMs) // a VU that would start and stop at once does no work
    .sort((a, b) => a.startAtMs - b.startAtMs || a.journeyOrder - b.journeyOrder || a.sequence - b.sequence)
    .map((vu, index) => ({
      index,
      journey: vu.journey,
      driver: vu.driver,
      indexInJourney: vu.sequence,
      params: vu.params,
      phase: vu.phase,
      phaseIndex: vu.phaseIndex,
      startAtMs: vu.startAtMs,
      stopAtMs: vu.stopAtMs,
      ...(vu.network !== undefined ? { network: vu.network } : {}),
    }));
}

const laneKey = (journey: string, driver: string): string => `${journey}\u0000${driver}`;

/** The VUs of one journey on one driver over the phases (see buildFullSchedule for the ramp rule). */
function laneSlots(plan: ResolvedPlan, lane: { journey: string; driver: string; order: number }): PendingVu[] {
  const running: PendingVu[] = [];
  const all: PendingVu[] = [];
  let sequence = 0;
  for (const phase of plan.phases) {
    const scenario = phase.scenarios.find((s) => s.journey === lane.journey && s.driver === lane.driver);
    const delta = (scenario?.users ?? 0) - running.length;
    const usesNetworks = Object.keys(plan.networks ?? {}).length > 0;
    // the scenario's users of this phase are dealt its network shares (network/assign.ts)
    const dealer = scenario?.network ? new NetworkDealer(scenario.network, plan.seed * 31 + lane.order * 1009 + phase.index) : undefined;
    for (let k = 0; k < delta; k++) {
      const vu: PendingVu = {
        journey: lane.journey,
        driver: lane.driver,
        journeyOrder: lane.order,
        sequence: sequence++,
        params: scenario?.params ?? {},
        phase: phase.name,
        phaseIndex: phase.index,
        startAtMs: phase.startMs, // interleaveStarts spreads them over the ramp
        stopAtMs: plan.totalDurationMs,
        rampShare: k / delta,
        ...(usesNetworks ? { network: dealer?.next() ?? 'none' } : {}),
      };
      running.push(vu);
      all.push(vu);
    }
    // mirrors the starts (the m-th at rampUp·m/e): one lane ramping down while another ramps up then
    // never holds more users than either phase (volume showed 707 at peak of phases of 50 and 706)
    for (let m = 0; m < -delta; m++) running.pop()!.stopAtMs = phase.startMs + Math.floor((phase.rampUpMs * m) / -delta);
  }
  return all;
}

/** Each phase's new VUs, all journeys, one after another over its ramp (see buildFullSchedule). */
function interleaveStarts(plan: ResolvedPlan, all: PendingVu[]): void {
  for (const phase of plan.phases) {
    const starting = all.filter((vu) => vu.phaseIndex === phase.index);
    starting.sort((a, b) => a.rampShare - b.rampShare || a.journeyOrder - b.journeyOrder || a.sequence - b.sequence);
    starting.forEach((vu, j) => (vu.startAtMs = phase.startMs + Math.floor((phase.rampUpMs * j) / starting.length)));
  }
}

/** The VUs this shard runs (global index % n === i - 1), in start order. */
export function buildSchedule(plan: ResolvedPlan, journeyOf: JourneyLookup = builtInLookup): VuSlot[] {
  return buildFullSchedule(plan, journeyOf).filter((slot) => inShard(slot.index, plan.shard));
}


