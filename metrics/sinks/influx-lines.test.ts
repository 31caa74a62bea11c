import { describe, expect, it } from 'vitest';
import { EventSequence, eventToLine, intervalToLines, nsTimestamp } from './influx-lines.ts';

describe('nanosecond timestamps', () => {
  it('writes milliseconds as nanoseconds, with a sequence in the sub-millisecond digits', () => {
    expect(nsTimestamp(1700000000123)).toBe('1700000000123000000');
    expect(nsTimestamp(1700000000123.4, 2)).toBe('1700000000123000002');
    expect(nsTimestamp(1700000000123, 999_999)).toBe('1700000000123999999');
  });
});

describe('EventSequence', () => {
  it('numbers events within their millisecond, from 0, per millisecond', () => {
    const seq = new EventSequence();
    expect([seq.next(5), seq.next(5), seq.next(6), seq.next(5), seq.next(6), seq.next(7)]).toEqual([0, 1, 0, 2, 1, 0]);
  });
  it('stays bounded: a long run does not grow it', () => {
    const seq = new EventSequence();
    for (let ms = 0; ms < 100_000; ms++) seq.next(ms);
    expect((seq as unknown as { nextByMs: Map<number, number> }).nextByMs.size).toBeLessThanOrEqual(4096);
    expect(seq.next(99_999)).toBe(1);
  });
});

describe('lines', () => {
  it('three same-type events in one millisecond are three distinct points (distinct timestamps, same tags)', () => {
    const seq = new EventSequence();
    const e = { timeMs: 1700000000123, type: 'user_start' as const, message: 'started' };
    const lines = [0, 1, 2].map(() => eventToLine(e, 'run-1', '1/1', seq.next(e.timeMs))!);
    expect(new Set(lines).size).toBe(3);
    expect(lines.map((l) => l.split(' ').at(-1))).toEqual(['1700000000123000000', '1700000000123000001', '1700000000123000002']);
    expect(new Set(lines.map((l) => l.split(' ')[0]))).toEqual(new Set(['events,run=run-1,shard=1/1,type=user_start']));
  });
  it('event messages lose URL credentials on their way to the store', () => {
    const line = eventToLine({ timeMs: 1, type: 'step_error', message: 'GET http://qa:Pa55word@staging.example/api failed' }, 'r', '1/1')!;
    expect(line).toContain('GET http://qa:***@staging.example/api failed');
    expect(line).not.toContain('Pa55word');
  });
  it('interval points are written at the interval end in nanoseconds', () => {
    const lines = intervalToLines({ runId: 'r', shard: '1/1', phase: 'p', startMs: 0, endMs: 1000, series: [{ metric: 'users.active', kind: 'gauge', tags: {}, count: 1, sum: 3, min: 3, max: 3, last: 3 }] } as never);
    expect(lines).toEqual(['users.active,phase=p,run=r,shard=1/1 last=3,min=3,max=3 1000000000']);
  });
});
