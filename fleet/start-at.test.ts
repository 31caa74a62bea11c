import { describe, expect, it } from 'vitest';
import { parseStartAt, waitForStart } from './start-at.ts';
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

  it('makes sortable run ids with the shard', () => {
    const id = makeRunId('my plan!', { index: 2, count: 4 }, new Date(Date.UTC(2026, 0, 2, 3, 4, 5)));
    expect(id).toMatch(/^20260102-030405-my-plan--[0-9a-f]{4}-shard2of4$/);
  });
});
