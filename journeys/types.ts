// The shape of a journey: a name and one async function (DESIGN.md style 1).
import type { Page } from 'playwright-core';
import type { Capability, DriverInfo } from '../clients/driver.ts';
import type { WaddleClient } from '../clients/waddle-client.ts';
import type { MetricsRecorder } from '../metrics/types.ts';

/** Per-user behaviour drawn from a seeded RNG (seed issue #57's generateBehaviorProfile). */
export interface BehaviourProfile {
  /** chat messages per hour */
  readonly messagesPerHour: number;
  /** share of voice time spent speaking, 0..1 */
  readonly voiceActivity: number;
  readonly videoEnabled: boolean;
  readonly screenShares: boolean;
  /** think time before reacting, ms */
  readonly reactionTimeMs: number;
  readonly sessionDurationMs: number;
}

export type { Rng } from '../common/random.ts';
import type { Rng } from '../common/random.ts';

export interface StepOptions {
  /** a failed critical step ends the journey; a non-critical one is recorded and the journey goes on */
  readonly critical?: boolean;
  /** fail the step with reason 'timeout' after this long */
  readonly timeoutMs?: number;
}

export type StepFn = <T>(name: string, fn: () => Promise<T>, options?: StepOptions) => Promise<T | undefined>;

export interface VirtualUserInfo {
  /** 0-based index across the whole plan (not just this shard) */
  readonly index: number;
  /** 0-based index among the users of this user's journey (across shards) */
  readonly indexInJourney?: number;
  /** the call room the plan put this user in (journeys with callRoom); voice channel = room % channels */
  readonly callRoom?: number;
  /** human-readable label burned into this user's fake camera, e.g. "vu-0042" */
  readonly label: string;
  readonly username: string;
}

export interface JourneyContext<P = Record<string, unknown>> {
  readonly client: WaddleClient;
  readonly step: StepFn;
  /** wait, honouring abort; without an argument the profile's reaction time is used */
  think(ms?: number): Promise<void>;
  readonly profile: BehaviourProfile;
  readonly params: P;
  readonly rng: Rng;
  readonly user: VirtualUserInfo;
  /** extra metrics beyond step timings: catalogue names (typed), or the plan's own `custom.…` declared in its `metrics` */
  readonly metrics: MetricsRecorder;
  /** aborted when the run stops (end of phase, SIGINT, abortOnFail) */
  readonly signal: AbortSignal;
  /** the target's base URL (--target, or the reference Waddle the fleet started) */
  readonly target: string;
  /** the driver this user runs on: its name, kind and capabilities */
  readonly driver: DriverInfo;
  /** the user's Playwright page on browser drivers (undefined on protocol ones); most journeys need only `client` */
  readonly page?: Page;
}

export interface Journey<P = Record<string, unknown>> {
  readonly name: string;
  readonly description?: string;
  /** what the user's driver must be able to do; a plan pairing this journey with a driver lacking one is refused */
  readonly requires?: readonly Capability[];
  /** defaults merged under the plan's params */
  readonly defaults?: P;
  /** what fake media this journey needs, so the pool prepares it */
  readonly media?: { readonly camera?: { width: number; height: number; fps: number }; readonly screen?: { width: number; height: number; fps: number } };
  /**
   * How this journey puts its users into calls, from its params: rooms of `size` users by their
   * index among the journey's users, or all in room `pinned`. The plan assigns rooms up front
   * (plans/call-rooms.ts), so callers meet whatever else the plan runs, and the dry run shows them.
   */
  callRoom?(params: P): { readonly size: number; readonly pinned?: number; readonly expectsPeers?: boolean };
  run(ctx: JourneyContext<P>): Promise<void>;
}
