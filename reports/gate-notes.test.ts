// Never PASS beside a critical finding without saying why it did not gate.
import { describe, expect, it } from 'vitest';
import type { RunSummary, ThresholdResult } from '../metrics/run-summary.ts';
import { analyseRun } from './bottlenecks.ts';
import type { Bottleneck } from './finding.ts';
import { coveringThresholds, parseThresholdKey, passCaveat, whyVerdictStands } from './gate-notes.ts';
import { buildReportHtml } from './html/build.ts';
import { makeFixtureRun } from './testing/fixture-run.ts';

const pass = { result: 'pass', exitCode: 0, reasons: ['passed'] } as const;
const stepErrors: Bottleneck = {
  type: 'high_error_rate', component: 'chatMessaging/send_message', severity: 'critical', area: 'load', details: '9 of 100 runs failed', recommendation: 'fix it',
  observed: 9, limit: 5, evidence: { metric: 'step.errors', tags: { journey: 'chatMessaging', step: 'send_message' }, phases: 'steady ×4', samples: 100, minSamples: 10 },
};
const threshold = (metric: string, expression: string, observed: number): ThresholdResult => ({ metric, expression, observed, ok: true, noData: false, abortOnFail: false });
const summaryWith = (thresholds: ThresholdResult[], verdict: RunSummary['verdict'] = pass): RunSummary => ({ ...makeFixtureRun({ intervalCount: 4, seed: 2 }).summary, thresholds, verdict });

describe('why a PASS stands beside a critical finding', () => {
  it('says no threshold covers the series, with the threshold that would', () => {
    expect(whyVerdictStands(stepErrors, summaryWith([threshold('chat.delivery_ms', 'p(95)<1000', 80)])))
      .toBe("Did not gate: no threshold covers step.errors{journey:chatMessaging,step:send_message}; add one to gate on it, e.g. 'step.errors{journey:chatMessaging,step:send_message}': ['rate<0.01'].");
  });

  it('names the covering threshold that held, and says when it judged all series together', () => {
    const broad = whyVerdictStands(stepErrors, summaryWith([threshold('step.errors', 'rate<0.1', 0.02)]));
    expect(broad).toBe('Did not gate: threshold step.errors rate<0.1 held (observed 0.02) over all its series together. Tighten it, or add one on step.errors{journey:chatMessaging,step:send_message}, to gate on this.');
    const other = summaryWith([threshold('step.errors{journey:videoCall}', 'rate<0.01', 0)]);
    expect(coveringThresholds(other.thresholds, 'step.errors', stepErrors.evidence.tags)).toEqual([]);
    expect(parseThresholdKey('step.errors{phase:Peak Load,journey:a}')).toEqual({ name: 'step.errors', filter: { journey: 'a' }, phase: 'Peak Load' });
  });

  it('says start-up only and plan problem for those areas, and nothing for a failed run or a minor finding', () => {
    const s = summaryWith([]);
    expect(whyVerdictStands({ ...stepErrors, area: 'start-up' }, s)).toMatch(/^Did not gate: start-up only/);
    expect(whyVerdictStands({ ...stepErrors, area: 'plan' }, s)).toMatch(/^Did not gate: a plan problem/);
    expect(whyVerdictStands(stepErrors, summaryWith([], { result: 'fail', exitCode: 3, reasons: ['x'] }))).toBeUndefined();
    expect(whyVerdictStands({ ...stepErrors, severity: 'medium' }, s)).toBeUndefined();
    expect(passCaveat(s, [stepErrors, { ...stepErrors, severity: 'low' }])).toBe('PASS, with 1 critical/high finding(s) that did not gate: each says why under Findings.');
  });

  it('prints the caveat under the PASS badge and the reason in the finding row of report.html', () => {
    const run = makeFixtureRun({ seed: 4, stepErrorRate: { 'videoCall/join_voice': 0.2 }, verdict: pass });
    const critical = analyseRun(run.summary, run.intervals).findings.filter((f) => f.severity === 'critical');
    expect(critical.map((f) => f.component)).toEqual(['videoCall/join_voice']);
    const html = buildReportHtml(run);
    expect(html).toMatch(/<p id="gate-caveat" class="warn">PASS, with \d+ critical\/high finding\(s\) that did not gate/);
    const row = html.slice(html.indexOf('videoCall/join_voice', html.indexOf('id="bottlenecks-table"')));
    expect(row.slice(0, row.indexOf('</tr>'))).toContain('Did not gate: no threshold covers step.errors{journey:videoCall,step:join_voice}');
  });
});
