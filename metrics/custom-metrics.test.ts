import { describe, expect, it } from 'vitest';
import { isKnownMetric, tagsOf } from './catalogue.ts';
import { declareMetrics, declareMetricsOf } from './custom-metrics.ts';
import { MetricsHub } from './hub.ts';
import { evaluateThresholds, parseThresholds } from './thresholds.ts';

describe("a plan's own metrics", () => {
  it('are recorded, tagged by journey and driver, and judged by thresholds once declared', () => {
    expect(declareMetrics({ 'custom.checkout_ms': { kind: 'trend', unit: 'ms', tags: ['step'], meaning: 'from the click to the receipt' } })).toEqual([]);
    expect(tagsOf('custom.checkout_ms')).toEqual(['journey', 'driver', 'step', 'network']);
    const hub = new MetricsHub({ runId: 'r', shard: '1/1', sinks: [] });
    for (const ms of [100, 200, 300, 4000]) hub.record('custom.checkout_ms', ms, { journey: 'shop', driver: 'mine', step: 'pay' });
    hub.record('custom.checkout_ms', 5, { user: 'u1' }); // not a tag of it: dropped
    const total = hub.totals().find((s) => s.metric === 'custom.checkout_ms');
    expect(total?.count).toBe(4);
    const gate = parseThresholds({ 'custom.checkout_ms{step:pay}': ['p(50)<1000', 'max<1000'] });
    expect(gate.problems).toEqual([]);
    expect(evaluateThresholds(gate.thresholds, hub.totals()).map((r) => r.ok)).toEqual([true, false]);
  });

  it('an undeclared custom name is unknown: dropped when recorded, refused in a threshold', () => {
    expect(isKnownMetric('custom.never_declared')).toBe(false);
    const hub = new MetricsHub({ runId: 'r', shard: '1/1', sinks: [] });
    hub.record('custom.never_declared', 1);
    expect(hub.totals().some((s) => s.metric === 'custom.never_declared')).toBe(false);
    expect(parseThresholds({ 'custom.never_declared': ['count>0'] }).problems.join('\n')).toMatch(/unknown metric "custom.never_declared".*declared in its metrics/);
  });

  it('says every problem of a declaration, and declares none of the broken ones', () => {
    const problems = declareMetrics({
      'chat.delivery_ms': { kind: 'trend', unit: 'ms', meaning: 'x' },
      'checkout': { kind: 'trend', unit: 'ms', meaning: 'x' },
      'custom.broken': { kind: 'histogram', unit: 'seconds', meaning: '', tags: ['phase'], colour: 'red' },
    });
    expect(problems).toEqual([
      `metrics['chat.delivery_ms']: "chat.delivery_ms" is a built-in metric; a plan's own metric is named custom.<something>`,
      `metrics['checkout']: a plan's own metric is named custom.<lowercase words>, e.g. custom.checkout_ms; got "checkout"`,
      expect.stringMatching(/^metrics\['custom.broken'\].kind: expected one of trend, counter, rate, gauge, got "histogram"/),
      expect.stringMatching(/^metrics\['custom.broken'\].unit: expected one of .*ms.*, got "seconds"/),
      `metrics['custom.broken'].meaning: expected a sentence saying what it measures`,
      `metrics['custom.broken'].tags: "phase" is added by the fleet itself; leave it out`,
      `metrics['custom.broken']: unknown key colour; allowed: kind, unit, tags, meaning`,
    ]);
    expect(isKnownMetric('custom.broken')).toBe(false);
  });

  it("are known again from a stored plan (merge and report read summary.json's plan)", () => {
    expect(declareMetricsOf({ name: 'p', metrics: { 'custom.stored_total': { kind: 'counter', unit: 'count', meaning: 'orders' } } })).toEqual([]);
    expect(isKnownMetric('custom.stored_total')).toBe(true);
    expect(declareMetricsOf(null)).toEqual([]);
  });
});
