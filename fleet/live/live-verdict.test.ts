import { describe, expect, it } from 'vitest';
import type { ThresholdResult } from '../../metrics/run-summary.ts';
import { liveVerdict } from './live-verdict.ts';

const t = (metric: string, ok: boolean, noData = false, observed: number | null = 1): ThresholdResult =>
  ({ metric, expression: 'p(95)<100', observed: noData ? null : observed, ok, noData, abortOnFail: false });

describe('liveVerdict', () => {
  it('holds while every threshold with data holds; no data yet is waiting, not failing', () => {
    const v = liveVerdict({ thresholds: [t('a', true), t('b', false, true)], saturated: false, saturationReasons: [], usersStarted: 3 });
    expect(v.state).toBe('holding');
    expect(v.headline).toBe('1 of 2 threshold(s) hold so far, 1 wait for data');
    expect(v.reasons.join(' ')).toContain('waiting for data: b p(95)<100');
  });

  it('fails as soon as a threshold with data fails, naming it', () => {
    const v = liveVerdict({ thresholds: [t('a', true), t('chat.delivery_ms', false, false, 250)], saturated: false, saturationReasons: [], usersStarted: 3 });
    expect(v.state).toBe('failing');
    expect(v.headline).toContain('1 fail');
    expect(v.reasons.join(' ')).toContain('chat.delivery_ms');
  });

  it('a saturated generator outranks failing thresholds, as the final verdict does', () => {
    const v = liveVerdict({ thresholds: [t('a', false)], saturated: true, saturationReasons: ['CPU 97%'], usersStarted: 3 });
    expect(v.state).toBe('saturated');
    expect(v.reasons[0]).toContain('CPU 97%');
  });

  it('says it is starting before any user started', () => {
    expect(liveVerdict({ thresholds: [t('a', false, true)], saturated: false, saturationReasons: [], usersStarted: 0 }).state).toBe('starting');
  });

  it('leaves thresholds deferred to the merge out', () => {
    const deferred = { ...t('journey.completed', true), deferred: true };
    expect(liveVerdict({ thresholds: [deferred, t('a', true)], saturated: false, saturationReasons: [], usersStarted: 1 }).headline).toBe('1 of 1 threshold(s) hold so far');
  });
});
