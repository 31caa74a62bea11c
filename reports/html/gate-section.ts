// The thresholds that gated the run, and whether anything gated it at all. Built-in thresholds
// (the default error gate: summary.thresholds[].source 'default') are marked as such; a run with
// no thresholds — the plan has none and opted out of the built-in gate — says prominently that
// it was NOT gated: its PASS proves only that it ran.
import type { RunSummary } from '../../metrics/run-summary.ts';
import { escapeHtml as e } from './escape.ts';
import { table, type Cell } from './sections.ts';

export const builtInGate = 'iteration failure rate per journey < 1%, step error rate per step < 1%, and at least one completed iteration per journey';

export type GateState = 'plan+default' | 'default' | 'plan' | 'none';

export function gateState(summary: RunSummary): GateState {
  const builtIn = summary.thresholds.some((t) => t.source === 'default');
  const own = summary.thresholds.some((t) => t.source !== 'default');
  return builtIn && own ? 'plan+default' : builtIn ? 'default' : own ? 'plan' : 'none';
}

/** The line beside the verdict badge when nothing gated the run. */
export function notGatedBadge(summary: RunSummary): string {
  if (gateState(summary) !== 'none') return '';
  const why = summary.defaultGate === false
    ? 'the plan has no thresholds and opted out of the built-in error gate (defaultThresholds: false)'
    : 'the run has no thresholds, not even the built-in error gate';
  const verdict = summary.verdict.result === 'pass' ? 'This PASS proves only that the run ran, not that Waddle met any target.' : 'Nothing judged what was measured.';
  return `<span id="not-gated-badge" class="badge badge-notgated">NOT GATED</span><p id="not-gated" class="bad">NOT GATED: ${e(why)}. ${e(verdict)} Add thresholds to the plan, or remove defaultThresholds: false.</p>`;
}

function gateNote(summary: RunSummary): string {
  const state = gateState(summary);
  if (state === 'none') return '';
  if (summary.defaultGate === false) return `<p class="warn" id="gate-note">The built-in error gate is off (the plan set defaultThresholds: false): only the plan's own thresholds below gated this run.</p>`;
  if (state === 'plan' && summary.defaultGate === undefined) return '';
  return `<p class="note" id="gate-note">built-in: the default error gate (${e(builtInGate)}), applied unless a plan sets defaultThresholds: false.</p>`;
}

export function thresholdsSection(summary: RunSummary): string {
  const rows = summary.thresholds.map((t) => [t.metric, t.expression, { num: t.observed, digits: 3 },
    { html: t.deferred ? '<span class="note">left to merge</span>' : t.ok ? '<span class="ok">pass</span>' : '<span class="bad">fail</span>' }, t.noData ? 'no data' : '', t.abortOnFail ? 'yes' : '',
    { html: t.source === 'default' ? '<span class="builtin">built-in</span>' : 'plan' }] as Cell[]);
  return `<section id="thresholds"><h2>Thresholds</h2>${gateNote(summary)}${table('thresholds-table', ['metric', 'expression', 'observed', 'result', 'no data', 'abort on fail', 'source'], rows, 'no thresholds: nothing gated this run')}</section>`;
}
