// Findings and recommendations: plan problems first, then the run under load, then start-up apart,
// then what was not judged for lack of samples, and the minimums themselves. Under a PASS, every
// critical/high finding says why it did not gate.
import type { RunSummary } from '../../metrics/run-summary.ts';
import { describeEvidence, type Analysis, type Bottleneck } from '../finding.ts';
import { whyVerdictStands } from '../gate-notes.ts';
import { MIN_SAMPLES, minSampleDescriptions } from '../min-samples.ts';
import type { Recommendation } from '../recommendations.ts';
import { STARTUP_INTERVALS, STARTUP_STEPS } from '../startup.ts';
import { escapeHtml as e } from './escape.ts';
import { table, type Cell } from './sections.ts';

const severity = (s: string): Cell => ({ html: `<span class="sev-${e(s)}">${e(s)}</span>` });

function findingsTable(id: string, findings: readonly Bottleneck[], summary: RunSummary, empty: string): string {
  const notes = findings.map((b) => whyVerdictStands(b, summary));
  const withNotes = notes.some(Boolean);
  const headers = ['severity', 'type', 'component', 'details', 'evidence', 'what to do', ...(withNotes ? ['why the PASS stands'] : [])];
  const rows = findings.map((b, i) => [severity(b.severity), b.type, b.component, b.details, { html: `<span class="evidence">${e(describeEvidence(b.evidence))}</span>` }, b.recommendation,
    ...(withNotes ? [notes[i] ? { html: `<span class="gate-note">${e(notes[i])}</span>` } : ''] : [])] as Cell[]);
  return table(id, headers, rows, empty);
}

export function findingsSection(analysis: Analysis, summary: RunSummary, recs: readonly Recommendation[]): string {
  const { findings, withheld } = analysis;
  const plan = findings.filter((b) => b.area === 'plan');
  const load = findings.filter((b) => b.area === 'load');
  const startup = findings.filter((b) => b.area === 'start-up');
  const withheldRows = withheld.map((w) => [w.type, w.component, w.details, describeEvidence(w.evidence)] as Cell[]);
  const minimums = minSampleDescriptions.map((d) => [d.rule, MIN_SAMPLES[d.rule], d.what] as Cell[]);
  const recRows = recs.map((r) => [severity(r.priority), r.category, r.title, r.description, { html: r.evidence.map((x) => `<div class="evidence">${e(x)}</div>`).join('') }] as Cell[]);
  return `<section id="bottlenecks"><h2>Findings</h2>
${plan.length ? `<h3>Plan problems (the plan, not the target)</h3>${findingsTable('plan-problems-table', plan, summary, '')}` : ''}
<h3>Under load</h3>${findingsTable('bottlenecks-table', load, summary, 'no bottleneck rule fired under load')}
<h3>Start-up, apart from steady state</h3>
<p class="note">Start-up: the first ${STARTUP_INTERVALS} intervals of the run, and for browser launches and first ${e(STARTUP_STEPS.join('/'))} steps the whole first ramp.</p>
${findingsTable('startup-table', startup, summary, 'nothing found only at start-up')}
<h3>Not judged: fewer samples than the rule's minimum</h3>${table('withheld-table', ['type', 'component', 'what the rule saw', 'evidence'], withheldRows, 'every rule that fired had enough samples')}
<details id="min-samples"><summary>Minimum samples per rule</summary>${table('min-samples-table', ['rule', 'minimum', 'of'], minimums)}</details>
</section>
<section id="recommendations"><h2>Recommendations</h2>${table('recommendations-table', ['priority', 'category', 'title', 'description', 'evidence'], recRows, 'nothing to recommend')}</section>`;
}
