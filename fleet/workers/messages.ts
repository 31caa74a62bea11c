// What the main thread and a protocol worker thread say to each other (structured clone).
import type { NetworkProfile } from '../../network/profile.ts';
import type { RunEvent, SeriesAggregate } from '../../metrics/types.ts';
import type { VuSlot } from '../../plans/schedule.ts';
import type { MediaSize } from '../../plans/schema.ts';
import type { ScheduleResult } from '../users/scheduler.ts';
import type { ThreadReport } from './thread-figures.ts';

/** workerData: everything a worker needs to run its users, parsed once by the main thread */
export interface WorkerSetup {
  readonly worker: number;
  /** the plan as the command named it: the worker loads it for its journeys and drivers */
  readonly planRef: string;
  readonly slots: readonly VuSlot[];
  readonly target: string;
  readonly seed: number;
  /** the run's network profiles by name (slots name them) */
  readonly networks?: Readonly<Record<string, NetworkProfile>>;
  readonly thinkTimeScale: number;
  /** the plan's camera and screen sizes (protocolMedia users send them) */
  readonly media: { readonly camera?: MediaSize; readonly screen?: MediaSize };
  readonly gracefulStopMs: number;
  readonly interruptGraceMs: number;
  readonly maxArrivalsPerSecond?: number;
  /** the run's id and shard, for the worker's own (sinkless) hub */
  readonly runId: string;
  readonly shard: string;
  /** secrets to keep out of event text */
  readonly secrets: readonly string[];
}

export type ToWorker = { readonly type: 'start' } | { readonly type: 'stop' };

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly message: string }
  /** what the worker measured since its last report: merge into the open interval */
  | { readonly type: 'series'; readonly series: readonly SeriesAggregate[] }
  | { readonly type: 'events'; readonly events: readonly RunEvent[] }
  /** the worker's own health over the last second: event-loop delay p99, heap used, longest GC pauses */
  | ({ readonly type: 'loop' } & ThreadReport)
  | { readonly type: 'done'; readonly result: ScheduleResult };
