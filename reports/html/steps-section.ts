// Journeys, steps and chat delivery. Step latency is the successful runs only; failures sit in
// their own columns (count, error rate, reasons, time to fail), never mixed into latency: a step
// that fails fast would otherwise look fast. With several drivers, one table per driver.
import type { MetricSummary, RunSummary, StepSummary } from '../../metrics/run-summary.ts';
import { driverMeaning, type DriverView } from '../drivers.ts';
import { escapeHtml as e } from './escape.ts';
import { table, type Cell } from './sections.ts';

const ms = (value: number | undefined, known: boolean): Cell => ({ num: known ? value : null, digits: 0 });

function reasons(s: StepSummary): string {
  return Object.entries(s.failureReasons ?? {}).sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r} ${n}`).join(', ');
}

function stepRows(steps: readonly StepSummary[], latencyComplete: boolean): Cell[][] {
  return steps.map((s) => {
    const ok = s.count - s.errors;
    const latency = latencyComplete && ok > 0;
    const failed = s.errors > 0;
    return [s.journey, s.step, s.count, ok, ms(s.p50, latency), ms(s.p95, latency), ms(s.p99, latency), ms(s.max, latency),
      { html: failed ? `<span class="bad">${e(s.errors)}</span>` : '0' }, { num: s.count > 0 ? (s.errors / s.count) * 100 : 0 },
      reasons(s), ms(s.failedP50, failed && s.failedP50 !== undefined), ms(s.failedMax, failed && s.failedMax !== undefined)] as Cell[];
  });
}

/** A two-level header: what every column is, and which group (latency vs failures) it belongs to. */
function stepTable(id: string, steps: readonly StepSummary[], latencyComplete: boolean): string {
  if (steps.length === 0) return `<p class="nodata" id="${id}-empty">no steps ran</p>`;
  const cols = ['journey', 'step', 'runs', 'succeeded', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'failed', 'error %', 'failure reasons', 'time to fail p50 ms', 'time to fail max ms'];
  const body = table(id, cols, stepRows(steps, latencyComplete));
  const groups = '<tr class="groups"><th colspan="3"></th><th colspan="5">latency of the runs that succeeded</th><th colspan="5">failures (never in latency)</th></tr>';
  return body.replace('<thead>', `<thead>${groups}`);
}

function driverHeading(view: DriverView, many: boolean): string {
  if (!many) return view.driver ? `<p class="note">driver: ${e(driverMeaning(view.driver))}</p>` : '';
  return `<h3 id="steps-driver-${e(view.driver)}">${e(driverMeaning(view.driver))}</h3>${view.latencyComplete ? '' : '<p class="warn">some series had no histogram: latency for this driver is unknown</p>'}`;
}

export function journeysSection(summary: RunSummary, views: readonly DriverView[]): string {
  const rows = Object.entries(summary.journeys).map(([name, j]) => [name, j.started, j.completed, j.failed, j.interrupted,
    { num: j.started > 0 ? (j.failed / j.started) * 100 : 0 }] as Cell[]);
  const many = views.length > 1;
  const stepTables = many
    ? views.map((v) => `${driverHeading(v, true)}${stepTable(`steps-table-${v.driver}`, v.steps, v.latencyComplete)}`).join('') +
      `<details><summary>all drivers together (summary.json; mixes what users feel with load)</summary>${stepTable('steps-table', summary.steps, true)}</details>`
    : `${driverHeading(views[0]!, false)}${stepTable('steps-table', summary.steps, true)}`;
  return `<section id="journeys"><h2>Journeys</h2>${table('journeys-table', ['journey', 'started', 'completed', 'failed', 'interrupted', 'failed %'], rows, 'no journeys ran')}</section>
<section id="steps"><h2>Steps</h2>${stepTables}</section>`;
}

const metric = (metrics: readonly MetricSummary[], name: string): MetricSummary | undefined => metrics.find((m) => m.metric === name && m.count > 0);

/** Chat delivery per driver: sent/received and delivery latency, the user-felt chat figures. */
export function chatSection(views: readonly DriverView[]): string {
  const rows = views.flatMap((v) => {
    const sent = metric(v.metrics, 'chat.messages_sent');
    const received = metric(v.metrics, 'chat.messages_received');
    const delivery = metric(v.metrics, 'chat.delivery_ms');
    const ack = metric(v.metrics, 'chat.send_ack_ms');
    if (!sent && !received && !delivery && !ack) return [];
    const p = (m: MetricSummary | undefined, q: 'p50' | 'p95' | 'p99'): Cell => ({ num: v.latencyComplete ? m?.[q] : null, digits: 0 });
    return [[v.driver ? driverMeaning(v.driver) : 'all users', { num: sent?.sum, digits: 0 }, { num: received?.sum, digits: 0 }, delivery?.count ?? 0,
      p(delivery, 'p50'), p(delivery, 'p95'), p(delivery, 'p99'), p(ack, 'p50'), p(ack, 'p95')] as Cell[]];
  });
  return `<section id="chat"><h2>Chat delivery${views.length > 1 ? ' by driver' : ''}</h2>${table('chat-table',
    ['users', 'sent', 'received', 'deliveries measured', 'delivery p50 ms', 'delivery p95 ms', 'delivery p99 ms', 'send ack p50 ms', 'send ack p95 ms'], rows, 'no chat in this run')}</section>`;
}

