import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MetricsHub } from './hub.ts';
import type { ThresholdResult } from './run-summary.ts';
import { decideVerdict, withBaselineRegression, videoCpuLimitedShare, videoCpuSaturationReason, type VerdictInput } from './verdict.ts';

const held: ThresholdResult = { metric: 'chat.delivery_ms', expression: 'p(95)<1000', observed: 420, ok: true, noData: false, abortOnFail: false };
const failed: ThresholdResult = { metric: 'chat.delivery_ms', expression: 'p(95)<1000', observed: 1433, ok: false, noData: false, abortOnFail: false };
const noData: ThresholdResult = { metric: 'webrtc.video.freeze_ms', expression: 'p(99)<500', observed: null, ok: false, noData: true, abortOnFail: false };

const good: VerdictInput = { interrupted: false, saturated: false, saturationReasons: [], thresholds: [held], runCompleted: true, usersStarted: 10 };

const table: Array<[string, Partial<VerdictInput>, string, number, RegExp]> = [
  ['all good', {}, 'pass', 0, /all 1 threshold\(s\) had data and held/],
  ['no thresholds and the built-in gate off', { thresholds: [], gated: false }, 'pass', 0, /NOT GATED/],
  ['every iteration failed, no threshold at all', { thresholds: [], iterationsCompleted: 0, gated: false }, 'fail', 3, /no journey iteration completed: all 10 user\(s\) failed/],
  ['every iteration failed, thresholds held', { iterationsCompleted: 0 }, 'fail', 3, /no journey iteration completed/],
  ['threshold failed', { thresholds: [held, failed] }, 'fail', 3, /p\(95\)<1000 failed: observed 1433 ms/],
  ['no data fails', { thresholds: [noData] }, 'fail', 3, /no data/],
  ['interrupted outranks everything', { interrupted: true, internalError: 'x', saturated: true, thresholds: [failed] }, 'interrupted', 130, /interrupted/],
  ['internal error', { internalError: 'pool: boom', saturated: true }, 'inconclusive', 1, /internal error .*pool: boom/],
  ['saturated outranks failed thresholds', { saturated: true, saturationReasons: ['CPU 97% for 10 s'], thresholds: [failed] }, 'inconclusive', 4, /saturated \(CPU 97% for 10 s\); a starved generator cannot prove the target slow/],
  ['missing shards', { missingShards: ['2/3'], thresholds: [failed] }, 'inconclusive', 4, /shard\(s\) 2\/3 did not report/],
  ['abortOnFail', { aborted: 'threshold journey.errors rate<0.05 failed', runCompleted: false, thresholds: [failed] }, 'fail', 3, /stopped early by an abortOnFail threshold/],
  ['not completed', { runCompleted: false }, 'inconclusive', 4, /did not complete/],
  ['no user started', { usersStarted: 0, thresholds: [failed] }, 'inconclusive', 4, /no virtual user ever started/],
];

describe('decideVerdict', () => {
  it.each(table)('%s', (_name, patch, result, exitCode, reason) => {
    const v = decideVerdict({ ...good, ...patch });
    expect(v.result).toBe(result);
    expect(v.exitCode).toBe(exitCode);
    expect(v.reasons.join('\n')).toMatch(reason);
  });

  it('carries the abortOnFail stop as a field (merge reads it, not the sentences) and puts notes after the reasons', () => {
    const stopped = decideVerdict({ ...good, aborted: 'threshold journey.errors rate<0.05 failed', notes: ['influxdb dropped 3 points'] });
    expect(stopped.abortedBy).toBe('threshold journey.errors rate<0.05 failed');
    expect(stopped.reasons.at(-1)).toBe('influxdb dropped 3 points');
    // a saturated run stopped by abortOnFail is inconclusive, and still says a threshold stopped it
    expect(decideVerdict({ ...good, saturated: true, aborted: 'x' })).toMatchObject({ exitCode: 4, abortedBy: 'x' });
    expect(decideVerdict(good).abortedBy).toBeUndefined();
  });

  it('a baseline regression fails a passing verdict only', () => {
    const pass = decideVerdict(good);
    expect(withBaselineRegression(pass, [])).toBe(pass);
    expect(withBaselineRegression(pass, ['p95 +40%'])).toMatchObject({ result: 'fail', exitCode: 3, reasons: [...pass.reasons, 'p95 +40%'] });
    const inconclusive = decideVerdict({ ...good, runCompleted: false });
    expect(withBaselineRegression(inconclusive, ['p95 +40%'])).toBe(inconclusive);
  });

  it('says which failures it could not trust when inconclusive', () => {
    const v = decideVerdict({ ...good, saturated: true, saturationReasons: ['r'], thresholds: [failed] });
    expect(v.reasons[1]).toMatch(/1 threshold\(s\) failed, but on data that cannot be trusted/);
  });
});

