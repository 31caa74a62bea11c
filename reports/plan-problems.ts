// Problems of the plan, not of the target. A user alone in a call has nobody to receive media
// from, so its wait_remote_* steps time out on a perfectly healthy Waddle: that is the plan's
// room sizing (users that do not fill rooms, ramps that leave one caller in a room), and it is
// reported as such, with the plan's own room figures (plan.callRooms, from the resolved plan).
import type { RunSummary, StepSummary } from '../metrics/run-summary.ts';

export interface CallRooms {
  readonly journey: string;
  readonly driver: string;
  readonly roomSize: number;
  readonly rooms: number;
  /** rooms that ever held a single participant */
  readonly loneRooms: number;
}

export interface LoneCallerProblem {
  readonly rooms: CallRooms;
  /** the journey's wait_remote_* steps that failed */
  readonly failedWaits: readonly StepSummary[];
  /** the journey's failing steps are all explained by the plan (so its iteration failures are too) */
  readonly explainsJourney: boolean;
}

const isRoomList = (value: unknown): value is CallRooms[] =>
  Array.isArray(value) && value.every((r) => r && typeof r === 'object' && typeof (r as CallRooms).journey === 'string' && typeof (r as CallRooms).loneRooms === 'number');

/** plan.callRooms of the resolved plan, when the run recorded it (older runs did not) */
export function callRoomsOf(summary: RunSummary): readonly CallRooms[] {
  const plan = summary.plan as { callRooms?: unknown } | null | undefined;
  return isRoomList(plan?.callRooms) ? plan.callRooms : [];
}

export const isRemoteMediaWait = (step: string): boolean => step.startsWith('wait_remote_');

/** Call journeys with lone rooms whose remote-media waits failed. */
export function loneCallerProblems(summary: RunSummary): LoneCallerProblem[] {
  const out: LoneCallerProblem[] = [];
  for (const rooms of callRoomsOf(summary)) {
    if (rooms.loneRooms <= 0) continue;
    const mine = summary.steps.filter((s) => s.journey === rooms.journey);
    const failedWaits = mine.filter((s) => isRemoteMediaWait(s.step) && s.errors > 0);
    if (failedWaits.length === 0) continue;
    const explainsJourney = mine.filter((s) => s.errors > 0).every((s) => isRemoteMediaWait(s.step));
    out.push({ rooms, failedWaits, explainsJourney });
  }
  return out;
}

/** "journey/step" keys whose failures the plan explains: kept out of target findings and capacity trends */
export function planExplainedSteps(problems: readonly LoneCallerProblem[]): Set<string> {
  return new Set(problems.flatMap((p) => p.failedWaits.map((s) => `${s.journey}/${s.step}`)));
}
