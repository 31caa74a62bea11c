import { describe, expect, it } from 'vitest';
import { sinkProblems } from './sink-problems.ts';

const ok = { generated: 10, delivered: 10, retried: 2, spilled: 0, dropped: 0 };

describe('sinkProblems', () => {
  it('says nothing when every sink delivered what it generated (retries that succeeded are fine)', () => {
    expect(sinkProblems({ 'run-folder': ok, influxdb: ok })).toEqual([]);
    expect(sinkProblems({})).toEqual([]);
  });
  it('turns drops into a sentence with the figures', () => {
    expect(sinkProblems({ 'run-folder': ok, influxdb: { generated: 110, delivered: 0, retried: 0, spilled: 0, dropped: 110 } })).toEqual([
      'sink influxdb dropped 110 of 110 points (100%; 0 delivered): its copy of this run is incomplete; see the warnings above for why',
    ]);
  });
  it('names spills and counts that do not add up', () => {
    const problems = sinkProblems({ influxdb: { generated: 100, delivered: 60, retried: 40, spilled: 30, dropped: 5 } });
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^sink influxdb dropped 5 of 100 points \(5%; 60 delivered, 30 spilled\)/);
    expect(problems[1]).toMatch(/spilled them/);
    expect(problems[2]).toMatch(/accounts for 95 of 100 points generated .* 5 unaccounted for/);
  });
});
