import { describe, expect, it } from 'vitest';
import { formatDurationMs, parseDurationMs, tryParseDurationMs } from './duration.ts';

describe('parseDurationMs', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1m30s', 90_000],
    ['1.5s', 1_500],
    ['0s', 0],
  ])('%s → %d ms', (text, ms) => expect(parseDurationMs(text)).toBe(ms));

  it.each([['-5s'], [''], ['  '], ['30'], ['5 minutes'], ['NaNs'], ['1d'], ['s']])('rejects %j', (text) => {
    expect(tryParseDurationMs(text)).toBeUndefined();
    expect(() => parseDurationMs(text, 'phases[0].rampUp')).toThrow(/phases\[0\]\.rampUp: expected a duration like/);
  });

  it('rejects non-strings', () => {
    for (const value of [30, NaN, null, undefined, {}]) expect(tryParseDurationMs(value)).toBeUndefined();
  });

  it('formats back', () => {
    expect(formatDurationMs(90_000)).toBe('1m30s');
    expect(formatDurationMs(5_700_000)).toBe('1h35m');
    expect(formatDurationMs(250)).toBe('250ms');
    expect(parseDurationMs(formatDurationMs(3_723_004))).toBe(3_723_004);
  });
});
