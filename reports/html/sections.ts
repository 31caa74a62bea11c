// The report's sections as HTML strings. Every value from the run goes through escapeHtml.
import type { RunEvent } from '../../metrics/types.ts';
import type { ErrorClass, RunSummary } from '../../metrics/run-summary.ts';
import type { Comparison } from '../compare.ts';
import type { ChartData } from '../series.ts';
import { pagesDrawn } from '../pages-drawn.ts';
import { escapeHtml as e } from './escape.ts';

export type Cell = string | number | null | undefined | { html: string } | { num: number | null | undefined; digits?: number };

function cell(c: Cell): string {
  if (c !== null && typeof c === 'object' && 'html' in c) return `<td>${c.html}</td>`;
  if (c !== null && typeof c === 'object' && 'num' in c) return `<td class="num">${fmtNum(c.num, c.digits)}</td>`;
  if (typeof c === 'number') return `<td class="num">${fmtNum(c)}</td>`;
  return `<td>${e(c ?? '')}</td>`;
}

export function fmtNum(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const rounded = Math.round(value * 10 ** digits) / 10 ** digits;
  return rounded.toLocaleString('en-US', { maximumFractionDigits: digits });
}

export function fmtDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  return h > 0 ? `${h}h ${m}m ${sec}s` : m > 0 ? `${m}m ${sec}s` : `${sec}s`;
}

export function table(id: string, headers: readonly string[], rows: readonly (readonly Cell[])[], empty = 'none'): string {
  if (rows.length === 0) return `<p class="nodata" id="${id}-empty">${e(empty)}</p>`;
  return `<table id="${id}"><thead><tr>${headers.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')}</tbody></table>`;
}

export function verdictHeader(summary: RunSummary, title: string, caveat?: string, notGated = ''): string {
  const v = summary.verdict;
  return `<header id="verdict"><h1>${e(title)}</h1><span id="verdict-badge" class="badge badge-${e(v.result)}">${e(v.result.toUpperCase())}</span>${notGated}
<span>exit code ${e(v.exitCode)}${summary.status !== 'complete' ? ` · run ${e(summary.status)}` : ''}</span>
<ul class="reasons" id="verdict-reasons">${v.reasons.map((r) => `<li>${e(r)}</li>`).join('')}</ul>${caveat ? `<p id="gate-caveat" class="warn">${e(caveat)}</p>` : ''}</header>`;
}

/** A report that covers only part of a run says so first, with what was skipped while reading. */
export function partialBanner(partial: readonly string[] | undefined, problems: readonly string[] | undefined): string {
  if (!partial?.length && !problems?.length) return '';
  const list = (items: readonly string[]): string => `<ul>${items.map((p) => `<li>${e(p)}</li>`).join('')}</ul>`;
  return `<section id="partial" class="${partial?.length ? 'banner banner-bad' : 'banner'}">${partial?.length ? `<h2>Partial report: not the whole run</h2>${list(partial)}` : ''}${problems?.length ? `<h3>Skipped while reading the run folder</h3>${list(problems)}` : ''}</section>`;
}

export function factsSection(summary: RunSummary, skippedLines: number): string {
  const u = summary.users;
  const facts: [string, string][] = [
    ['run', summary.runId], ['target', summary.target], ['shard', summary.shard], ['status', summary.status],
    ['started', summary.startedAt], ['ended', summary.endedAt ?? 'still running'], ['duration', fmtDuration(summary.durationMs)],
    ['users', `${u.started} started · ${u.completed} completed · ${u.failed} failed · ${u.interrupted} interrupted`],
    ['schedule lag', `p50 ${fmtNum(summary.scheduleLagMs.p50, 0)} ms · p95 ${fmtNum(summary.scheduleLagMs.p95, 0)} ms · max ${fmtNum(summary.scheduleLagMs.max, 0)} ms`],
  ];
  if (skippedLines > 0) facts.push(['unreadable lines', `${skippedLines} (a truncated last line after an abrupt stop)`]);
  return `<section id="facts"><h2>Run</h2><dl class="facts">${facts.map(([k, v]) => `<dt>${e(k)}</dt><dd>${e(v)}</dd>`).join('')}</dl></section>`;
}

