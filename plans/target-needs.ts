// What a plan asks of its target's shape: a voice channel per call room (so rooms never share one)
// and enough text channels for its chatters' channel groups (journeys with channelSize). The fleet
// starts its reference Waddle with them; the dry run says so for a target of your own.
import { mergeParams } from '../journeys/params.ts';
import type { PlanCatalog } from './catalog.ts';
import type { ResolvedPlan } from './resolve.ts';
import { callRoomLayout } from './schedule.ts';

export interface TargetNeeds {
  readonly voiceChannels: number;
  readonly textChannels: number;
}

export function targetNeeds(plan: ResolvedPlan, catalog: PlanCatalog): TargetNeeds {
  const voiceChannels = Math.max(0, ...callRoomLayout(plan, catalog.journey).map((l) => l.lastRoom + 1));
  let textChannels = 1;
  for (const phase of plan.phases) {
    for (const s of phase.scenarios) {
      const journey = catalog.journey(s.journey);
      const channelSize = Number(mergeParams(journey?.defaults, s.params).channelSize ?? 0);
      if (channelSize > 0 && s.users > 0) textChannels = Math.max(textChannels, Math.ceil(s.users / channelSize));
    }
  }
  return { voiceChannels, textChannels };
}
