import { describe, expect, it } from 'vitest';
import { NetworkDealer, sharesOf } from './assign.ts';

describe('dealing networks to users', () => {
  it('holds the shares at every prefix and depends on the seed only for ties', () => {
    const deal = (seed: number, n: number) => {
      const d = new NetworkDealer([['4g', 0.7], ['3g', 0.3]], seed);
      return Array.from({ length: n }, () => d.next());
    };
    const ten = deal(1, 10);
    expect(ten.filter((n) => n === '4g')).toHaveLength(7);
    for (let k = 1; k <= 10; k++) expect(Math.abs(ten.slice(0, k).filter((n) => n === '3g').length - 0.3 * k)).toBeLessThan(1);
    expect(deal(1, 10)).toEqual(ten);
    const halves = [1, 2, 3, 4, 5, 6].map((seed) => new NetworkDealer([['a', 1], ['b', 1]], seed).next());
    expect(new Set(halves)).toEqual(new Set(['a', 'b'])); // who goes first follows the seed
  });

  it('resolves names, profiles and shares, keeping the profiles used', () => {
    const profiles = {};
    expect(sharesOf({ '4g': 2, hotel: 1 }, [{ name: 'hotel', down: { rateKbps: 800 } }], profiles)).toEqual([['4g', 2], ['hotel', 1]]);
    expect(Object.keys(profiles)).toEqual(['4g', 'hotel']);
    expect(sharesOf({ name: 'slow', down: { delayMs: 100 } }, [], profiles)).toEqual([['slow', 1]]);
  });
});
