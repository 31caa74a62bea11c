// What the InfluxDB sink writes, as line protocol with nanosecond timestamps:
// each interval's aggregates, measurement = metric name, tags = run, shard, phase + the series' tags,
// time = interval end; fields by kind:
//   trend count,sum,min,max,mean,p50,p90,p95,p99 · counter value,count · rate rate,nonZero,count · gauge last,min,max
// and events as measurement `events` (tags type, reason, run, shard; string field message).
// Raw samples are not written (volume; the run folder has them).
//
// InfluxDB keeps ONE point per series and timestamp: two users starting in the same millisecond
// (same type, run, shard) would overwrite each other. So events carry a per-millisecond sequence
// in the sub-millisecond digits of their timestamp: the k-th event of a millisecond is written at
// ms + k ns. No tag is added (a per-user or counter tag would multiply series).
import type { IntervalSnapshot, RunEvent, SeriesAggregate } from '../types.ts';
import { toLine, type FieldValue } from './line-protocol.ts';
import { redactUrl } from '../../common/redact.ts';

/** a nanosecond timestamp string for a millisecond time plus a sequence (0 ≤ seq < 1,000,000) */
export function nsTimestamp(timeMs: number, seq = 0): string {
  const ms = Math.round(timeMs);
  if (seq === 0) return ms === 0 ? '0' : `${ms}000000`;
  return `${ms}${String(seq).padStart(6, '0')}`;
}

function fieldsOf(s: SeriesAggregate): Record<string, FieldValue | undefined> {
  switch (s.kind) {
    case 'trend':
      return { count: s.count, sum: s.sum, min: s.min, max: s.max, mean: s.count ? s.sum / s.count : 0, p50: s.p50, p90: s.p90, p95: s.p95, p99: s.p99 };
    case 'counter':
      return { value: s.sum, count: s.count };
    case 'rate':
      return { rate: s.count ? (s.nonZero ?? 0) / s.count : 0, nonZero: s.nonZero ?? 0, count: s.count };
    case 'gauge':
      return { last: s.last, min: s.min, max: s.max };
  }
}

/** interval aggregates as line protocol (exported for tests and tools) */
export function intervalToLines(snapshot: IntervalSnapshot): string[] {
  const out: string[] = [];
  const time = nsTimestamp(snapshot.endMs);
  for (const s of snapshot.series) {
    // run/shard/phase last so they win over any same-named series tag
    const line = toLine(s.metric, { ...s.tags, run: snapshot.runId, shard: snapshot.shard, phase: snapshot.phase }, fieldsOf(s), time);
    if (line !== undefined) out.push(line);
  }
  return out;
}

/**
 * Hands out the sequence number of each event within its millisecond. Bounded: it remembers the
 * last 4096 milliseconds it saw (events arrive roughly in time order; one further back than that
 * restarts at 0, which can only collide with an event 4096 distinct milliseconds older).
 */
export class EventSequence {
  private readonly nextByMs = new Map<number, number>();

  next(timeMs: number): number {
    const ms = Math.round(timeMs);
    const seq = this.nextByMs.get(ms) ?? 0;
    this.nextByMs.delete(ms); // re-insert: the Map's order is then most recently used last
    this.nextByMs.set(ms, Math.min(seq + 1, 999_999));
    if (this.nextByMs.size > 4096) this.nextByMs.delete(this.nextByMs.keys().next().value as number);
    return seq;
  }
}

/** an event as a line; its message loses URL credentials (an error quoting http://user:pw@target) on the way to the store */
export function eventToLine(e: RunEvent, runId: string, shard: string, seq = 0): string | undefined {
  return toLine('events', { type: e.type, reason: e.reason, run: runId, shard }, { message: redactUrl(e.message ?? e.type) }, nsTimestamp(e.timeMs, seq));
}