describe('videoCpuLimitedShare', () => {
  it('is the share of outbound video samples limited by CPU, and gives a saturation reason above the limit', () => {
    const hub = new MetricsHub({ runId: 'r', shard: '1/1', sinks: [] });
    for (let i = 0; i < 10; i++) hub.record('webrtc.quality_limited_cpu', i < 4 ? 1 : 0, { kind: 'video', direction: 'outbound' });
    for (let i = 0; i < 10; i++) hub.record('webrtc.quality_limited_cpu', 1, { kind: 'audio', direction: 'outbound' }); // ignored
    expect(videoCpuLimitedShare(hub.totals())).toBeCloseTo(0.4, 9);
    expect(videoCpuSaturationReason(hub.totals())).toMatch(/^40% of outbound video samples were limited by CPU/);
    expect(videoCpuSaturationReason(hub.totals(), 0.5)).toBeUndefined();
    expect(videoCpuLimitedShare([])).toBe(0);
  });
});

describe('a saturated generator and errors it cannot cause (issue 19)', () => {
  const base: VerdictInput = { interrupted: false, saturated: true, saturationReasons: ['generator CPU p95 97% of the machine'], thresholds: [], runCompleted: true, usersStarted: 4 };
  const journeyErrors: ThresholdResult = { metric: 'journey.errors{journey:chatMessaging,driver:protocol}', expression: 'rate<0.01', observed: 1, ok: false, noData: false, abortOnFail: false, source: 'default' };

  it('every iteration failing with assertions keeps exit 3, with the saturation named beside', () => {
    const v = decideVerdict({ ...base, thresholds: [journeyErrors, failed], iterationsCompleted: 0, errorReasons: { assertion: 120 } });
    expect(v).toMatchObject({ result: 'fail', exitCode: 3 });
    expect(v.reasons[0]).toMatch(/no journey iteration completed/);
    expect(v.reasons.join('\n')).toMatch(/journey\.errors.*failed/);
    expect(v.reasons.join('\n')).toMatch(/120 assertion error\(s\): not ones a slow generator causes/);
    expect(v.reasons.at(-1)).toMatch(/the load generator was also saturated \(generator CPU p95 97% of the machine\)/);
    // a latency threshold on a starved generator is not listed as a finding
    expect(v.reasons.join('\n')).not.toMatch(/chat\.delivery_ms/);
  });

  it('a target that broke its protocol fails the run whatever the error reasons', () => {
    const protocolErrors: ThresholdResult = { metric: 'connection.protocol_errors{journey:chatMessaging,driver:protocol}', expression: 'count<1', observed: 9, ok: false, noData: false, abortOnFail: false, source: 'default' };
    const v = decideVerdict({ ...base, thresholds: [protocolErrors, failed], errorReasons: {} });
    expect(v).toMatchObject({ result: 'fail', exitCode: 3 });
    expect(v.reasons.join('\n')).toMatch(/connection\.protocol_errors.*failed[\s\S]*broke its protocol[\s\S]*also saturated/);
  });

  it('stays inconclusive when any error could be the generator\'s (a timeout), or only latency failed', () => {
    expect(decideVerdict({ ...base, thresholds: [journeyErrors], errorReasons: { assertion: 5, timeout: 1 } })).toMatchObject({ result: 'inconclusive', exitCode: 4 });
    expect(decideVerdict({ ...base, thresholds: [failed], errorReasons: { assertion: 5 } })).toMatchObject({ result: 'inconclusive', exitCode: 4 });
    expect(decideVerdict({ ...base, thresholds: [journeyErrors] })).toMatchObject({ result: 'inconclusive', exitCode: 4 });
  });
});

describe('the README exit-code table agrees with the verdict', () => {
  it('"no iteration completed" has the code decideVerdict gives it', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const row = readme.split('\n').find((l) => /^\| \d+ \|.*no iteration completed/.test(l));
    const code = decideVerdict({ interrupted: false, saturated: false, saturationReasons: [], thresholds: [], runCompleted: true, usersStarted: 2, iterationsCompleted: 0 }).exitCode;
    expect(row).toMatch(new RegExp(`^\\| ${code} \\|`));
  });
});
