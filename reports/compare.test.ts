import { describe, expect, it } from 'vitest';
import type { RunSummary, StepSummary } from '../metrics/run-summary.ts';
import { compareRuns, comparisonVerdictReasons } from './compare.ts';
import { makeFixtureRun } from './testing/fixture-run.ts';

const base = makeFixtureRun({ intervalCount: 4, seed: 2 }).summary;
const step = (name: string, over: Partial<StepSummary> = {}): StepSummary => ({ journey: 'j', step: name, count: 200, errors: 2, p50: 50, p95: 100, p99: 150, max: 200, mean: 60, ...over });
const run = (runId: string, steps: StepSummary[], over: Partial<RunSummary> = {}): RunSummary => ({ ...base, runId, steps, journeys: { j: { started: 100, completed: 98, failed: 2, interrupted: 0 } }, ...over });

describe('compareRuns', () => {
  it('flags a p95 worse by more than the margin and the absolute minimum, and only that', () => {
    const baseline = run('b', [step('a'), step('b'), step('c', { p95: 20 }), step('d')]);
    const current = run('c', [step('a', { p95: 111 }), step('b', { p95: 109 }), step('c', { p95: 24 }), step('d', { p95: 80 })]);
    const c = compareRuns(current, baseline, { marginPct: 10, minAbsMs: 5 });
    expect(c.regressions.map((r) => r.key)).toEqual(['j/a']); // b: under 10%; c: +20% but only 4 ms
    expect(c.regressions[0]).toMatchObject({ kind: 'step_p95', baseline: 100, current: 111, delta: 11, deltaPct: 11 });
    expect(c.improvements.map((r) => r.key)).toEqual(['j/d']);
    expect(comparisonVerdictReasons(c)).toEqual(['regression against baseline b: step p95 j/a: 100 → 111 ms (+11%)']);
  });

  it('flags error rates worse by more than the margin in percentage points', () => {
    const baseline = run('b', [step('a'), step('b')]);
    const current = run('c', [step('a', { errors: 6 }), step('b', { errors: 3 })], { journeys: { j: { started: 100, completed: 90, failed: 10, interrupted: 0 } } });
    const c = compareRuns(current, baseline, { errorRateMarginPp: 1 });
    expect(c.regressions.map((r) => `${r.kind} ${r.key}`)).toEqual(['step_error_rate j/a', 'journey_error_rate j']);
  });

  it('flags thresholds that held before and fail now; improvements when they now hold', () => {
    const t = { metric: 'chat.delivery_ms', expression: 'p(95)<1000', observed: 800, ok: true, noData: false, abortOnFail: false };
    const u = { ...t, metric: 'step.errors', expression: 'rate<0.05', observed: 0.09, ok: false };
    const c = compareRuns(run('c', [], { thresholds: [{ ...t, observed: 1400, ok: false }, { ...u, observed: 0.01, ok: true }] }), run('b', [], { thresholds: [t, u] }));
    expect(c.regressions.map((r) => r.key)).toEqual(['chat.delivery_ms p(95)<1000']);
    expect(c.improvements.map((r) => r.key)).toEqual(['step.errors rate<0.05']);
  });

  it('lists steps present in only one run without judging them, and rejects bad options', () => {
    const c = compareRuns(run('c', [step('a'), step('new')]), run('b', [step('a'), step('gone')]));
    expect(c.onlyInBaseline).toEqual(['j/gone']);
    expect(c.onlyInCurrent).toEqual(['j/new']);
    expect(c.regressions).toEqual([]);
    expect(() => compareRuns(run('c', []), run('b', []), { marginPct: -1 })).toThrow(/marginPct must be a number ≥ 0/);
  });
});
