import { describe, expect, it } from 'vitest';
import { sleep, sleepUntil, TimeoutError, withTimeout } from './async.ts';

describe('waiting', () => {
  it('sleepUntil never ends before its deadline (a plain timer may, by its millisecond rounding)', async () => {
    for (let i = 0; i < 40; i++) {
      const dueMs = performance.now() + 3.7; // a fractional deadline is the worst case for a timer
      await sleepUntil(dueMs);
      expect(performance.now()).toBeGreaterThanOrEqual(dueMs);
    }
  });

  it('sleep and sleepUntil end at once when a signal aborts', async () => {
    const stop = new AbortController();
    const started = performance.now();
    setTimeout(() => stop.abort(), 20);
    await Promise.all([sleep(10_000, stop.signal), sleepUntil(performance.now() + 10_000, undefined, stop.signal)]);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('withTimeout rejects with a TimeoutError naming what did not finish', async () => {
    await expect(withTimeout(new Promise(() => {}), 20, 'the thing')).rejects.toBeInstanceOf(TimeoutError);
    await expect(withTimeout(new Promise(() => {}), 20, 'the thing')).rejects.toThrow(/the thing/);
    await expect(withTimeout(Promise.resolve(7), 1000, 'x')).resolves.toBe(7);
  });
});
