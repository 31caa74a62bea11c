// The dry run's estimate (plans/describe.ts) and the workers a plan needs (workers-needed.ts) price a
// user with one model (plans/user-cost.ts): before, each had its own constants (a browser video user
// 190 MB in one and 265 MB in the other, a protocol user 0.04 MB and 0.2 MB), so the dry run's
// memory line and its workers line disagreed about the same plan.
import { describe, expect, it } from 'vitest';
import { planCatalog } from '../../plans/catalog.ts';
import { estimatePlan } from '../../plans/describe.ts';
import { shippedPlans } from '../../plans/index.ts';
import { resolvePlan } from '../../plans/resolve.ts';
import { buildFullSchedule } from '../../plans/schedule.ts';
import { memoryMbPerBrowser } from '../../plans/user-cost.ts';
import { workersNeeded } from './workers-needed.ts';

const catalog = planCatalog({});

describe('one cost model', () => {
  it.each([['smoke', 1], ['stress', 0.02], ['baseline', 1]] as const)('%s: the estimate holds the memory the workers estimate prices, plus its browsers', (name, scale) => {
    const plan = resolvePlan(shippedPlans[name]!, { scale, seed: 1 });
    const slots = buildFullSchedule(plan, catalog.journey);
    const estimate = estimatePlan(plan, slots, { catalog, machineMemoryMb: 1e9, cores: 64 });
    const workers = workersNeeded({ slots, catalog, browserUsersPerWorker: 1e6 });
    expect(estimate.memoryMb).toBe(Math.round(workers.peakMemoryMb + estimate.browsers * memoryMbPerBrowser));
  });
});
