// report.html: one self-contained file. Styles, uPlot, the chart data and the drawing script are
// inlined; nothing is fetched, so it opens from a CI artifact store or an air-gapped laptop.
import type { RunSummary } from '../../metrics/run-summary.ts';
import { analyseRun, type BottleneckLimits } from '../bottlenecks.ts';
import { passCaveat } from '../gate-notes.ts';
import { evidenceTable } from './evidence-section.ts';
import { findingsSection } from './findings-section.ts';
import { notGatedBadge, thresholdsSection } from './gate-section.ts';
import { networkSection } from './network-section.ts';
import { chatSection, journeysSection } from './steps-section.ts';
import { byDriver } from '../drivers.ts';
import { baselineWarnings } from '../baseline.ts';
import { compareRuns, type CompareOptions, type Comparison } from '../compare.ts';
import { recommendations } from '../recommendations.ts';
import type { RunForReport } from '../run-folder-reader.ts';
import { buildReportCharts } from '../series.ts';
import { uplotAssets } from './assets.ts';
import { liveRefreshScript, reportCss, reportScript } from './client.ts';
import { escapeHtml, jsonForScript, scriptSafe } from './escape.ts';
import {
  chartsSection, comparisonSection, errorClasses, errorsSection, factsSection,
  generatorSection, partialBanner, planSection, verdictHeader,
} from './sections.ts';

export interface ReportOptions {
  /** a previous run to compare against (the release-to-release gate) */
  readonly baseline?: { readonly summary: RunSummary };
  readonly compare?: CompareOptions;
  /** a comparison already made (e.g. by the CLI for the verdict); wins over baseline */
  readonly comparison?: Comparison;
  /** points per chart at most; adjacent intervals merge above it */
  readonly maxPointsPerChart?: number;
  readonly bottleneckLimits?: Partial<BottleneckLimits>;
  /** why the comparison may mislead (baselineWarnings); computed from `baseline` when not given */
  readonly baselineWarnings?: readonly string[];
  /** a live view of a run still going (live/): its own header instead of the verdict, and a script that refreshes the page in place */
  readonly live?: { readonly header: string; readonly refreshMs: number };
}

export function buildReportHtml(run: RunForReport, options: ReportOptions = {}): string {
  const { summary, intervals, events } = run;
  const charts = buildReportCharts(intervals, options.maxPointsPerChart ?? 2000);
  const views = byDriver(summary, intervals);
  const analysis = analyseRun(summary, intervals, options.bottleneckLimits);
  const recs = recommendations(analysis.findings, summary, { intervals });
  const comparison = options.comparison ?? (options.baseline ? compareRuns(summary, options.baseline.summary, options.compare) : undefined);
  const warnings = options.baselineWarnings ?? (options.baseline ? baselineWarnings(summary, options.baseline.summary, comparison) : []);
  const title = `waddle-fleet report — ${summary.runId}`;
  const { js, css } = uplotAssets();
  const data = { charts: charts.filter((c) => c.series.length > 0) };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data: 'self'${options.live ? "; connect-src 'self'" : ''}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${css}</style><style>${reportCss}</style></head>
<body data-verdict="${escapeHtml(summary.verdict.result)}">
${options.live ? options.live.header : verdictHeader(summary, title, passCaveat(summary, analysis.findings), notGatedBadge(summary))}
<main>
${partialBanner(run.partial, run.problems)}
${factsSection(summary, run.skippedLines ?? 0)}
${comparison ? comparisonSection(comparison, warnings) : ''}
${thresholdsSection(summary)}
${findingsSection(analysis, summary, recs)}
${planSection(summary)}
${chartsSection(charts)}
${networkSection(intervals, (summary.plan as { networkMechanism?: string } | undefined)?.networkMechanism)}
${journeysSection(summary, views)}
${chatSection(views)}
${errorsSection(errorClasses(summary, events), evidenceTable(summary, run.missingEvidenceFiles))}
${generatorSection(summary)}
</main>
<script type="application/json" id="report-data">${jsonForScript(data)}</script>
<script>${scriptSafe(js)}</script>
<script>${scriptSafe(reportScript)}</script>${options.live ? `\n<script>${scriptSafe(liveRefreshScript(options.live.refreshMs))}</script>` : ''}
</body></html>
`;
}
