import { describe, expect, it } from 'vitest';
import { sampleBrowserUsers, sampleSize } from './browser-sample.ts';
import { resolvePlan } from './resolve.ts';
import { shippedPlans } from './index.ts';

const scenario = (journey: string, users: number, driver = 'protocol') => ({ journey, driver, users, params: {} });
const call = (s: { journey: string }) => (s.journey.endsWith('Call') ? 2 : 1);

describe('the browser sample of a hybrid plan', () => {
  it('takes share × protocol users, at least min, at most max, never more than there are', () => {
    expect(sampleSize(10_000, { share: 0.005, min: 8 })).toBe(50);
    expect(sampleSize(10_000, { share: 0.0008, min: 8, max: 12 })).toBe(8);
    expect(sampleSize(100, { share: 0.0008, min: 8 })).toBe(8);
    expect(sampleSize(5, { share: 0.5, min: 8 })).toBe(5);
  });

  it('gives every sampled journey its minimum first (2 for a call), the rest by users, and keeps browser users out of protocol users', () => {
    const out = sampleBrowserUsers([scenario('voiceCall', 3000), scenario('chatMessaging', 6000), scenario('fileUpload', 1000), scenario('smoke', 4, 'browser')], { share: 0.0008, min: 8 }, call);
    const browsers = Object.fromEntries(out.filter((s) => s.driver === 'browser').map((s) => [s.journey, s.users]));
    expect(browsers).toEqual({ voiceCall: 3, chatMessaging: 4, fileUpload: 1, smoke: 4 }); // 2+1+1 first, then 4 by users
    expect(out.find((s) => s.journey === 'voiceCall' && s.driver === 'protocol')?.users).toBe(2997);
    expect(out.reduce((n, s) => n + s.users, 0)).toBe(10_004);
  });

  it('never leaves a single protocol caller alone in its call', () => {
    const out = sampleBrowserUsers([scenario('voiceCall', 3), scenario('chatMessaging', 5)], { share: 0, min: 4 }, call);
    expect(out.filter((s) => s.journey === 'voiceCall').map((s) => [s.driver, s.users])).toEqual([['protocol', 0], ['browser', 3]]);
  });

  it('keeps 8 browser users in the shipped stress plan at full scale, beside 9,992 protocol users', () => {
    const peak = resolvePlan(shippedPlans.stress!).phases.at(-1)!;
    const by = (driver: string) => peak.scenarios.filter((s) => s.driver === driver).reduce((n, s) => n + s.users, 0);
    expect(by('browser')).toBe(8);
    expect(by('protocol')).toBe(9_992);
  });
});
