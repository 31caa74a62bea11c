// The one cost model of a user, for the dry run's estimate (plans/describe.ts) and the workers a
// plan needs (fleet/calibration/workers-needed.ts): what a user needs (its driver's kind, the media
// its journey sends, whether its protocol driver carries real RTP), and the uncalibrated cost of
// that in cores and MB. `waddle-fleet calibrate` replaces these figures for the journeys it measures.
import { protocolMediaCost } from '../clients/protocol-media/cost.ts';
import type { PlanCatalog } from './catalog.ts';
import type { VuSlot } from './schedule.ts';

export { protocolMediaCost };

/** Above ~6 video users per core the machine freezes and loses packets (measured: 16 saturate 2 cores). */
export const videoUsersPerCore = 6;
/** PSS of one more browser process (measured on 2 cores, shared/DESIGN.md). */
export const memoryMbPerBrowser = 150;

/** What a user of a slot needs from the machine. */
export interface UserNeeds {
  readonly kind: 'browser' | 'protocol';
  /** its journey sends a camera or a screen */
  readonly video: boolean;
  readonly screen: boolean;
  /** its journey joins calls */
  readonly voice: boolean;
  /** a protocol user whose driver carries real RTP in its calls (protocolMedia) */
  readonly carriesMedia: boolean;
}

/** Cost of one user in cores and MB, and the fixed cost of the worker running it. */
export interface UserCost {
  readonly cores: number;
  readonly memoryMb: number;
  readonly fixedCores: number;
  readonly fixedMemoryMb: number;
  readonly calibrated: boolean;
}

export function userNeedsOf(slot: VuSlot, catalog: PlanCatalog): UserNeeds {
  const driver = catalog.driver(slot.driver);
  const journey = catalog.journey(slot.journey);
  const kind = catalog.isBrowserDriver(slot.driver) ? 'browser' : 'protocol';
  const voice = journey?.requires?.includes('voice') ?? false;
  const carriesMedia = kind === 'protocol' && voice && (driver?.capabilities.includes('media') ?? false);
  return { kind, video: Boolean(journey?.media?.camera || journey?.media?.screen), screen: Boolean(journey?.media?.screen), voice, carriesMedia };
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

/** The uncalibrated cost of a user of this journey with these needs. */
export function defaultUserCost(journey: string, needs: UserNeeds): UserCost {
  const fixed = { fixedCores: needs.kind === 'protocol' && journey === 'fileUpload' ? 1.0 : 0.1, fixedMemoryMb: 300, calibrated: false };
  // a protocol user that carries media (protocolMedia) is priced by npm run bench:media-protocol
  if (needs.carriesMedia) return { ...protocolMediaCost[needs.screen ? 'screen' : needs.video ? 'video' : 'voice'], ...fixed };
  const measured = measuredOn2Cores[journey]?.[needs.kind];
  if (measured) return { cores: measured[0] * perUserMargin, memoryMb: measured[1] * perUserMargin, ...fixed };
  if (needs.kind === 'protocol') return { cores: 0.00025, memoryMb: 0.2, ...fixed };
  if (needs.video) return { cores: 0.33, memoryMb: 370, ...fixed };
  if (needs.voice) return { cores: 0.18, memoryMb: 110, ...fixed };
  return { cores: 0.19, memoryMb: 200, ...fixed };
}
