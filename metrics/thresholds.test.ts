import { describe, expect, it } from 'vitest';
import { MetricsHub } from './hub.ts';
import { checkAbort, describeThresholdResult, evaluateThresholds, parseThresholds } from './thresholds.ts';

function hubWith(fill: (hub: MetricsHub) => void): MetricsHub {
  const hub = new MetricsHub({ runId: 'r', shard: '1/1', sinks: [] });
  fill(hub);
  return hub;
}

describe('parseThresholds', () => {
  it('parses every aggregation, operator, tag filter and option', () => {
    const p = parseThresholds({
      'chat.delivery_ms': ['p(95)<1000', 'p(99.9)<=3000', 'avg<500', 'med!=0', 'max<10000', 'min>=0', 'count>0'],
      'journey.errors': ['rate<0.05'],
      'chat.messages_sent': ['count>10'],
      'users.active': ['value==0', 'max>1'],
      'step.duration_ms{journey:chatMessaging,step:send_message}': [{ threshold: 'p(95)<2000', abortOnFail: true, delayAbortEval: '30s' }],
      'webrtc.video.freeze_ms': [{ threshold: 'p(99)<500', optional: true }],
    });
    expect(p.problems).toEqual([]);
    expect(p.ok).toBe(true);
    expect(p.thresholds).toHaveLength(13);
    const step = p.thresholds.find((t) => t.metric === 'step.duration_ms');
    expect(step).toMatchObject({ filter: { journey: 'chatMessaging', step: 'send_message' }, aggregation: 'p', percentile: 95, operator: '<', target: 2000, abortOnFail: true, delayAbortEvalMs: 30_000 });
    expect(p.thresholds.find((t) => t.expression === 'p(99.9)<=3000')?.percentile).toBe(99.9);
  });

  it('reports ALL problems at once, each with where and how to fix', () => {
    const p = parseThresholds({
      'chat.delivery': ['p(95)<1000'], // unknown metric
      'chat.messages_sent': ['p(95)<10'], // p on a counter
      'journey.errors': ['rate<<0.05', 'rate<abc', 'p(0)<1'], // malformed, not a number, invalid for rate
      'step.duration_ms{jorney:chat}': ['p(95)<1'], // unknown tag key
      'chat.send_ack_ms': [{ threshold: 'p(101)<5', abortOnFail: 'yes', delayAbortEval: 'soon' }],
    });
    expect(p.ok).toBe(false);
    expect(p.thresholds).toHaveLength(0);
    const text = p.problems.join('\n');
    expect(p.problems.length).toBeGreaterThanOrEqual(9);
    expect(text).toContain(`thresholds["chat.delivery"]: unknown metric "chat.delivery". Did you mean "chat.delivery_ms"?`);
    expect(text).toContain(`thresholds["chat.messages_sent"][0]: p(N) is not valid for chat.messages_sent, a counter; use one of: count`);
    expect(text).toMatch(/thresholds\["journey.errors"\]\[0\]: malformed expression/);
    expect(text).toMatch(/thresholds\["journey.errors"\]\[1\]: "abc" .* is not a number/);
    expect(text).toMatch(/thresholds\["journey.errors"\]\[2\]: percentile/);
    expect(text).toMatch(/unknown tag key "jorney" for step.duration_ms. Did you mean "journey"\?/);
    expect(text).toMatch(/\[0\]: percentile in "p\(101\)<5"/);
    expect(text).toMatch(/\[0\]\.delayAbortEval: expected a duration like '30s'/);
    expect(text).toMatch(/\[0\]\.abortOnFail: expected true or false/);
  });

  it('refuses a non-object spec and a non-array list', () => {
    expect(parseThresholds('p(95)<1').ok).toBe(false);
    expect(parseThresholds({ 'chat.delivery_ms': 'p(95)<1000' }).problems[0]).toMatch(/expected an array/);
    expect(parseThresholds(undefined).ok).toBe(true);
  });
});

