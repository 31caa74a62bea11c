import { describe, expect, it } from 'vitest';
import { shippedPlans } from './index.ts';
import { resolvePlan } from './resolve.ts';
import { buildFullSchedule } from './schedule.ts';
import { definePlan } from './define-plan.ts';

describe('the ramp: users start one at a time, journeys interleaved', () => {
  it('the smoke plan starts its 8 users 2.5 s apart over its 20 s ramp, never several at once (issue 19: 6 at 0 s)', () => {
    const slots = buildFullSchedule(resolvePlan(shippedPlans.smoke!, { seed: 1 }));
    expect(slots.map((s) => s.startAtMs)).toEqual([0, 2500, 5000, 7500, 10_000, 12_500, 15_000, 17_500]);
    // each call's members start next to each other: room 1 first, then room 0
    expect(slots.filter((s) => s.callRoom !== undefined).map((s) => [s.callRoom, s.startAtMs])).toEqual([[1, 0], [1, 2500], [0, 10_000], [0, 12_500], [0, 17_500]]);
    // every journey's first user comes before any journey's second
    const journeys = new Set(shippedPlans.smoke!.phases[0]!.scenarios.map((s) => s.journey));
    expect(new Set(slots.slice(0, journeys.size).map((s) => s.journey))).toEqual(journeys);
  });

  it('keeps one journey\'s ramp as it was (the k-th of d at rampUp·k/d) and interleaves two in proportion', () => {
    const plan = (scenarios: { journey: string; users: number }[]) =>
      buildFullSchedule(resolvePlan(definePlan({ name: 'ramp', phases: [{ name: 'p', targetUsers: scenarios.reduce((n, s) => n + s.users, 0), rampUp: '10s', duration: '10s', scenarios }] })));
    expect(plan([{ journey: 'chatMessaging', users: 4 }]).map((s) => s.startAtMs)).toEqual([0, 2500, 5000, 7500]);
    const two = plan([{ journey: 'chatMessaging', users: 4 }, { journey: 'fileUpload', users: 1 }]);
    expect(two.map((s) => [s.journey, s.startAtMs])).toEqual([
      ['chatMessaging', 0], ['fileUpload', 2000], ['chatMessaging', 4000], ['chatMessaging', 6000], ['chatMessaging', 8000],
    ]);
  });

  it('a second phase interleaves its own new users over its own ramp, after the first', () => {
    const slots = buildFullSchedule(resolvePlan(definePlan({
      name: 'two-phases',
      phases: [
        { name: 'a', targetUsers: 2, rampUp: '4s', duration: '4s', scenarios: [{ journey: 'chatMessaging', users: 2 }] },
        { name: 'b', targetUsers: 4, rampUp: '4s', duration: '4s', scenarios: [{ journey: 'chatMessaging', users: 3 }, { journey: 'fileUpload', users: 1 }] },
      ],
    })));
    expect(slots.map((s) => [s.phase, s.journey, s.startAtMs])).toEqual([
      ['a', 'chatMessaging', 0], ['a', 'chatMessaging', 2000], ['b', 'chatMessaging', 8000], ['b', 'fileUpload', 10_000],
    ]);
  });
});
