import { describe, expect, it } from 'vitest';
import { MetricsHub } from './hub.ts';
import { toJUnitXml } from './junit.ts';
import type { RunSummary, ThresholdResult } from './run-summary.ts';
import { ErrorCollector, buildSummary } from './summary.ts';
import { decideVerdict } from './verdict.ts';

function walkNumbers(v: unknown, path: string, out: string[]): void {
  if (typeof v === 'number' && !Number.isFinite(v)) out.push(path);
  else if (Array.isArray(v)) v.forEach((x, i) => walkNumbers(x, `${path}[${i}]`, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walkNumbers(x, `${path}.${k}`, out);
}

const users = { started: 0, completed: 0, failed: 0, interrupted: 0 };

function summaryOf(partial: Partial<Parameters<typeof buildSummary>[0]> = {}): RunSummary {
  return buildSummary({
    runId: 'r1', shard: '1/1', status: 'complete', startedAtMs: 1_700_000_000_000, endedAtMs: 1_700_000_060_000, target: 'http://127.0.0.1:1',
    plan: {}, phases: [], verdict: decideVerdict({ interrupted: false, saturated: false, saturationReasons: [], thresholds: [], runCompleted: true, usersStarted: 0 }),
    userCounts: users, journeyCounts: {}, totals: [], thresholds: [], ...partial,
  });
}

describe('buildSummary', () => {
  it('has no NaN, null-where-not-allowed or negative duration with empty input', () => {
    const s = summaryOf({ endedAtMs: null, generator: { cpuPercentP95: Number.NaN } });
    const bad: string[] = [];
    walkNumbers(JSON.parse(JSON.stringify(s)), 'summary', bad);
    walkNumbers(s, 'summary', bad);
    expect(bad).toEqual([]);
    expect(s.steps).toEqual([]);
    expect(s.metrics).toEqual([]);
    expect(s.generator.cpuPercentP95).toBe(0);
    expect(s.scheduleLagMs).toEqual({ p50: 0, p95: 0, max: 0 });
    expect(s.endedAt).toBeNull();
    expect(s.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('keeps failed steps out of the step latency and reports them apart, by reason', () => {
    const hub = new MetricsHub({ runId: 'r', shard: '1/1', sinks: [] });
    const tags = { journey: 'chatMessaging', step: 'send_message' };
    for (let i = 0; i < 3; i++) {
      hub.record('step.duration_ms', 400, tags);
      hub.record('step.errors', 0, tags);
    }
    for (let i = 0; i < 7; i++) {
      hub.record('step.failed_duration_ms', 0.2, { ...tags, reason: i < 5 ? 'network' : 'timeout' });
      hub.record('step.errors', 1, tags);
    }
    const [step] = summaryOf({ totals: hub.totals() }).steps;
    expect(step).toMatchObject({ count: 10, errors: 7, failureReasons: { network: 5, timeout: 2 } });
    expect(step?.p50).toBeCloseTo(400, 0);
    expect(step?.failedMax).toBeCloseTo(0.2, 2);
  });

  it('builds steps per {journey, step}, metrics per name and the generator video share from totals', () => {
    const hub = new MetricsHub({ runId: 'r', shard: '1/1', sinks: [] });
    for (let i = 1; i <= 100; i++) {
      hub.record('step.duration_ms', i, { journey: 'chatMessaging', step: 'send_message' });
      hub.record('step.errors', i <= 3 ? 1 : 0, { journey: 'chatMessaging', step: 'send_message' });
    }
    hub.record('step.duration_ms', 5000, { journey: 'voiceCall', step: 'join_voice' });
    hub.record('users.schedule_lag_ms', 12);
    hub.record('webrtc.quality_limited_cpu', 1, { kind: 'video', direction: 'outbound' });
    hub.record('webrtc.quality_limited_cpu', 0, { kind: 'video', direction: 'outbound' });
    hub.record('generator.cpu_pct', 55);
    hub.record('generator.cpu_pct', 80);
    const s = summaryOf({ totals: hub.totals(), generator: { saturated: false, reasons: [], videoCpuLimitedShare: 0 } });
    expect(s.steps).toHaveLength(2);
    expect(s.steps[0]).toMatchObject({ journey: 'chatMessaging', step: 'send_message', count: 100, errors: 3, max: 100, mean: 50.5 });
    expect(s.steps[0]?.p95).toBeCloseTo(95, 0);
    expect(s.steps[1]).toMatchObject({ journey: 'voiceCall', step: 'join_voice', count: 1, p50: 5000, p99: 5000 });
    expect(s.metrics.find((m) => m.metric === 'step.errors')?.rate).toBeCloseTo(0.03, 9);
    expect(s.metrics.find((m) => m.metric === 'step.duration_ms')?.unit).toBe('ms');
    expect(s.scheduleLagMs.max).toBe(12);
    expect(s.generator.videoCpuLimitedShare).toBe(0.5);
    expect(s.generator.cpuPercentMax).toBe(80);
  });
});

describe('buildSummary: generator figures beside the judged CPU', () => {
  it('carries the monitor figures: machine CPU, run-queue wait and start-up burst, and leaves them out when not given', () => {
    const s = summaryOf({ generator: { cpuPercentP95: 58, machineCpuPercentP95: 91, cpuWaitPercentP95: 22, cpuStarvedPercentP95: 3, startupCpuPercentMax: 100, startupMs: Number.NaN } });
    expect(s.generator).toMatchObject({ cpuPercentP95: 58, machineCpuPercentP95: 91, cpuWaitPercentP95: 22, cpuStarvedPercentP95: 3, startupCpuPercentMax: 100, startupMs: 0 });
    expect(Object.keys(summaryOf({ generator: { cpuPercentP95: 58 } }).generator)).not.toContain('machineCpuPercentP95');
  });
});

describe('ErrorCollector', () => {
  it('groups step and journey errors by reason with up to 5 examples, ignoring other events', () => {
    const c = new ErrorCollector();
    for (let i = 0; i < 8; i++) c.add({ timeMs: i, type: 'step_error', reason: 'timeout', message: `waited ${i} s`, tags: { journey: 'chatMessaging', step: 'send_message' } });
    c.add({ timeMs: 9, type: 'journey_error', message: 'boom' });
    c.add({ timeMs: 10, type: 'run_start' });
    expect(c.total).toBe(9);
    const classes = c.classes();
    expect(classes.map((x) => [x.reason, x.count])).toEqual([['timeout', 8], ['unclassified', 1]]);
    expect(classes[0]?.examples).toHaveLength(5);
    expect(classes[0]?.examples[0]).toBe('chatMessaging/send_message: waited 0 s');
  });
});

describe('toJUnitXml', () => {
  const failed: ThresholdResult = { metric: 'chat.delivery_ms{journey:a&b}', expression: 'p(95)<1000', observed: 1433, ok: false, noData: false, abortOnFail: false };
  const held: ThresholdResult = { metric: 'journey.errors', expression: 'rate<0.05', observed: 0.01, ok: true, noData: false, abortOnFail: false };
  const noData: ThresholdResult = { metric: 'webrtc.rtt_ms', expression: "p(95)<'\"5", observed: null, ok: false, noData: true, abortOnFail: false };
  const optional: ThresholdResult = { ...noData, ok: true, expression: 'p(95)<5' };

  function structure(xml: string) {
    // strict structure check: well-formed tags, balanced, attributes quoted, no raw & or <
    const stack: string[] = [];
    const body = xml.replace(/^<\?xml version="1.0" encoding="UTF-8"\?>\n/, '');
    const tokens = body.match(/<[^>]*>|[^<]+/g) ?? [];
    for (const t of tokens) {
      if (t.startsWith('</')) expect(stack.pop()).toBe(t.slice(2, -1));
      else if (t.startsWith('<')) {
        expect(t).toMatch(/^<([a-z]+)((\s+[a-z]+="[^"<&]*(&(amp|lt|gt|quot|apos);[^"<&]*)*")*)\s*\/?>$/);
        if (!t.endsWith('/>')) stack.push((/^<([a-z]+)/.exec(t) as RegExpExecArray)[1] as string);
      } else expect(t).not.toMatch(/&(?!(amp|lt|gt|quot|apos);)|>/);
    }
    expect(stack).toEqual([]);
  }

  it('writes one case per threshold plus run completeness, escaped, with counts that match', () => {
    const s = summaryOf({ thresholds: [failed, held, noData, optional], verdict: decideVerdict({ interrupted: false, saturated: false, saturationReasons: [], thresholds: [failed, held, noData], runCompleted: true, usersStarted: 3 }) });
    const xml = toJUnitXml(s);
    structure(xml);
    expect((xml.match(/<testcase /g) ?? []).length).toBe(5);
    expect((xml.match(/<failure /g) ?? []).length).toBe(2);
    expect(xml).toContain('<testsuites name="waddle-fleet" tests="5" failures="2" errors="0" skipped="1"');
    expect(xml).toContain('name="chat.delivery_ms{journey:a&amp;b} p(95)&lt;1000"');
    expect(xml).toContain('expected p(95)&lt;1000, observed 1433');
    expect(xml).toContain('type="noData"');
    expect(xml).toMatch(/<testcase classname="run" name="run completeness" time="0"\/>/);
  });

  it('says NOT GATED (a skipped case) when the plan turned the built-in gate off', () => {
    const ungated = toJUnitXml(summaryOf({ defaultGate: false }));
    structure(ungated);
    expect(ungated).toMatch(/<testcase classname="default gate" name="built-in error gate" time="0">\n\s+<skipped message="NOT GATED: the built-in error gate is off \(defaultThresholds: false\) and the plan has no threshold of its own: a PASS only says the run ran"\/>/);
    expect(ungated).toContain('skipped="1"');
    expect(toJUnitXml(summaryOf({ defaultGate: true }))).not.toContain('NOT GATED');
  });

  it('fails run completeness when inconclusive', () => {
    const s = summaryOf({ status: 'partial', verdict: decideVerdict({ interrupted: false, saturated: true, saturationReasons: ['cpu <100%> & more'], thresholds: [], runCompleted: true, usersStarted: 3 }) });
    const xml = toJUnitXml(s);
    structure(xml);
    expect(xml).toMatch(/<testcase classname="run" name="run completeness" time="0">\n\s+<failure message="run inconclusive \(status partial, exit 4\)" type="inconclusive">/);
    expect(xml).toContain('cpu &lt;100%&gt; &amp; more');
  });
});