describe('evaluateThresholds', () => {
  const hub = hubWith((h) => {
    for (let i = 1; i <= 100; i++) h.record('chat.delivery_ms', i * 10, { journey: 'chatMessaging' }); // 10..1000
    for (let i = 0; i < 100; i++) h.record('journey.errors', i < 7 ? 1 : 0, { journey: 'chatMessaging' });
    for (let i = 0; i < 100; i++) h.record('journey.errors', 0, { journey: 'voiceCall' });
    h.record('chat.messages_sent', 5);
    h.record('chat.messages_sent', 7);
    h.record('step.duration_ms', 100, { journey: 'chatMessaging', step: 'send_message' });
    h.record('step.duration_ms', 9000, { journey: 'voiceCall', step: 'join_voice' });
  });

  it('computes observed values and pass/fail exactly', () => {
    const p = parseThresholds({
      'chat.delivery_ms': ['p(95)<1000', 'p(95)<900', 'avg==505', 'max<=1000', 'count==100'],
      'journey.errors': ['rate<0.05', 'rate<0.01'],
      'journey.errors{journey:chatMessaging}': ['rate<0.05'],
      'chat.messages_sent': ['count==12'],
      'step.duration_ms{journey:chatMessaging,step:send_message}': ['max<1000'],
      'step.duration_ms': ['max<1000'],
    });
    const r = evaluateThresholds(p.thresholds, hub.totals());
    expect(r.map((x) => x.ok)).toEqual([true, false, true, true, true, true, false, false, true, true, false]);
    expect(r[0]?.observed).toBeCloseTo(950, 0);
    expect(r[5]?.observed).toBeCloseTo(0.035, 6); // 7 of 200 across both journeys
    expect(r[7]?.observed).toBeCloseTo(0.07, 6);
    expect(describeThresholdResult(r[1]!)).toMatch(/^threshold chat.delivery_ms p\(95\)<900 failed: observed 950 ms$/);
  });

  it('a threshold on a metric with no samples fails with noData, unless optional', () => {
    const p = parseThresholds({ 'webrtc.video.freeze_ms': ['p(99)<500', { threshold: 'p(99)<500', optional: true }], 'journey.errors{journey:fileUpload}': ['rate<0.1'] });
    const r = evaluateThresholds(p.thresholds, hub.totals());
    expect(r[0]).toMatchObject({ ok: false, noData: true, observed: null });
    expect(r[1]).toMatchObject({ ok: true, noData: true, observed: null });
    expect(r[2]).toMatchObject({ ok: false, noData: true });
    expect(describeThresholdResult(r[0]!)).toMatch(/no data/);
  });

  it('checkAbort acts only on abortOnFail thresholds with data, after delayAbortEval', () => {
    const p = parseThresholds({
      'chat.delivery_ms': [{ threshold: 'p(95)<100', abortOnFail: true, delayAbortEval: '10s' }, 'p(50)<1'],
      'webrtc.rtt_ms': [{ threshold: 'p(95)<100', abortOnFail: true }],
    });
    expect(checkAbort(p.thresholds, hub, 5_000)).toBeUndefined(); // too early; rtt has no data
    expect(checkAbort(p.thresholds, hub, 10_000)).toMatch(/threshold chat.delivery_ms p\(95\)<100 failed: observed 950 ms after 10.0 s \(abortOnFail\)/);
    const calm = parseThresholds({ 'chat.delivery_ms': [{ threshold: 'p(95)<2000', abortOnFail: true }] });
    expect(checkAbort(calm.thresholds, hub, 60_000)).toBeUndefined();
  });
});

describe('{phase:...} thresholds', () => {
  // a spike: errors during the spike, none once recovered
  const hub = hubWith((h) => {
    h.setPhase('Spike');
    for (let i = 0; i < 10; i++) h.record('journey.errors', i < 5 ? 1 : 0, { journey: 'voiceCall' });
    h.setPhase('Recovered');
    for (let i = 0; i < 10; i++) h.record('journey.errors', 0, { journey: 'voiceCall' });
  });

  it('evaluates on the intervals of that phase only', () => {
    const p = parseThresholds({ 'journey.errors': ['rate<0.1'], 'journey.errors{phase:Recovered}': ['rate<0.1'], 'journey.errors{phase:Spike,journey:voiceCall}': ['rate<0.1'] }, ['Spike', 'Recovered']);
    expect(p.problems).toEqual([]);
    const [all, recovered, spike] = evaluateThresholds(p.thresholds, hub.totals(), hub.phaseTotals());
    expect(all).toMatchObject({ observed: 0.25, ok: false });
    expect(recovered).toMatchObject({ metric: 'journey.errors{phase:Recovered}', observed: 0, ok: true, noData: false });
    expect(spike).toMatchObject({ observed: 0.5, ok: false });
    // abortOnFail reads the same per-phase totals
    const abort = parseThresholds({ 'journey.errors{phase:Spike}': [{ threshold: 'rate<0.1', abortOnFail: true }] });
    expect(checkAbort(abort.thresholds, hub, 1000)).toMatch(/phase:Spike/);
  });

  it('refuses a phase the plan does not have, naming the ones it has', () => {
    const p = parseThresholds({ 'journey.errors{phase:Recoverd}': ['rate<0.1'] }, ['Spike', 'Recovered']);
    expect(p.ok).toBe(false);
    expect(p.problems[0]).toMatch(/no phase named "Recoverd".*Did you mean "Recovered"\?.*Spike, Recovered/);
  });

  it('a phase that never ran has no data, so its threshold fails', () => {
    const p = parseThresholds({ 'journey.errors{phase:Later}': ['rate<0.1'] });
    expect(evaluateThresholds(p.thresholds, hub.totals(), hub.phaseTotals())[0]).toMatchObject({ noData: true, ok: false });
  });
});
