import { describe, expect, it } from 'vitest';
import { UsageError } from '../common/errors.ts';
import { createRng } from '../common/random.ts';
import { buildFullSchedule, buildSchedule, type VuSlot } from './schedule.ts';
import { parseShard } from './shard.ts';
import { shippedPlans } from './index.ts';
import { largestRemainder, resolvePlan, scaleCountThreshold, scaleUsers } from './resolve.ts';
import type { Plan } from './schema.ts';

describe('parseShard', () => {
  it('parses i/n', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
  });
  it.each([
    ['0/4', /between 1 and 4 \(shards are numbered from 1\), got 0/],
    ['5/4', /between 1 and 4/],
    ['1/0', /count n must be a whole number ≥ 1, got 0/],
    ['two/4', /expected "i\/n" with whole numbers, like "2\/4".*got "two\/4"/],
    ['', /expected "i\/n"/],
  ])('explains %j', (text, pattern) => {
    const parsed = parseShard(text);
    expect('problem' in parsed && parsed.problem).toMatch(pattern);
  });
});

describe('largestRemainder and the scale rule', () => {
  it('splits exactly and deterministically', () => {
    expect(largestRemainder(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(largestRemainder(200, [6, 3, 1])).toEqual([120, 60, 20]);
    expect(largestRemainder(7, [0.5, 0.25, 0.25])).toEqual([3, 2, 2]); // 3.5, 1.75, 1.75: the larger remainders win
    const rng = createRng(1);
    for (let i = 0; i < 500; i++) {
      const weights = Array.from({ length: 1 + Math.floor(rng.next() * 6) }, () => rng.next() * 10);
      const total = Math.floor(rng.next() * 1000);
      expect(largestRemainder(total, weights).reduce((a, b) => a + b, 0)).toBe(total);
    }
  });

  it('never drops a scenario with users to 0 unless the whole phase scales to 0', () => {
    expect(scaleUsers([300, 200, 400, 100], 1000, 0.01)).toEqual([3, 2, 4, 1]);
    expect(scaleUsers([3000, 2000, 1000, 3000, 1000], 10000, 0.001)).toEqual([3, 2, 1, 3, 1]);
    expect(scaleUsers([1, 2, 1, 2, 1, 1], 8, 0.1)).toEqual([1, 1, 1, 1, 1, 1]); // 0.8 → 1 phase user, each journey keeps 1
    expect(scaleUsers([1, 2, 1, 2, 1, 1], 8, 0.01)).toEqual([0, 0, 0, 0, 0, 0]); // 0.08 rounds to 0: the phase is off
    expect(scaleUsers([5, 0], 5, 2)).toEqual([10, 0]);
  });

  it('scales count thresholds only', () => {
    expect(scaleCountThreshold('count>3000000', 0.01)).toBe('count>30000');
    expect(scaleCountThreshold('p(99)<5000', 0.01)).toBe('p(99)<5000');
    expect(scaleCountThreshold('rate<0.05', 0.01)).toBe('rate<0.05');
  });
});

describe('resolvePlan', () => {
  it('computes the stress timeline and scaled counts', () => {
    const resolved = resolvePlan(shippedPlans.stress!, { scale: 0.01, seed: 7 });
    expect(resolved.phases.map((p) => [p.name, p.startMs, p.rampUpMs, p.durationMs, p.endMs, p.targetUsers])).toEqual([
      ['Ramp-up', 0, 300_000, 600_000, 900_000, 10],
      ['Sustained Load', 900_000, 600_000, 1_800_000, 3_300_000, 50],
      ['Peak Load', 3_300_000, 600_000, 1_800_000, 5_700_000, 100],
    ]);
    expect(resolved.totalDurationMs).toBe(5_700_000);
    expect(resolved.seed).toBe(7);
    expect(resolved.thresholds['chat.messages_sent{phase:Peak Load}']).toEqual(['count>30000']);
  });

  it('scales durations only when asked', () => {
    const resolved = resolvePlan(shippedPlans.baseline!, { scale: 0.1, scaleDurations: true });
    expect(resolved.phases[0]!.rampUpMs).toBe(6_000);
    expect(resolved.phases[0]!.durationMs).toBe(30_000);
    expect(resolved.phases[0]!.targetUsers).toBe(10);
  });

  it('splits weights by largest remainder', () => {
    // the soak is hybrid: per journey, protocol users and the browser sample add up to the split
    const resolved = resolvePlan(shippedPlans.soak!);
    const perJourney = new Map<string, number>();
    for (const s of resolved.phases[0]!.scenarios) perJourney.set(s.journey, (perJourney.get(s.journey) ?? 0) + s.users);
    expect([...perJourney]).toEqual([
      ['mixedUsage', 120],
      ['chatMessaging', 60],
      ['voiceCall', 20],
    ]);
  });

  it('refuses a plan above limits.maxUsers and a bad scale, as usage errors', () => {
    expect(() => resolvePlan({ ...shippedPlans.stress!, limits: { maxUsers: 5000 } })).toThrow(UsageError);
    expect(() => resolvePlan({ ...shippedPlans.stress!, limits: { maxUsers: 5000 } })).toThrow(/'Peak Load' runs 10000 users .* limits\.maxUsers is 5000/);
    expect(() => resolvePlan(shippedPlans.smoke!, { scale: 0 })).toThrow(/--scale: expected a number > 0/);
    expect(() => resolvePlan(shippedPlans.smoke!, { shard: { index: 3, count: 2 } })).toThrow(/between 1 and 2/);
  });
});

// ---- the shard partition property ----

function randomPlan(seed: number): Plan {
  const rng = createRng(seed);
  const names = ['voiceCall', 'videoCall', 'chatMessaging', 'fileUpload', 'mixedUsage', 'screenShare'];
  const phases = Array.from({ length: 1 + Math.floor(rng.next() * 4) }, (_, i) => {
    const chosen = names.filter(() => rng.next() < 0.6);
    const journeys = chosen.length > 0 ? chosen : ['chatMessaging'];
    const scenarios = journeys.map((journey) => ({ journey, users: Math.floor(rng.next() * 40) }));
    const rampUp = rng.next() < 0.2 ? '0s' : `${Math.floor(rng.next() * 5000)}ms`;
    return { name: `p${i}`, targetUsers: scenarios.reduce((a, s) => a + s.users, 0), rampUp, duration: `${1 + Math.floor(rng.next() * 3000)}ms`, scenarios };
  });
  return { name: `random-${seed}`, phases };
}

const key = (slot: VuSlot): string => JSON.stringify(slot);

describe('sharding partitions the users exactly', () => {
  const plans: Plan[] = [...Object.values(shippedPlans), ...Array.from({ length: 60 }, (_, i) => randomPlan(i + 1))];

  it('the union of all shards equals the unsharded plan, with no overlap (shipped + 60 random plans, n = 1..7)', () => {
    for (const plan of plans) {
      const scale = plan.phases.some((p) => p.targetUsers > 2000) ? 0.05 : 1;
      const whole = buildSchedule(resolvePlan(plan, { scale }));
      expect(whole.map((s) => s.index)).toEqual(whole.map((_, i) => i));
      for (let count = 1; count <= 7; count++) {
        const seen = new Set<string>();
        let total = 0;
        for (let index = 1; index <= count; index++) {
          const part = buildSchedule(resolvePlan(plan, { scale, shard: { index, count } }));
          for (const slot of part) {
            expect(slot.index % count).toBe(index - 1);
            seen.add(key(slot));
          }
          total += part.length;
          // shards are equal slices: sizes differ by at most one
          expect(Math.abs(part.length - whole.length / count)).toBeLessThanOrEqual(1);
        }
        expect(total).toBe(whole.length); // no overlap
        expect(seen).toEqual(new Set(whole.map(key))); // union is the whole
      }
    }
  });

  it('every phase reaches its per-journey counts once its ramp is done', () => {
    for (const plan of plans.slice(5)) {
      const resolved = resolvePlan(plan);
      const slots = buildFullSchedule(resolved);
      for (const phase of resolved.phases) {
        if (phase.durationMs === 0) continue;
        for (const scenario of phase.scenarios) {
          const alive = slots.filter((s) => s.journey === scenario.journey && s.driver === scenario.driver && s.startAtMs <= phase.rampEndMs && s.stopAtMs > phase.rampEndMs);
          expect(alive.length, `${plan.name} ${phase.name} ${scenario.journey}`).toBe(scenario.users);
        }
      }
    }
  });
});
