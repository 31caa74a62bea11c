// What a thread of the fleet says about its own memory: its V8 heap used and its garbage-collection
// pauses. Every thread has a heap and a collector of its own (a protocol worker's major GC stops
// that worker's users, not the main thread's), so each thread watches itself and the main thread
// adds the figures up (./thread-figures.ts): generator.worker_heap_mb, generator.gc_pause_ms.
// The cost: one PerformanceObserver callback per batch of GC entries (tens of scavenges a second
// on a busy protocol thread) and one v8.getHeapStatistics() per report.
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import v8 from 'node:v8';

/** The collector's kinds, as perf_hooks names them (NODE_PERFORMANCE_GC_*), in the tag's words. */
export type GcKind = 'minor' | 'major' | 'incremental' | 'weakcb';

export const gcKinds: readonly GcKind[] = ['minor', 'major', 'incremental', 'weakcb'];

/** The longest pause of each kind (ms) since the last take; kinds that did not run are absent. */
export type GcPauses = Partial<Record<GcKind, number>>;

export function gcKindOf(flag: number): GcKind | undefined {
  switch (flag) {
    case constants.NODE_PERFORMANCE_GC_MINOR:
      return 'minor';
    case constants.NODE_PERFORMANCE_GC_MAJOR:
      return 'major';
    case constants.NODE_PERFORMANCE_GC_INCREMENTAL:
      return 'incremental';
    case constants.NODE_PERFORMANCE_GC_WEAKCB:
      return 'weakcb';
    default:
      return undefined;
  }
}

/** This thread's V8 heap used (live objects and garbage not yet collected), MB. */
export function heapUsedMb(): number {
  return v8.getHeapStatistics().used_heap_size / (1024 * 1024);
}

/** The worker threads' figures since the last take. */
export interface OtherThreads {
  /** the worst worker's event-loop delay, p99 ms (0 when none reported) */
  readonly loopP99Ms: number;
  /**
   * V8 heap used, summed over the workers (each one's latest report; undefined before any): a sum,
   * so that with generator.node_heap_mb (the main thread's) it is all the JavaScript heap inside
   * generator.memory_mb (the process's RSS), and a worker that grows moves it as much as it grows.
   * Workers get the same mix of users (round robin), so the largest is about the sum / workers.
   */
  readonly heapMb: number | undefined;
  /** the longest GC pause of each kind over all workers, ms */
  readonly gc: GcPauses;
}

/** Fold pauses into `into`: the longest of each kind wins. */
export function addPauses(into: GcPauses, pauses: GcPauses): void {
  for (const kind of gcKinds) {
    const ms = pauses[kind];
    if (ms !== undefined && ms > (into[kind] ?? -1)) into[kind] = ms;
  }
}

/** Watches this thread's GC pauses from start() to stop(); take() hands over the longest of each kind and starts again. */
export class GcWatch {
  #longest: GcPauses = {};
  #observer: PerformanceObserver | undefined;

  start(): this {
    if (this.#observer) return this;
    this.#observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) this.#add(entry);
    });
    this.#observer.observe({ entryTypes: ['gc'] });
    return this;
  }

  stop(): void {
    this.#observer?.disconnect();
    this.#observer = undefined;
  }

  take(): GcPauses {
    const longest = this.#longest;
    this.#longest = {};
    return longest;
  }

  #add(entry: PerformanceEntry): void {
    const kind = gcKindOf((entry as unknown as { detail?: { kind?: number } }).detail?.kind ?? -1);
    if (kind !== undefined && entry.duration > (this.#longest[kind] ?? -1)) this.#longest[kind] = entry.duration;
  }
}
