import { describe, expect, it } from 'vitest';
import { describeAhead, farStartProblem, parseStartAt, waitForStart } from './start-at.ts';
import { makeRunId } from './run-id.ts';

describe('start-at', () => {
  it('parses ISO and epoch ms, and explains bad input', () => {
    expect(parseStartAt('2026-11-23T18:00:00Z')).toBe(Date.UTC(2026, 10, 23, 18));
    expect(parseStartAt('1700000000000')).toBe(1700000000000);
    expect(parseStartAt('tomorrow')).toMatch(/--start-at: expected an ISO time/);
  });

  it('waits for a future start and refuses a missed one', async () => {
    const t0 = performance.now();
    expect(await waitForStart(Date.now() + 150, new AbortController().signal)).toBe(true);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(100);
    expect(await waitForStart(Date.now() - 10_000, new AbortController().signal)).toBe(false);
  });

  it('waits for a start beyond what one timer holds (24.8 days): 30 days ahead is still waiting, not started', async () => {
    const stop = new AbortController();
    let settled: boolean | undefined;
    const waiting = waitForStart(Date.now() + 30 * 86_400_000, stop.signal).then((started) => (settled = started));
    await new Promise((r) => setTimeout(r, 300));
    expect(settled).toBeUndefined(); // one overflowing setTimeout fired at once here before
    stop.abort();
    expect(await waiting).toBe(false);
  });

  it('refuses a start more than a day ahead unless allowed, saying how far and what to do', () => {
    const now = Date.UTC(2026, 11, 6, 21);
    expect(farStartProblem(now + 23 * 3_600_000, false, now)).toBeUndefined();
    expect(farStartProblem(now + 30 * 86_400_000, false, now)).toMatch(/--start-at: 2027-01-05T21:00:00.000Z is 30 days ahead, more than a day.*--start-at-far/);
    expect(farStartProblem(now + 30 * 86_400_000, true, now)).toBeUndefined();
    expect(describeAhead(3 * 3_600_000 + 20 * 60_000)).toBe('3 h 20 min');
  });

  it('makes sortable run ids with the shard', () => {
    const id = makeRunId('my plan!', { index: 2, count: 4 }, new Date(Date.UTC(2026, 0, 2, 3, 4, 5)));
    expect(id).toMatch(/^20260102-030405-my-plan--[0-9a-f]{4}-shard2of4$/);
  });
});
