// What a plan asks of its target: the volume plan needs a 100,000-message history and 50 MiB
// uploads (the fleet's own reference Waddle is started with them; the dry run names the flags).
import { describe, expect, it } from 'vitest';
import { planCatalog } from './catalog.ts';
import { describePlan } from './describe.ts';
import { resolvePlan } from './resolve.ts';
import { shippedPlans } from './index.ts';
import { needsMoreThanDefaults, targetNeeds } from './target-needs.ts';
import { fullVolume, volumePlanOf } from './shipped/volume.ts';

const needsOf = (plan = shippedPlans.volume!, scale = 1) => {
  const resolved = resolvePlan(plan, { seed: 1, scale });
  return targetNeeds(resolved, planCatalog({}));
};

describe('targetNeeds', () => {
  it('the volume plan: a history of fillTo messages and uploads of sizeBytes, at any scale', () => {
    expect(needsOf()).toMatchObject({ historyMessages: 100_000, uploadBytes: 50 * 1024 * 1024, textChannels: 1 });
    expect(needsOf(shippedPlans.volume!, 0.02)).toMatchObject({ historyMessages: 100_000, uploadBytes: 50 * 1024 * 1024 });
    expect(needsMoreThanDefaults(needsOf())).toBe(true);
  });

  it('follows the shape: a bigger fill or upload asks for more', () => {
    const bigger = volumePlanOf({ ...fullVolume, fillTo: 250_000, uploadBytes: 80 * 1024 * 1024 });
    expect(needsOf(bigger)).toMatchObject({ historyMessages: 250_000, uploadBytes: 80 * 1024 * 1024 });
  });

  it('plans that fill no history and upload at most the default size need no more than the defaults', () => {
    const smoke = needsOf(shippedPlans.smoke!);
    expect(smoke).toMatchObject({ historyMessages: 0, uploadBytes: 1024 * 1024 });
    expect(needsMoreThanDefaults(smoke)).toBe(false);
  });

  it('the dry run names the flags a target of your own needs', () => {
    const text = describePlan(resolvePlan(shippedPlans.volume!, { seed: 1 }), { machineMemoryMb: 24_000, cores: 2 });
    expect(text).toContain('100000 messages kept per channel, uploads up to 52428800 bytes');
    expect(text).toContain('--history-limit 100000 --max-upload-bytes 52428800');
  });
});
