// junit.xml for CI: one testsuite, one testcase per threshold (a failure element with observed vs
// expected, or no data), plus "run completeness", which fails when the verdict is inconclusive or
// interrupted, so a CI dashboard never shows green for a run that proved nothing.
import type { RunSummary } from './run-summary.ts';
import { describeThresholdResult } from './thresholds.ts';

/** escape text and attribute values; drop characters XML 1.0 cannot hold at all */
export function xmlEscape(s: string): string {
  return s
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

interface Case {
  readonly classname: string;
  readonly name: string;
  readonly failure?: { readonly message: string; readonly type: string; readonly body: string };
  readonly skipped?: string;
}

export function toJUnitXml(summary: RunSummary): string {
  const cases: Case[] = summary.thresholds.map((t) => {
    const name = `${t.metric} ${t.expression}`;
    // the built-in error gate (metrics/default-gate.ts) apart from the plan's own thresholds
    const classname = t.source === 'default' ? 'default gate' : 'thresholds';
    if (t.deferred) return { classname, name, skipped: 'left to waddle-fleet merge (judged on all shards)' };
    if (t.noData && t.ok) return { classname, name, skipped: 'no data (optional threshold)' };
    if (t.ok) return { classname, name };
    const body = t.noData
      ? `expected ${t.expression} on ${t.metric}, but the metric never got a sample (no data)`
      : `expected ${t.expression}, observed ${t.observed}`;
    return { classname, name, failure: { message: describeThresholdResult(t), type: t.noData ? 'noData' : 'threshold', body } };
  });
  // a CI dashboard shows a run the built-in gate did not judge as such, not as one more green run
  if (summary.defaultGate === false) {
    const own = summary.thresholds.filter((t) => t.source !== 'default').length;
    cases.unshift({ classname: 'default gate', name: 'built-in error gate', skipped: `NOT GATED: the built-in error gate is off (defaultThresholds: false)${own === 0 ? ' and the plan has no threshold of its own: a PASS only says the run ran' : `; only the plan's ${own} threshold(s) judge this run`}` });
  }
  const complete = summary.status === 'complete' && (summary.verdict.result === 'pass' || summary.verdict.result === 'fail');
  cases.push({
    classname: 'run',
    name: 'run completeness',
    failure: complete
      ? undefined
      : { message: `run ${summary.verdict.result} (status ${summary.status}, exit ${summary.verdict.exitCode})`, type: summary.verdict.result, body: summary.verdict.reasons.join('\n') },
  });
  const failures = cases.filter((c) => c.failure).length;
  const skipped = cases.filter((c) => c.skipped).length;
  const timeS = (Math.max(0, summary.durationMs) / 1000).toFixed(3);
  const suiteName = `waddle-fleet ${summary.runId}${summary.shard !== '1/1' ? ` shard ${summary.shard}` : ''}`;
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="waddle-fleet" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${timeS}">`,
    `  <testsuite name="${xmlEscape(suiteName)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${timeS}" timestamp="${xmlEscape(summary.startedAt)}">`,
  ];
  for (const c of cases) {
    const open = `    <testcase classname="${xmlEscape(c.classname)}" name="${xmlEscape(c.name)}" time="0"`;
    if (c.failure) {
      out.push(`${open}>`, `      <failure message="${xmlEscape(c.failure.message)}" type="${xmlEscape(c.failure.type)}">${xmlEscape(c.failure.body)}</failure>`, '    </testcase>');
    } else if (c.skipped) {
      out.push(`${open}>`, `      <skipped message="${xmlEscape(c.skipped)}"/>`, '    </testcase>');
    } else out.push(`${open}/>`);
  }
  out.push('  </testsuite>', '</testsuites>', '');
  return out.join('\n');
}
