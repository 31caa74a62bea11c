import { describe, expect, it } from 'vitest';
import type { ThresholdResult } from './run-summary.ts';
import { deferToMerge } from './shard-thresholds.ts';
import { describeThresholdResult } from './thresholds.ts';
import { toJUnitXml } from './junit.ts';

const result = (over: Partial<ThresholdResult>): ThresholdResult => ({ metric: 'chat.delivery_ms', expression: 'p(95)<1000', observed: 400, ok: true, noData: false, abortOnFail: false, source: 'plan', ...over });

describe('deferToMerge', () => {
  const results = [
    result({}),
    result({ expression: 'p(95)<100', ok: false }),
    result({ metric: 'webrtc.fps{driver:browser}', expression: 'p(50)>=12', observed: null, ok: false, noData: true }),
    result({ metric: 'chat.messages_sent', expression: 'count>3000000', observed: 700_000, ok: false }),
    result({ metric: 'journey.completed{journey:voiceCall,driver:protocol}', expression: 'count>0', observed: null, ok: false, noData: true, source: 'default' }),
  ];

  it('an unsharded run judges everything itself', () => {
    expect(deferToMerge(results, 1)).toEqual(results);
  });

  it('a shard leaves no-data and count thresholds of the plan to the merge, and judges the rest and the built-in gate', () => {
    const out = deferToMerge(results, 4);
    expect(out.map((r) => [r.ok, r.deferred ?? false])).toEqual([[true, false], [false, false], [true, true], [true, true], [false, false]]);
    expect(describeThresholdResult(out[2]!)).toBe('threshold webrtc.fps{driver:browser} p(50)>=12 left to waddle-fleet merge: no data in this shard');
    expect(describeThresholdResult(out[3]!)).toBe('threshold chat.messages_sent count>3000000 left to waddle-fleet merge: a total of the whole run (this shard: 700000)');
  });

  it('JUnit marks a deferred threshold skipped, not passed', () => {
    const summary = { runId: 'r', shard: '1/2', startedAt: '', durationMs: 0, status: 'complete', verdict: { result: 'pass', exitCode: 0, reasons: [] }, thresholds: deferToMerge(results, 2) };
    const xml = toJUnitXml(summary as never);
    expect(xml).toMatch(/name="chat.messages_sent count&gt;3000000"[^>]*>\s*<skipped message="left to waddle-fleet merge/);
  });
});
