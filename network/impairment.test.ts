import { describe, expect, it } from 'vitest';
import { createRng } from '../common/random.ts';
import { LinkModel } from './impairment.ts';
import type { NetworkProfile } from './profile.ts';

const run = (profile: NetworkProfile, packets: number, everyMs: number, size = 1000, seed = 1) => {
  const model = new LinkModel(profile, 'down', createRng(seed));
  const out = Array.from({ length: packets }, (_, i) => ({ at: i * everyMs, r: model.admit(size, i * everyMs) }));
  return { model, out };
};

describe('LinkModel (one direction of a link, seeded)', () => {
  it('adds the delay, and keeps order under jitter', () => {
    const { out } = run({ name: 'd', down: { delayMs: 100, jitterMs: 20 } }, 2000, 5);
    const delays = out.map(({ at, r }) => ('deliverAtMs' in r ? r.deliverAtMs - at : NaN));
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    expect(mean).toBeGreaterThan(100);
    expect(mean).toBeLessThan(110); // order kept: a late packet holds back the next, a little above 100
    const times = out.map(({ r }) => ('deliverAtMs' in r ? r.deliverAtMs : 0));
    expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true);
  });

  it('loses lossPercent of packets independently, the same on the same seed', () => {
    const a = run({ name: 'l', down: { lossPercent: 5 } }, 20_000, 1);
    expect(a.model.counts.lost / 20_000).toBeCloseTo(0.05, 2);
    expect(run({ name: 'l', down: { lossPercent: 5 } }, 20_000, 1).model.counts.lost).toBe(a.model.counts.lost);
    expect(run({ name: 'l', down: { lossPercent: 5 } }, 20_000, 1, 1000, 2).model.counts.lost).not.toBe(a.model.counts.lost);
  });

  it('loses in bursts of burstLoss packets on average with the same long-run loss (Gilbert–Elliott)', () => {
    const { model, out } = run({ name: 'b', down: { lossPercent: 5, burstLoss: 4 } }, 100_000, 1);
    expect(model.counts.lost / 100_000).toBeGreaterThan(0.04);
    expect(model.counts.lost / 100_000).toBeLessThan(0.06);
    let bursts = 0;
    out.forEach(({ r }, i) => {
      if ('dropped' in r && (i === 0 || !('dropped' in out[i - 1]!.r))) bursts++;
    });
    expect(model.counts.lost / bursts).toBeGreaterThan(3.5);
    expect(model.counts.lost / bursts).toBeLessThan(4.5);
  });

  it('serialises at rateKbps and tail-drops beyond queuePackets', () => {
    // 1000-byte packets every 4 ms = 2 Mbit/s offered into 1 Mbit/s: 8 ms each on the wire
    const { model, out } = run({ name: 'r', down: { rateKbps: 1000, queuePackets: 10 } }, 1000, 4);
    const delivered = out.filter(({ r }) => 'deliverAtMs' in r);
    const lastMs = Math.max(...delivered.map(({ r }) => ('deliverAtMs' in r ? r.deliverAtMs : 0)));
    const kbps = (delivered.length * 8000) / lastMs;
    expect(kbps).toBeGreaterThan(950);
    expect(kbps).toBeLessThanOrEqual(1000.01);
    expect(model.counts.queueDropped).toBeGreaterThan(450); // half the offered load cannot pass
    // the queue bounds the wait: at most 10 packets of 8 ms ahead
    expect(Math.max(...delivered.map(({ at, r }) => ('deliverAtMs' in r ? r.deliverAtMs - at : 0)))).toBeLessThanOrEqual(88);
  });

  it('changes at a schedule step, measured on the run clock', () => {
    const model = new LinkModel({ name: 's', down: { delayMs: 10 }, schedule: [{ at: '30s', down: { delayMs: 200 } }, { at: '1m', down: { lossPercent: 100 } }] }, 'down', createRng(3));
    expect(model.admit(100, 29_999)).toEqual({ deliverAtMs: 30_009 });
    expect(model.admit(100, 30_000)).toEqual({ deliverAtMs: 30_200 });
    expect(model.admit(100, 60_000)).toEqual({ dropped: 'loss' }); // delay kept, loss added
    expect(model.link(60_000)).toEqual({ delayMs: 200, lossPercent: 100 });
  });
});
