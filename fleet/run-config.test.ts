import { describe, expect, it } from 'vitest';
import { knownRunFlags } from '../cli/flags.ts';
import { parseRunConfig } from './run-config.ts';

describe('run options', () => {
  it('applies defaults', () => {
    const r = parseRunConfig({}, {});
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.config.scale).toBe(1);
      expect(r.config.maxBrowsers).toBe(4);
      expect(r.config.report).toBe(true);
    }
  });

  it('reports every problem at once, named by flag, with what was given', () => {
    const r = parseRunConfig({ scale: '-2', shard: 'two', interval: '5', target: 'not a url' }, {});
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
    const r = parseRunConfig({ influxDb: 'flagdb' }, { WADDLE_FLEET_INFLUX_URL: 'http://127.0.0.1:8086', WADDLE_FLEET_INFLUX_DB: 'envdb' });
    expect(r.ok && r.config.influx?.url).toBe('http://127.0.0.1:8086');
    expect(r.ok && r.config.influx?.api === 'v1' && r.config.influx.db).toBe('flagdb');
  });

  it('takes --frame-rate as auto (the default), off or frames a second from 1 to 60, from the flag or the environment', () => {
    const rate = (flags: Record<string, string>, env: Record<string, string> = {}) => {
      const r = parseRunConfig(flags, env);
      return r.ok ? r.config.frameRate : r.problems.join('\n');
    };
    expect(rate({})).toBe('auto');
    expect(rate({ frameRate: 'auto' })).toBe('auto');
    expect(rate({ frameRate: 'off' })).toBe(0);
    expect(rate({ frameRate: '4' })).toBe(4);
    expect(rate({}, { WADDLE_FLEET_FRAME_RATE: '10' })).toBe(10);
    expect(rate({ frameRate: '61' })).toMatch(/--frame-rate: expected 'auto', 'off' or frames a second from 1 to 60/);
    expect(rate({ frameRate: 'fast' })).toMatch(/--frame-rate: expected 'auto', 'off' or frames a second from 1 to 60/);
  });

  it('lists flags in kebab case', () => {
    expect(knownRunFlags).toContain('--contexts-per-browser');
    expect(knownRunFlags).toContain('--influx-url');
    expect(knownRunFlags).toContain('--no-report');
  });

  it('parses values once: the shard as a value, durations in ms (1m30s too), times as epoch ms', () => {
    const r = parseRunConfig({ shard: '2/4', targetWait: '1m30s', probeInterval: '500ms', startAt: '2026-11-24T02:00:00Z' }, { WADDLE_FLEET_CHROMIUM: '/opt/chromium' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.shard).toEqual({ index: 2, count: 4 });
    expect(r.config.targetWaitMs).toBe(90_000);
    expect(r.config.probeIntervalMs).toBe(500);
    expect(r.config.startAtMs).toBe(Date.parse('2026-11-24T02:00:00Z'));
    expect(r.config.chromiumPath).toBe('/opt/chromium');
  });

  it('says --scale 0 in a sentence and never echoes a secret', () => {
    const r = parseRunConfig({ scale: '0', influxUrl: 'http://127.0.0.1:8086', influxToken: 'SECRET-TOKEN', influxApi: 'v3' }, {});
    expect(r.ok).toBe(false);
    const text = !r.ok ? r.problems.join('\n') : '';
    expect(text).toMatch(/--scale: expected a number > 0 like 0\.01/);
    expect(text).not.toMatch(/NaN|received/);
    expect(text).not.toContain('SECRET-TOKEN');
  });
});
