import { describe, expect, it } from 'vitest';
import { knownRunFlags, parseRunOptions } from './flags.ts';

describe('run options', () => {
  it('applies defaults', () => {
    const r = parseRunOptions({}, {});
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.options.scale).toBe(1);
      expect(r.options.maxBrowsers).toBe(4);
      expect(r.options.report).toBe(true);
    }
  });

  it('reports every problem at once, named by flag, with what was given', () => {
    const r = parseRunOptions({ scale: '-2', shard: 'two', interval: '5', target: 'not a url' }, {});
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problems).toHaveLength(4);
      expect(r.problems.join('\n')).toMatch(/--scale: .*got "-2"/);
      expect(r.problems.join('\n')).toMatch(/--shard: expected 'i\/n'/);
      expect(r.problems.join('\n')).toMatch(/--interval: expected a duration like '5s'/);
      expect(r.problems.join('\n')).toMatch(/--target:/);
    }
  });

  it('fills InfluxDB settings from the environment, flags first', () => {
    const r = parseRunOptions({ influxDb: 'flagdb' }, { WADDLE_FLEET_INFLUX_URL: 'http://127.0.0.1:8086', WADDLE_FLEET_INFLUX_DB: 'envdb' });
    expect(r.ok && r.options.influxUrl).toBe('http://127.0.0.1:8086');
    expect(r.ok && r.options.influxDb).toBe('flagdb');
  });

  it('lists flags in kebab case', () => {
    expect(knownRunFlags).toContain('--contexts-per-browser');
    expect(knownRunFlags).toContain('--influx-url');
    expect(knownRunFlags).toContain('--no-report');
  });
});
