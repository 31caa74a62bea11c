import { describe, expect, it } from 'vitest';
import { describePlan } from './describe.ts';
import { shippedPlans } from './index.ts';
import { resolvePlan } from './resolve.ts';

describe('describePlan', () => {
  it('prints the timeline, VUs per journey, peak and estimate for smoke', () => {
    const text = describePlan(resolvePlan(shippedPlans.smoke!, { seed: 3 }), { machineMemoryMb: 24_000, cores: 2 });
    expect(text).toContain('plan smoke, seed 3');
    expect(text).toMatch(/phase\s+starts\s+ramp\s+hold\s+ends\s+screenShare\s+mixedUsage\s+chatMessaging\s+fileUpload\s+voiceCall\s+videoCall\s+total/);
    expect(text).toMatch(/smoke\s+0s\s+20s\s+1m\s+1m20s\s+1\s+1\s+2\s+1\s+1\s+2\s+8/);
    expect(text).toContain('peak 8 concurrent (4 with video/screen)');
    // plans/user-cost.ts, as the workers estimate prices them (measured MB × 1.25): 2×265 video +
    // 461 screen + 370 mixed (a video user of no measured journey) + 105 voice + 2×111 chat + 245 upload + 1 browser × 150
    expect(text).toContain('~2084 MB');
    expect(text).not.toContain('WARNING');
  });

  it('prints the standalone target flags for SFU mode (--target-media sfu), and nothing of it for mesh', () => {
    const smoke = resolvePlan(shippedPlans.smoke!, { seed: 3 });
    expect(describePlan(smoke, { targetMedia: 'sfu' })).toContain('target shape: calls through an SFU (the fleet\'s own reference Waddle starts Janus; for yours: npm run waddle -- --port P --media sfu)');
    expect(describePlan(smoke, { targetMedia: 'mesh' })).not.toContain('SFU');
    // a plan that needs more channels: the same line carries --media sfu
    const stress = describePlan(resolvePlan(shippedPlans.stress!, { scale: 0.01 }), { targetMedia: 'sfu' });
    expect(stress).toMatch(/target shape: .* calls through an SFU .*npm run waddle -- --port P --voice-channels \d+ .* --media sfu\)/);
  });

  it('warns when the machine cannot hold the plan', () => {
    // the 10K stress shape all in browsers (the shipped plan is hybrid: protocol users + a browser sample)
    const stress = shippedPlans.stress!;
    const allBrowsers = { ...stress, browserSample: undefined, phases: stress.phases.map((p) => ({ ...p, scenarios: p.scenarios.map((s) => ({ ...s, driver: 'browser' })) })) };
    const text = describePlan(resolvePlan(allBrowsers), { machineMemoryMb: 24_000, cores: 2 });
    expect(text).toMatch(/WARNING: needs ~\d+ MB of browser memory but this machine has 24000 MB/);
    expect(text).toMatch(/WARNING: 3000 video\/screen users at peak but 2 cores hold ~12/);
  });

  it('shows this shard against the whole plan', () => {
    const text = describePlan(resolvePlan(shippedPlans.stress!, { scale: 0.01, shard: { index: 1, count: 4 } }), { cores: 2 });
    expect(text).toContain('shard 1/4');
    // every call journey keeps 2 users when scaled (so callers meet), and the browser sample never
    // leaves a single protocol caller: 101 users in all at 1 %
    expect(text).toMatch(/this shard runs 26 of 101 VUs/);
    expect(text).toMatch(/Peak Load .* 26\/100$/m);
  });
});