export function planSection(summary: RunSummary): string {
  const t0 = Date.parse(summary.startedAt);
  const rows = summary.phases.map((p) => [p.name, fmtDuration(p.startMs - t0), fmtDuration(p.endMs - p.startMs), p.targetUsers] as Cell[]);
  const planName = summary.plan && typeof summary.plan === 'object' && 'name' in summary.plan ? String((summary.plan as { name: unknown }).name) : '';
  return `<section id="plan"><h2>Plan${planName ? `: ${e(planName)}` : ''}</h2>${table('phases-table', ['phase', 'starts at', 'duration', 'target users'], rows, 'no phases recorded')}
<details><summary>resolved plan (JSON)</summary><pre>${e(JSON.stringify(summary.plan, null, 2))}</pre></details></section>`;
}

/** For charts of many lines: which are shown, and buttons to show all or only the slowest again. */
function pickNote(c: ChartData): string {
  if (c.shownByDefault === undefined) return '';
  return `<p class="note" id="pick-${e(c.id)}">The ${c.shownByDefault} slowest of ${c.series.length} (highest peak) are drawn; click a name in the legend to draw or hide it.
<button type="button" data-chart-show="all" data-for="${e(c.id)}">show all ${c.series.length}</button> <button type="button" data-chart-show="top" data-for="${e(c.id)}">only the ${c.shownByDefault} slowest</button></p>`;
}

export function chartsSection(charts: readonly ChartData[]): string {
  const groups = [...new Set(charts.map((c) => c.group))];
  return `<section id="charts"><h2>Over time</h2>${groups.map((g) => `<h3>${e(g)}</h3><div class="charts">${charts.filter((c) => c.group === g).map((c) =>
    c.series.length > 0
      ? `<div class="chart${c.shownByDefault !== undefined ? ' chart-many' : ''}"><h3>${e(c.title)} <small>(${e(c.unit)})</small></h3>${pickNote(c)}<div id="chart-${e(c.id)}" data-chart="${e(c.id)}"></div></div>`
      : `<div class="chart"><h3>${e(c.title)}</h3><p class="nodata">no data in this run</p></div>`).join('')}</div>`).join('')}</section>`;
}

/** Error classes from the summary; when it has none (a partial run), grouped from the events. */
export function errorClasses(summary: RunSummary, events: readonly RunEvent[]): ErrorClass[] {
  if (summary.errors.length > 0) return [...summary.errors].sort((a, b) => b.count - a.count);
  const byReason = new Map<string, { count: number; examples: string[] }>();
  for (const ev of events) {
    if (!['step_error', 'journey_error', 'browser_crash', 'page_crash'].includes(ev.type)) continue;
    const reason = ev.reason ?? ev.type;
    let entry = byReason.get(reason);
    if (!entry) byReason.set(reason, (entry = { count: 0, examples: [] }));
    entry.count++;
    const where = [ev.tags?.journey, ev.tags?.step].filter(Boolean).join('/');
    const example = `${where ? `${where}: ` : ''}${ev.message ?? ev.type}`;
    if (entry.examples.length < 3 && !entry.examples.includes(example)) entry.examples.push(example);
  }
  return [...byReason.entries()].map(([reason, v]) => ({ reason, ...v })).sort((a, b) => b.count - a.count);
}

/** Failures: grouped by class, then (evidence) what the page looked like for the first ones. */
export function errorsSection(classes: readonly ErrorClass[], evidence = ''): string {
  const rows = classes.map((c) => [c.reason, c.count, { html: c.examples.map((x) => `<pre>${e(x)}</pre>`).join('') }] as Cell[]);
  return `<section id="errors"><h2>Failures</h2><h3>By class</h3>${table('errors-table', ['class', 'count', 'examples'], rows, 'no errors')}${evidence}</section>`;
}

