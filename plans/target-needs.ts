// What a plan asks of its target's shape: a voice channel per call room (so rooms never share one),
// enough text channels for its chatters' channel groups (journeys with channelSize), a history
// long enough for what its seeders fill (journeys with fillTo) and an upload limit that takes its
// files (journeys with sizeBytes). The fleet starts its reference Waddle with them; the dry run
// says so for a target of your own.
import { mergeParams } from '../journeys/params.ts';
import type { PlanCatalog } from './catalog.ts';
import type { ResolvedPlan } from './resolve.ts';
import { callRoomLayout } from './schedule.ts';

export interface TargetNeeds {
  readonly voiceChannels: number;
  readonly textChannels: number;
  /** messages a channel must keep (the largest fillTo); 0 when no journey fills one */
  readonly historyMessages: number;
  /** the largest upload (sizeBytes); 0 when no journey uploads */
  readonly uploadBytes: number;
}

export function targetNeeds(plan: ResolvedPlan, catalog: PlanCatalog): TargetNeeds {
  const voiceChannels = Math.max(0, ...callRoomLayout(plan, catalog.journey).map((l) => l.lastRoom + 1));
  let textChannels = 1;
  let historyMessages = 0;
  let uploadBytes = 0;
  for (const phase of plan.phases) {
    for (const s of phase.scenarios) {
      if (s.users <= 0) continue;
      const params = mergeParams(catalog.journey(s.journey)?.defaults, s.params);
      const channelSize = Number(params.channelSize ?? 0);
      if (channelSize > 0) textChannels = Math.max(textChannels, Math.ceil(s.users / channelSize));
      historyMessages = Math.max(historyMessages, positive(params.fillTo));
      uploadBytes = Math.max(uploadBytes, positive(params.sizeBytes));
    }
  }
  return { voiceChannels, textChannels, historyMessages, uploadBytes };
}

const positive = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.ceil(value) : 0);

/** The reference Waddle's defaults (reference-waddle/options.ts; plans/ do not import the target). */
export const referenceDefaults = { voiceChannels: 10, textChannels: 3, historyLimit: 200, maxUploadBytes: 50 * 1024 * 1024 } as const;

/** Whether the reference Waddle's defaults fall short of these needs (then the dry run names the flags). */
export function needsMoreThanDefaults(needs: TargetNeeds): boolean {
  const d = referenceDefaults;
  return needs.voiceChannels > d.voiceChannels || needs.textChannels > d.textChannels || needs.historyMessages > d.historyLimit || needs.uploadBytes > d.maxUploadBytes;
}
