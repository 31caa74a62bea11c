import { describe, expect, it } from 'vitest';
import { buildGate, describeGate } from './default-gate.ts';
import { MetricsHub } from './hub.ts';
import { evaluateThresholds } from './thresholds.ts';

function allFailingVoiceRun(): MetricsHub {
  const hub = new MetricsHub({ runId: 'r', shard: '1/1', sinks: [] });
  for (let i = 0; i < 18; i++) {
    hub.record('step.errors', 0, { journey: 'voiceCall', driver: 'browser', step: 'connect' });
    hub.record('step.errors', 1, { journey: 'voiceCall', driver: 'browser', step: 'join_voice' });
    hub.record('journey.errors', 1, { journey: 'voiceCall', driver: 'browser' });
  }
  return hub;
}

describe('the built-in gate', () => {
  it('fails a plan without thresholds whose iterations all failed (issue 9: 18/18 failed, exit 0)', () => {
    const gate = buildGate({ planThresholds: {}, journeys: ['voiceCall'], defaults: true });
    expect(gate.ok).toBe(true);
    const results = evaluateThresholds(gate.thresholds, allFailingVoiceRun().totals());
    const failed = results.filter((r) => !r.ok).map((r) => r.metric);
    expect(failed).toEqual(['journey.errors{journey:voiceCall,driver:browser}', 'step.errors{journey:voiceCall,driver:browser,step:join_voice}', 'journey.completed{journey:voiceCall,driver:browser}']);
    expect(results.find((r) => r.metric === 'step.errors{journey:voiceCall,driver:browser,step:connect}')).toMatchObject({ ok: true, source: 'default' });
  });

  it('judges a non-critical step on its own: 39 of 39 failed sends fail the run although journeys completed', () => {
    const hub = new MetricsHub({ runId: 'r', shard: '1/1', sinks: [] });
    for (let i = 0; i < 39; i++) hub.record('step.errors', 1, { journey: 'chatMessaging', driver: 'browser', step: 'send_message' });
    hub.record('journey.errors', 0, { journey: 'chatMessaging', driver: 'browser' });
    hub.record('journey.completed', 1, { journey: 'chatMessaging', driver: 'browser' });
    const results = evaluateThresholds(buildGate({ planThresholds: {}, journeys: ['chatMessaging'], defaults: true }).thresholds, hub.totals());
    expect(results.filter((r) => !r.ok)).toEqual([expect.objectContaining({ metric: 'step.errors{journey:chatMessaging,driver:browser,step:send_message}', observed: 1 })]);
  });

  it('steps aside where the plan judges the same series itself', () => {
    const hub = allFailingVoiceRun();
    const gate = buildGate({
      planThresholds: { 'journey.errors': ['rate<=1'], 'step.errors{journey:voiceCall,step:join_voice}': ['rate<=1'] },
      journeys: ['voiceCall'],
      defaults: true,
    });
    const results = evaluateThresholds(gate.thresholds, hub.totals());
    expect(results.map((r) => `${r.source}:${r.metric}:${r.ok}`)).toEqual([
      'plan:journey.errors:true',
      'plan:step.errors{journey:voiceCall,step:join_voice}:true',
      'default:step.errors{journey:voiceCall,driver:browser,step:connect}:true',
      'default:journey.completed{journey:voiceCall,driver:browser}:false',
    ]);
  });

  it('is off with defaults: false, and says that nothing gates the run', () => {
    const gate = buildGate({ planThresholds: {}, journeys: ['voiceCall'], defaults: false });
    expect(gate.thresholds).toEqual([]);
    expect(describeGate(gate.thresholds, false).join('\n')).toMatch(/OFF .*nothing gates this run/);
  });

  it('a step filter with no data of its own fails as no data', () => {
    const results = evaluateThresholds(buildGate({ planThresholds: {}, journeys: ['fileUpload'], defaults: true }).thresholds, []);
    expect(results.every((r) => r.noData && !r.ok)).toBe(true);
    expect(results.map((r) => r.metric)).toContain('step.errors{journey:fileUpload,driver:browser,step:*}');
  });

  it('gates connection drops and protocol errors of drivers that report them, even under a loose plan step.errors threshold', () => {
    const hub = new MetricsHub({ runId: 'r', shard: '1/1', sinks: [] });
    hub.record('journey.completed', 1, { journey: 'chatMessaging', driver: 'protocol' });
    hub.record('journey.errors', 0, { journey: 'chatMessaging', driver: 'protocol' });
    hub.record('connection.drops', 0, { journey: 'chatMessaging', driver: 'protocol' });
    hub.record('connection.drops', 1, { journey: 'chatMessaging', driver: 'protocol' });
    const gate = buildGate({ planThresholds: { 'step.errors': ['rate<0.99'] }, journeys: [], drivers: [{ journey: 'chatMessaging', driver: 'protocol' }, { journey: 'chatMessaging', driver: 'browser' }], defaults: true });
    const results = evaluateThresholds(gate.thresholds, hub.totals());
    expect(results.filter((r) => !r.ok).map((r) => r.metric)).toContain('connection.drops{journey:chatMessaging,driver:protocol}');
    // a driver that does not report connections has no data there, which is not a failure
    expect(results.find((r) => r.metric === 'connection.protocol_errors{journey:chatMessaging,driver:protocol}')).toMatchObject({ ok: true, noData: true });
    expect(results.map((r) => r.metric)).not.toContain('connection.drops{journey:chatMessaging,driver:browser}');
  });
});
