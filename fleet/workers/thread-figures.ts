// What the protocol worker threads said about themselves (their 'loop' message, once a second
// each), kept by the main thread until the resource monitor's next tick takes it: the worst
// event-loop delay, every worker's latest heap and the longest GC pause of each kind.
import { addPauses, type GcPauses, type OtherThreads } from '../monitor/thread-health.ts';

/** One worker's report of its last second (the 'loop' message's figures). */
export interface ThreadReport {
  /** event-loop delay, p99 ms */
  readonly p99Ms: number;
  /** V8 heap used, MB */
  readonly heapMb: number;
  /** longest GC pause of each kind, ms */
  readonly gc: GcPauses;
}

export class WorkerFigures {
  #loopP99Ms = 0;
  readonly #heapMb = new Map<number, number>();
  #gc: GcPauses = {};

  add(worker: number, report: ThreadReport): void {
    this.#loopP99Ms = Math.max(this.#loopP99Ms, report.p99Ms);
    if (Number.isFinite(report.heapMb)) this.#heapMb.set(worker, report.heapMb);
    addPauses(this.#gc, report.gc);
  }

  /** Delay and pauses since the last take (then reset); the heap is a level and stays. */
  take(): OtherThreads {
    let heapMb: number | undefined;
    for (const mb of this.#heapMb.values()) heapMb = (heapMb ?? 0) + mb;
    const taken = { loopP99Ms: this.#loopP99Ms, heapMb, gc: this.#gc };
    this.#loopP99Ms = 0;
    this.#gc = {};
    return taken;
  }
}
