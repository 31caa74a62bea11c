// The step table keeps failures apart from latency, and browser users apart from protocol users.
import { describe, expect, it } from 'vitest';
import type { RunSummary, StepSummary } from '../../metrics/run-summary.ts';
import { buildReportCharts } from '../series.ts';
import { tableHeaders, tableRows } from '../testing/html-table.ts';
import { makeFixtureRun } from '../testing/fixture-run.ts';
import { buildReportHtml } from './build.ts';

const base = makeFixtureRun({ intervalCount: 4, seed: 3 });
const step = (over: Partial<StepSummary>): StepSummary => ({ journey: 'chatMessaging', step: 'send_message', count: 40, errors: 0, p50: 50, p95: 100, p99: 150, max: 300, mean: 60, ...over });
const row = (rows: string[][] | undefined, journey: string, name: string): Record<string, string> => {
  const headers = ['journey', 'step', 'runs', 'succeeded', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'failed', 'error %', 'failure reasons', 'time to fail p50 ms', 'time to fail max ms'];
  const cells = rows?.find((r) => r[0] === journey && r[1] === name);
  if (!cells) throw new Error(`no row ${journey}/${name}`);
  return Object.fromEntries(headers.map((h, i) => [h, cells[i] ?? '']));
};

describe('step table: failures apart from latency', () => {
  it('shows a step that always failed with no latency at all, and its failures with reasons and time to fail', () => {
    const summary: RunSummary = { ...base.summary, steps: [
      // the smoke plan's case: a non-critical step failing 39 of 39 times; its latency fields are 0 (no success)
      step({ count: 39, errors: 39, p50: 0, p95: 0, p99: 0, max: 0, mean: 0, failedP50: 15_000, failedMax: 15_020, failureReasons: { timeout: 39 } }),
      step({ step: 'open_channel', count: 50, errors: 5, p50: 80, p95: 120, p99: 130, max: 140, failedP50: 30, failedMax: 45, failureReasons: { target_error: 3, network: 2 } }),
    ] };
    const html = buildReportHtml({ ...base, summary });
    expect(tableHeaders(html, 'steps-table')).toContain('time to fail p50 ms');
    expect(html).toContain('latency of the runs that succeeded');
    expect(html).toContain('failures (never in latency)');
    const always = row(tableRows(html, 'steps-table'), 'chatMessaging', 'send_message');
    expect(always).toMatchObject({ runs: '39', succeeded: '0', 'p50 ms': '–', 'p95 ms': '–', 'max ms': '–', failed: '39', 'error %': '100', 'failure reasons': 'timeout 39', 'time to fail p50 ms': '15,000', 'time to fail max ms': '15,020' });
    const some = row(tableRows(html, 'steps-table'), 'chatMessaging', 'open_channel');
    expect(some).toMatchObject({ succeeded: '45', 'p95 ms': '120', failed: '5', 'error %': '10', 'failure reasons': 'target_error 3, network 2', 'time to fail p50 ms': '30' });
    expect(row(tableRows(buildReportHtml(base), 'steps-table'), 'fileUpload', 'upload')['time to fail p50 ms']).not.toBe('');
  });
});

describe('browser users apart from protocol users', () => {
  const two = makeFixtureRun({ seed: 5, intervalCount: 12, withHdr: true, drivers: { chatMessaging: ['browser', 'protocol'] }, driverLatencyFactor: { protocol: 0.3 } });

  it('splits the step and chat tables by driver when a run has two', () => {
    const html = buildReportHtml(two);
    const browser = row(tableRows(html, 'steps-table-browser'), 'chatMessaging', 'send_message');
    const protocol = row(tableRows(html, 'steps-table-protocol'), 'chatMessaging', 'send_message');
    expect(Number(browser['p95 ms'])).toBeGreaterThan(2 * Number(protocol['p95 ms']));
    // protocol users ran only chat; browser users ran every journey
    expect(tableRows(html, 'steps-table-protocol')!.map((r) => r[0])).toEqual(['chatMessaging', 'chatMessaging', 'chatMessaging', 'chatMessaging']);
    expect(tableRows(html, 'steps-table-browser')!.some((r) => r[0] === 'videoCall')).toBe(true);
    const merged = row(tableRows(html, 'steps-table'), 'chatMessaging', 'send_message');
    expect(Number(merged.runs)).toBe(Number(browser.runs) + Number(protocol.runs));
    const chat = tableRows(html, 'chat-table')!;
    expect(chat.map((r) => r[0])).toEqual([expect.stringMatching(/^browser users/), expect.stringMatching(/^protocol users/)]);
    expect(Number(chat[0]![5]!.replace(/,/g, ''))).toBeGreaterThan(Number(chat[1]![5]!.replace(/,/g, '')));
  });

  it('keeps one table when the run has one driver, and draws chat lines per driver', () => {
    const one = buildReportHtml(base);
    expect(tableRows(one, 'steps-table-browser')).toBeUndefined();
    expect(tableRows(one, 'chat-table')!.map((r) => r[0])).toEqual(['all users']);
    const delivery = (run: typeof base) => buildReportCharts(run.intervals).find((c) => c.id === 'chat-delivery')!.series.map((s) => s.label);
    expect(delivery(base)).toEqual(['p50', 'p95', 'p99']);
    expect(delivery(two)).toEqual(['p50 browser', 'p50 protocol', 'p95 browser', 'p95 protocol', 'p99 browser', 'p99 protocol']);
  });
});
