// Findings follow from the data: each names its evidence, none rests on fewer samples than its
// stated minimum, start-up is apart from steady state, and a plan problem (a caller alone in a
// call) is a plan finding, never "capacity below 3 users, scale the target out".
import { describe, expect, it } from 'vitest';
import type { RunSummary, StepSummary } from '../metrics/run-summary.ts';
import type { IntervalSnapshot, SeriesAggregate } from '../metrics/types.ts';
import { analyseRun } from './bottlenecks.ts';
import { buildReportHtml } from './html/build.ts';
import { MIN_SAMPLES } from './min-samples.ts';
import { recommendations } from './recommendations.ts';
import { makeFixtureRun } from './testing/fixture-run.ts';

const base = makeFixtureRun({ intervalCount: 6, seed: 1 }).summary;
const step = (over: Partial<StepSummary>): StepSummary => ({ journey: 'chatMessaging', step: 'send_message', count: 100, errors: 0, p50: 50, p95: 100, p99: 150, max: 300, mean: 60, ...over });
const rate = (tags: Record<string, string>, count: number, nonZero: number): SeriesAggregate => ({ metric: 'step.errors', kind: 'rate', tags, count, sum: nonZero, min: 0, max: nonZero > 0 ? 1 : 0, nonZero });
const gauge = (metric: string, tags: Record<string, string>, last: number): SeriesAggregate => ({ metric, kind: 'gauge', tags, count: 1, sum: last, min: last, max: last, last });

/**
 * The reported case: a 3-user plan, two chat users and ONE videoCall user whose call room holds
 * nobody else; wait_remote_video times out every iteration from the first one that got that far.
 */
function loneCallerRun(withCallRooms: boolean): { summary: RunSummary; intervals: IntervalSnapshot[] } {
  const intervals: IntervalSnapshot[] = Array.from({ length: 9 }, (_, i) => ({
    runId: 'r', shard: '1/1', startMs: 1_000_000 + i * 5000, endMs: 1_000_000 + (i + 1) * 5000, phase: 'steady',
    series: [
      gauge('users.active', { journey: 'chatMessaging' }, 2), gauge('users.active', { journey: 'videoCall' }, 1),
      rate({ journey: 'chatMessaging', step: 'send_message' }, 10, 0),
      ...(i >= 3 ? [rate({ journey: 'videoCall', step: 'wait_remote_video' }, 2, 2)] : []),
    ],
  }));
  const plan = { name: 'tiny', phases: [{ name: 'steady', startMs: 0, rampEndMs: 0, endMs: 45_000, targetUsers: 3 }],
    ...(withCallRooms ? { callRooms: [{ journey: 'videoCall', driver: 'browser', roomSize: 2, rooms: 1, loneRooms: 1 }] } : {}) };
  const summary: RunSummary = {
    ...base, startedAt: new Date(1_000_000).toISOString(), plan, phases: [{ name: 'steady', startMs: 1_000_000, endMs: 1_045_000, targetUsers: 3 }],
    steps: [step({ count: 90 }), step({ journey: 'videoCall', step: 'wait_remote_video', count: 12, errors: 12, p50: 0, p95: 0, p99: 0, max: 0, mean: 0, failedP50: 15_000, failedMax: 15_100, failureReasons: { timeout: 12 } }),
      step({ journey: 'videoCall', step: 'join_voice', count: 12, errors: 0 })],
    journeys: { chatMessaging: { started: 30, completed: 30, failed: 0, interrupted: 0 }, videoCall: { started: 12, completed: 0, failed: 12, interrupted: 0 } },
    thresholds: [], verdict: { result: 'pass', exitCode: 0, reasons: ['passed: the run completed; the plan defines no thresholds'] },
  };
  return { summary, intervals };
}

