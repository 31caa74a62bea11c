// A sink that keeps everything in memory: for tests and for in-process readers
// (e.g. a console progress line). Not for long runs: it grows without bound.
import type { IntervalSnapshot, RunEvent, Sample, Sink, SinkStats } from '../types.ts';

export class MemorySink implements Sink {
  readonly samples: Sample[] = [];
  readonly intervals: IntervalSnapshot[] = [];
  readonly events: RunEvent[] = [];
  /** how many writeSamples calls were made (the hub batches; tests check it) */
  sampleBatches = 0;
  closed = false;

  constructor(readonly name = 'memory') {}

  writeSamples(samples: readonly Sample[]): void {
    this.sampleBatches += 1;
    this.samples.push(...samples);
  }

  writeInterval(snapshot: IntervalSnapshot): void {
    this.intervals.push(snapshot);
  }

  writeEvent(event: RunEvent): void {
    this.events.push(event);
  }

  async flush(): Promise<void> {}

  async close(): Promise<SinkStats> {
    this.closed = true;
    const n = this.samples.length + this.intervals.length + this.events.length;
    return { generated: n, delivered: n, retried: 0, spilled: 0, dropped: 0 };
  }
}
