import { describe, expect, it } from 'vitest';
import { estimateMos, mosFromR, rFactor } from './e-model.ts';

describe('E-model (ITU-T G.107, simplified for Opus)', () => {
  it('gives near-toll quality on a clean loopback path', () => {
    const mos = estimateMos({ rttMs: 1, lossPct: 0, jitterMs: 0.5 });
    expect(mos).toBeGreaterThan(4.3);
    expect(mos).toBeLessThanOrEqual(4.5);
  });
  it('matches the published R → MOS mapping at known points', () => {
    expect(mosFromR(93.2)).toBeCloseTo(4.41, 2);
    expect(mosFromR(50)).toBeCloseTo(2.58, 2);
    expect(mosFromR(0)).toBe(1);
    expect(mosFromR(120)).toBe(4.5);
  });
  it('applies the delay knee at 177.3 ms one-way', () => {
    // below the knee: 0.024/ms; above it: 0.134/ms
    const below = rFactor({ rttMs: 200, lossPct: 0 }) - rFactor({ rttMs: 220, lossPct: 0 });
    const above = rFactor({ rttMs: 400, lossPct: 0 }) - rFactor({ rttMs: 420, lossPct: 0 });
    expect(below).toBeCloseTo(0.24, 5);
    expect(above).toBeCloseTo(1.34, 5);
  });
  it('falls monotonically with loss and stays in 1..4.5', () => {
    let last = 5;
    for (const lossPct of [0, 1, 2, 5, 10, 20, 50, 100]) {
      const mos = estimateMos({ rttMs: 50, lossPct, jitterMs: 5 });
      expect(mos).toBeLessThan(last);
      expect(mos).toBeGreaterThanOrEqual(1);
      last = mos;
    }
    // Ie_eff at 5 % loss with Bpl = 10: 95·5/15 = 31.7
    expect(rFactor({ rttMs: 0, lossPct: 0 }) - rFactor({ rttMs: 0, lossPct: 5 })).toBeCloseTo(31.67, 2);
  });
});