describe('findings follow from the data', () => {
  it('reports users alone in a call as a plan problem, with its evidence, not as target errors or capacity', () => {
    const { summary, intervals } = loneCallerRun(true);
    const { findings } = analyseRun(summary, intervals);
    expect(findings.map((f) => `${f.area} ${f.type} ${f.component}`)).toEqual(['plan plan_lone_callers videoCall (browser users)']);
    const plan = findings[0]!;
    expect(plan.details).toContain('users alone in a call');
    expect(plan.details).toContain('1 of 1 videoCall room(s) of size 2');
    expect(plan.evidence).toMatchObject({ metric: 'step.errors', samples: 12, phases: 'steady ×6' });
    expect(plan.evidence.note).toContain('plan.callRooms');
    const recs = recommendations(findings, summary, { intervals });
    expect(recs.map((r) => r.title)).toEqual(['Fix the plan: fill the call rooms: videoCall (browser users)']);
    expect(recs.some((r) => r.category === 'scaling')).toBe(false);
  });

  it('keeps a journey failure the plan explains only in part, and says which part', () => {
    const { summary, intervals } = loneCallerRun(true);
    const partly: RunSummary = { ...summary, steps: summary.steps.map((s) => (s.step === 'join_voice' ? { ...s, errors: 3 } : s)) };
    const journey = analyseRun(partly, intervals).findings.find((f) => f.component === 'videoCall');
    expect(journey?.details).toContain('part of it is the plan problem above (wait_remote_video with users alone in a call)');
  });

  it('never calls a step that first ran at the plateau "capacity below N users", even without the plan figures', () => {
    const { summary, intervals } = loneCallerRun(false);
    expect(recommendations(analyseRun(summary, intervals).findings, summary, { intervals }).some((r) => r.title.startsWith('Plan capacity'))).toBe(false);
  });

  it('names the evidence of every finding: series, phases and samples against the rule minimum', () => {
    const run = makeFixtureRun({ seed: 4, stepErrorRate: { 'fileUpload/upload': 0.2 } });
    const found = analyseRun(run.summary, run.intervals).findings.find((f) => f.type === 'high_error_rate' && f.component === 'fileUpload/upload')!;
    const stepSummary = run.summary.steps.find((s) => s.journey === 'fileUpload' && s.step === 'upload')!;
    expect(found.evidence).toMatchObject({ metric: 'step.errors', tags: { journey: 'fileUpload', step: 'upload' }, samples: stepSummary.count, minSamples: MIN_SAMPLES.stepErrorRate });
    expect(found.evidence.phases).toMatch(/^ramp-up ×\d+, steady ×\d+, ramp-down ×\d+$/);
    expect(found.details).toMatch(/\(timeout \d+, target_error \d+\)/);
  });

  it('does not raise a finding on fewer samples than the stated minimum, and lists it as not judged', () => {
    const summary: RunSummary = { ...base, steps: [step({ count: 4, errors: 4 }), step({ step: 'connect', count: 19, p95: 100, p99: 500 })], journeys: { chatMessaging: { started: 4, completed: 0, failed: 4, interrupted: 0 } } };
    const { findings, withheld } = analyseRun(summary, []);
    expect(findings).toEqual([]);
    expect(withheld.map((w) => `${w.type} ${w.component} ${w.evidence.samples}/${w.evidence.minSamples}`).sort()).toEqual([
      'high_error_rate chatMessaging 4/5', 'high_error_rate chatMessaging/send_message 4/10', 'latency_spike chatMessaging/connect 19/20',
    ]);
    const html = buildReportHtml({ summary, intervals: [], events: [] });
    expect(html).toContain('id="withheld-table"');
    expect(html).toContain('id="min-samples-table"');
  });

  it('reports a latency tail seen only at start-up apart from one under steady load', () => {
    const early = makeFixtureRun({ seed: 21, stepSpikes: { 'chatMessaging/send_message': { intervals: [0, 1], factor: 10 } } });
    const late = makeFixtureRun({ seed: 21, stepSpikes: { 'chatMessaging/send_message': { intervals: [18, 19], factor: 10 } } });
    const firstLogins = makeFixtureRun({ seed: 21, stepSpikes: { 'chatMessaging/connect': { intervals: [5, 6], factor: 10 } } });
    const spike = (run: typeof early) => analyseRun(run.summary, run.intervals).findings.find((f) => f.type === 'latency_spike');
    expect(spike(early)).toMatchObject({ area: 'start-up', severity: 'low', evidence: { phases: 'ramp-up ×2' } });
    expect(spike(late)).toMatchObject({ area: 'load', severity: 'high', evidence: { phases: 'steady ×2' } });
    // the first connect/login of users launched during the first ramp is start-up too
    expect(spike(firstLogins)).toMatchObject({ area: 'start-up', component: 'chatMessaging/connect' });
    const html = buildReportHtml(early);
    expect(html.slice(html.indexOf('id="startup-table"'), html.indexOf('id="withheld'))).toContain('chatMessaging/send_message');
  });

  it('files generator CPU that was high only while browsers launched under start-up', () => {
    const intervals = Array.from({ length: 20 }, (_, i) => ({ runId: 'r', shard: '1/1', startMs: i * 5000, endMs: (i + 1) * 5000, phase: i < 4 ? 'ramp' : 'steady',
      series: [gauge('generator.cpu_pct', {}, i < 2 ? 99 : 40)] }));
    const summary: RunSummary = { ...base, startedAt: new Date(0).toISOString(), plan: { phases: [{ name: 'ramp', rampEndMs: 20_000 }] },
      generator: { ...base.generator, saturated: false, cpuPercentP95: 99, cpuPercentMax: 99 } };
    expect(analyseRun(summary, intervals).findings.find((f) => f.type === 'generator_cpu')).toMatchObject({ area: 'start-up', severity: 'low' });
    const steadyBursts = intervals.map((iv, i) => ({ ...iv, series: [gauge('generator.cpu_pct', {}, i === 12 || i < 2 ? 99 : 40)] }));
    expect(analyseRun(summary, steadyBursts).findings.find((f) => f.type === 'generator_cpu')).toMatchObject({ area: 'load', severity: 'medium' });
  });
});
