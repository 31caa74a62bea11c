import { describe, expect, it } from 'vitest';
import { TrendHistogram } from './histogram.ts';
import { SeriesState, mergeAggregates } from './series.ts';

// deterministic pseudo-random (mulberry32) so failures are reproducible
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function exactPercentile(sorted: number[], p: number): number {
  const idx = Math.max(0, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[idx] as number;
}

describe('TrendHistogram', () => {
  it('keeps percentiles within 0.1% of exact over µs..hours and exact count/sum/min/max', () => {
    const r = rng(1);
    const h = new TrendHistogram();
    const values: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const v = Math.exp(r() * 15) / 100; // 0.01 ms .. ~32 s, log-spread
      values.push(v);
      h.record(v);
    }
    values.sort((a, b) => a - b);
    for (const p of [50, 90, 95, 99, 99.9]) {
      const exact = exactPercentile(values, p);
      expect(Math.abs(h.percentile(p) - exact) / exact).toBeLessThan(0.002);
    }
    expect(h.count).toBe(20_000);
    expect(h.min).toBe(values[0]);
    expect(h.max).toBe(values[values.length - 1]);
    expect(h.sum).toBeCloseTo(values.reduce((a, b) => a + b, 0), 6);
  });

  it('merging shard histograms gives exactly the percentiles of one histogram of all values', () => {
    const r = rng(7);
    const all = new TrendHistogram();
    const shards = [new TrendHistogram(), new TrendHistogram(), new TrendHistogram()];
    for (let i = 0; i < 30_000; i++) {
      // shards see different distributions, so averaging their p95 would be wrong
      const shard = i % 3;
      const v = shard === 0 ? r() * 50 : shard === 1 ? 200 + r() * 100 : r() * 5000;
      all.record(v);
      shards[shard]?.record(v);
    }
    // through the stored (encoded) form, as intervals and shard files do
    const merged = new TrendHistogram();
    for (const s of shards) merged.merge(TrendHistogram.decode(s.encode(), s));
    for (const p of [1, 50, 90, 95, 99, 100]) expect(merged.percentile(p)).toBe(all.percentile(p));
    expect(merged.count).toBe(all.count);
    expect(merged.min).toBe(all.min);
    expect(merged.max).toBe(all.max);
    const averagedP95 = shards.reduce((a, s) => a + s.percentile(95), 0) / 3;
    expect(Math.abs(averagedP95 - all.percentile(95))).toBeGreaterThan(100); // proof the test can tell
  });

  it('stays within 0.1% at huge values and computes several percentiles in one pass like one at a time', () => {
    const h = new TrendHistogram();
    const values = [3_600_000, 7_200_000, 86_400_000, 2 ** 40 / 1000 - 1, 2 ** 40 / 1000 + 1, 9e12]; // hours in ms, around 2^40 µs, ~285 years
    for (const v of values) h.record(v);
    values.forEach((v, i) => {
      const p = ((i + 0.5) / values.length) * 100; // rank i + 1
      expect(Math.abs(h.percentile(p) - v) / v).toBeLessThan(0.001);
    });
    expect(h.percentiles([99, 1, 50])).toEqual([h.percentile(99), h.percentile(1), h.percentile(50)]);
  });

  it('says so when a stored histogram is in another format', () => {
    expect(() => TrendHistogram.decode('HISTFAAAAB14nJNpmSzMwMDAwQABzFAaxmey', { count: 1, sum: 1, min: 1, max: 1 })).toThrow(/not in the lh1: format/);
    expect(() => TrendHistogram.decode('lh1:@@@@', { count: 1, sum: 1, min: 1, max: 1 })).toThrow(/corrupt/);
  });

  it('empty histograms report zeros, encode and decode', () => {
    const h = new TrendHistogram();
    expect(h.percentile(95)).toBe(0);
    expect(h.mean()).toBe(0);
    const d = TrendHistogram.decode(h.encode(), h);
    expect(d.count).toBe(0);
  });

  it('refuses an encoded histogram whose stats do not match', () => {
    const h = new TrendHistogram();
    h.record(5);
    expect(() => TrendHistogram.decode(h.encode(), { count: 2, sum: 10, min: 5, max: 5 })).toThrow(/corrupt/);
  });
});

describe('SeriesState', () => {
  it('round-trips every kind through SeriesAggregate and merges exactly', () => {
    const a = new SeriesState('journey.errors', 'rate', { journey: 'x' });
    const b = new SeriesState('journey.errors', 'rate', { journey: 'x' });
    [1, 0, 0, 1].forEach((v, i) => a.add(v, i));
    [0, 0, 1].forEach((v, i) => b.add(v, 10 + i));
    const m = mergeAggregates([
      { aggregate: a.toAggregate(), timeMs: 5 },
      { aggregate: b.toAggregate(), timeMs: 15 },
    ]);
    const s = [...m.values()][0];
    expect(s?.count).toBe(7);
    expect(s?.nonZero).toBe(3);

    const g1 = new SeriesState('users.active', 'gauge', {});
    g1.add(3, 1);
    g1.add(7, 2);
    const g2 = new SeriesState('users.active', 'gauge', {});
    g2.add(2, 3);
    // out of order on purpose: the later interval's last value wins
    const gm = mergeAggregates([
      { aggregate: g2.toAggregate(), timeMs: 20 },
      { aggregate: g1.toAggregate(), timeMs: 10 },
    ]);
    const g = [...gm.values()][0];
    expect(g?.last).toBe(2);
    expect(g?.max).toBe(7);
    expect(g?.min).toBe(2);
  });
});
