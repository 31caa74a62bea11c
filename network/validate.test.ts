import { describe, expect, it } from 'vitest';
import { resolvePlan } from '../plans/resolve.ts';
import { buildFullSchedule } from '../plans/schedule.ts';
import { validatePlan } from '../plans/validate.ts';
import type { Plan } from '../plans/schema.ts';

const plan = (extra: Record<string, unknown>, network?: unknown) => ({
  name: 'p',
  ...extra,
  phases: [{ name: 'a', targetUsers: 4, rampUp: '0s', duration: '10s', scenarios: [{ journey: 'videoCall', users: 4, ...(network !== undefined ? { network } : {}) }] }],
});

describe('networks in a plan', () => {
  it('reports every problem at once, with where and a did-you-mean', () => {
    const v = validatePlan(plan({ networks: [{ name: 'hotel', down: { rateKbs: 1, lossPercent: 150 }, schedule: [{ at: 30, up: {} }] }, { name: '4g' }] }, { '4G': 1, hotl: 0 }), 'p.ts');
    expect(v.ok).toBe(false);
    const problems = (v as { problems: string[] }).problems;
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/networks\[0\]\.down: unknown key 'rateKbs'; did you mean 'rateKbps'\?/),
      expect.stringMatching(/networks\[0\]\.down\.lossPercent: expected a percentage from 0 to 100/),
      expect.stringMatching(/networks\[0\]\.schedule\[0\]\.at: expected a time after the load started like '30s'/),
      expect.stringMatching(/networks\[1\]\.name: '4g' is already a preset/),
      expect.stringMatching(/scenarios\[0\]\.network\['4G'\]: unknown network '4G'; did you mean '4g'\?/),
      expect.stringMatching(/scenarios\[0\]\.network\['hotl'\]: .*did you mean 'hotel'\?/),
      expect.stringMatching(/scenarios\[0\]\.network\['hotl'\]: expected a share > 0/),
    ]));
  });

  it('deals shares to users by the seed, tags everyone once any user has a network, and --network overrides', () => {
    const p = plan({ networks: [{ name: 'hotel', down: { delayMs: 50 } }] }, { '3g': 1, hotel: 1 }) as unknown as Plan;
    expect(validatePlan(p, 'p.ts').ok).toBe(true);
    const slots = buildFullSchedule(resolvePlan(p, { seed: 1 }));
    expect(slots.map((s) => s.network).sort()).toEqual(['3g', '3g', 'hotel', 'hotel']);
    expect(buildFullSchedule(resolvePlan(p, { seed: 1 })).map((s) => s.network)).toEqual(slots.map((s) => s.network));
    const none = plan({}) as unknown as Plan;
    expect(buildFullSchedule(resolvePlan(none, { seed: 1 })).every((s) => s.network === undefined)).toBe(true);
    const overridden = resolvePlan(none, { seed: 1, network: '4g' });
    expect(Object.keys(overridden.networks ?? {})).toEqual(['4g']);
    expect(buildFullSchedule(overridden).every((s) => s.network === '4g')).toBe(true);
    expect(() => resolvePlan(none, { network: 'lte' })).toThrow(/--network: unknown network 'lte'/);
  });
});