export function comparisonSection(c: Comparison, warnings: readonly string[] = []): string {
  const change = (cur: number | null | undefined, base: number | null | undefined): string => {
    if (cur === null || cur === undefined || base === null || base === undefined) return '–';
    const d = cur - base;
    return `${d > 0 ? '+' : ''}${fmtNum(d, 0)}${base > 0 ? ` (${d > 0 ? '+' : ''}${fmtNum((d / base) * 100)}%)` : ''}`;
  };
  const flagged = new Set(c.regressions.filter((r) => r.kind === 'step_p95' || r.kind === 'step_error_rate').map((r) => r.key));
  const better = new Set(c.improvements.filter((r) => r.kind === 'step_p95').map((r) => r.key));
  const rows = c.steps.map((s) => [s.key, { num: s.baseline?.p95, digits: 0 }, { num: s.current?.p95, digits: 0 }, change(s.current?.p95, s.baseline?.p95),
    { num: s.baseline && s.baseline.count > 0 ? (s.baseline.errors / s.baseline.count) * 100 : null }, { num: s.current && s.current.count > 0 ? (s.current.errors / s.current.count) * 100 : null },
    { html: flagged.has(s.key) ? '<span class="bad">regression</span>' : better.has(s.key) ? '<span class="ok">improved</span>' : '' }] as Cell[]);
  const list = (id: string, items: readonly { message: string }[], none: string): string =>
    items.length ? `<ul id="${id}">${items.map((i) => `<li>${e(i.message)}</li>`).join('')}</ul>` : `<p class="nodata" id="${id}-empty">${e(none)}</p>`;
  return `<section id="comparison"><h2>Against baseline ${e(c.baselineRunId)}</h2>
${warnings.length ? `<div class="banner" id="baseline-warnings"><h3>This comparison may mislead</h3><ul>${warnings.map((w) => `<li>${e(w)}</li>`).join('')}</ul></div>` : ''}
<p>margin ${e(c.options.marginPct)}% and ${e(c.options.minAbsMs)} ms for p95; ${e(c.options.errorRateMarginPp)} percentage points for error rates.</p>
<h3>Regressions</h3>${list('regressions', c.regressions, 'no regressions')}
<h3>Improvements</h3>${list('improvements', c.improvements, 'no improvements')}
${table('comparison-table', ['step', 'baseline p95 ms', 'current p95 ms', 'change', 'baseline error %', 'current error %', ''], rows)}
${c.onlyInBaseline.length ? `<p>only in the baseline: ${e(c.onlyInBaseline.join(', '))}</p>` : ''}${c.onlyInCurrent.length ? `<p>new in this run: ${e(c.onlyInCurrent.join(', '))}</p>` : ''}</section>`;
}

export function generatorSection(summary: RunSummary): string {
  const g = summary.generator;
  const rows: Cell[][] = [
    ['saturated', { html: g.saturated ? `<span class="bad">yes</span> — ${e(g.reasons.join('; '))}` : '<span class="ok">no</span>' }],
    ['CPU p95 / max (% of machine)', `${fmtNum(g.cpuPercentP95)} / ${fmtNum(g.cpuPercentMax)}`], ['memory max', `${fmtNum(g.memoryMaxMb, 0)} MB`],
    ['event-loop delay p99', `${fmtNum(g.eventLoopDelayP99Ms)} ms`], ['video samples CPU-limited', `${fmtNum(g.videoCpuLimitedShare * 100)}%`],
    ['browser crashes / relaunches', `${g.browserCrashes} / ${g.browserRelaunches}`],
    ...(g.browser ? [['browser', `${g.browser.executable}: ${g.browser.frameRate > 0 ? `${pagesDrawn(g.browser.frameRate)} (--frame-rate)` : pagesDrawn(0)}`] as Cell[]] : []),
  ];
  const sinks = Object.entries(summary.sinks).map(([name, s]) => [name, s.generated, s.delivered, s.retried, s.spilled, s.dropped] as Cell[]);
  return `<section id="generator"><h2>Generator health</h2>${table('generator-table', ['check', 'value'], rows)}
<h3>Sinks</h3>${table('sinks-table', ['sink', 'generated', 'delivered', 'retried', 'spilled', 'dropped'], sinks, 'no sink stats')}</section>`;
}
