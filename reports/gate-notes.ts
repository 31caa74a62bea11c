// A PASS printed beside a critical or high finding must say why the finding did not gate, or the
// reader cannot tell a release gate that held from one that never looked (issue: a PASS next to
// a "critical" bottleneck). Reasons, in order: start-up only; a plan problem (thresholds judge
// the target, not the plan); a threshold covers the finding's series and held; or no threshold
// covers it — then the note says which threshold would.
import type { RunSummary, ThresholdResult } from '../metrics/run-summary.ts';
import type { Tags } from '../metrics/types.ts';
import { seriesName, type Bottleneck, type BottleneckType } from './finding.ts';

/** "step.errors{journey:a,step:b}" → name and tag filter ({phase:...} is a scope, not a tag) */
export function parseThresholdKey(key: string): { name: string; filter: Record<string, string>; phase?: string } {
  const m = /^\s*([^{\s]+)\s*(?:\{(.*)\})?\s*$/.exec(key);
  const filter: Record<string, string> = {};
  let phase: string | undefined;
  for (const part of (m?.[2] ?? '').split(',')) {
    const kv = /^\s*([^:\s]+)\s*:\s*(.+?)\s*$/.exec(part);
    if (!kv) continue;
    if (kv[1] === 'phase') phase = kv[2];
    else filter[kv[1]!] = kv[2]!;
  }
  return { name: m?.[1] ?? key, filter, ...(phase ? { phase } : {}) };
}

/** Thresholds whose metric is the finding's and whose tag filter the finding's series satisfies. */
export function coveringThresholds(thresholds: readonly ThresholdResult[], metric: string, tags: Tags): ThresholdResult[] {
  return thresholds.filter((t) => {
    const { name, filter } = parseThresholdKey(t.metric);
    return name === metric && Object.entries(filter).every(([k, v]) => tags[k] === v);
  });
}

const suggested: Partial<Record<BottleneckType, (b: Bottleneck) => string>> = {
  latency_spike: (b) => `p(99)<${Math.ceil(b.limit)}`,
  high_error_rate: () => 'rate<0.01',
  generator_cpu: (b) => `max<${b.limit}`,
  generator_memory: (b) => `max<${b.limit}`,
  target_cpu: (b) => `max<${b.limit}`,
  target_memory: () => 'max<LIMIT_MB',
  video_cpu_limited: (b) => `rate<${b.limit / 100}`,
  video_bandwidth_limited: (b) => `rate<${b.limit / 100}`,
  webrtc_loss: (b) => `avg<${b.limit}`,
  low_mos: (b) => `avg>${b.limit}`,
  video_freezes: () => 'count<1',
};

const needsNote = (summary: RunSummary, b: Bottleneck): boolean =>
  summary.verdict.result === 'pass' && (b.severity === 'critical' || b.severity === 'high');

/** Why this finding did not fail a passing run; undefined when the run did not pass or the finding is minor. */
export function whyVerdictStands(b: Bottleneck, summary: RunSummary): string | undefined {
  if (!needsNote(summary, b)) return undefined;
  if (b.area === 'start-up') {
    return 'Did not gate: start-up only (browser launch, first connect, first intervals), which the verdict does not judge. Add a {phase:NAME} threshold on the first phase if first use matters.';
  }
  if (b.area === 'plan') {
    return 'Did not gate: a plan problem, not a measurement of the target; thresholds judge the target, not the plan. This PASS says nothing about the calls affected: fix the plan and run again.';
  }
  const series = seriesName(b.evidence.metric, b.evidence.tags);
  const covering = coveringThresholds(summary.thresholds, b.evidence.metric, b.evidence.tags);
  if (covering.length > 0) {
    const list = covering.map((t) => {
      const broad = Object.keys(parseThresholdKey(t.metric).filter).length < Object.keys(b.evidence.tags).length;
      return `${t.metric} ${t.expression} held (observed ${t.observed ?? 'no data'})${broad ? ' over all its series together' : ''}`;
    });
    return `Did not gate: threshold ${list.join('; ')}. Tighten it, or add one on ${series}, to gate on this.`;
  }
  const expr = suggested[b.type]?.(b);
  if (!expr) return `Did not gate: no threshold can express this (${b.type}); it is advice for the next run, not a gate.`;
  return `Did not gate: no threshold covers ${series}; add one to gate on it, e.g. '${series}': ['${expr}'].`;
}

/** The header line under a PASS with critical/high findings. */
export function passCaveat(summary: RunSummary, findings: readonly Bottleneck[]): string | undefined {
  const n = findings.filter((b) => needsNote(summary, b)).length;
  if (n === 0) return undefined;
  return `PASS, with ${n} critical/high finding(s) that did not gate: each says why under Findings.`;
}
