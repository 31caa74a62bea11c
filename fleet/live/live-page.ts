// The live view's page: the run's report as it stands (reports/html/build.ts, from what the run
// folder holds so far), under a header that gives the live verdict instead of a final one.
import type { FleetProgress } from '../run-context.ts';
import type { ThresholdResult } from '../../metrics/run-summary.ts';
import { buildReportHtml } from '../../reports/html/build.ts';
import { escapeHtml as e } from '../../reports/html/escape.ts';
import { readRunForReport } from '../../reports/run-folder-reader.ts';
import type { LiveState, LiveVerdict } from './live-verdict.ts';

export interface LiveSnapshot {
  readonly runId: string;
  readonly thresholds: readonly ThresholdResult[];
  readonly verdict: LiveVerdict;
  readonly progress: FleetProgress | undefined;
}

const badgeClass: Record<LiveState, string> = { holding: 'badge-pass', failing: 'badge-fail', saturated: 'badge-inconclusive', starting: 'badge-interrupted' };

const minutes = (ms: number): string => `${Math.floor(ms / 60_000)}m${String(Math.floor((ms % 60_000) / 1000)).padStart(2, '0')}s`;

export function liveHeader(snapshot: LiveSnapshot): string {
  const { verdict, progress } = snapshot;
  const active = progress ? Object.values(progress.activeByJourney).reduce((a, n) => a + n, 0) : 0;
  const where = progress
    ? `${minutes(progress.elapsedMs)} of ${minutes(progress.totalMs)} · phase ${progress.phase} · ${active} users active · ${progress.started} started · ${progress.failed} failed`
    : 'load has not started';
  return `<header id="verdict"><h1>${e(`waddle-fleet live — ${snapshot.runId}`)}</h1><span id="verdict-badge" class="badge ${badgeClass[verdict.state]}" data-live-state="${e(verdict.state)}">LIVE · ${e(verdict.state.toUpperCase())}</span>
<span id="live-where">${e(where)}</span><span id="live-headline">${e(verdict.headline)}</span>
<ul class="reasons" id="verdict-reasons">${verdict.reasons.map((r) => `<li>${e(r)}</li>`).join('')}</ul>
<p class="note">Not a verdict yet: thresholds on the data so far, refreshed every interval. The run's own verdict comes at its end.</p></header>`;
}

/** The page for the run folder as it stands; the thresholds are the run's gate on the totals so far. */
export async function buildLivePage(runDir: string, snapshot: LiveSnapshot, refreshMs: number): Promise<string> {
  const run = await readRunForReport(runDir);
  const summary = { ...run.summary, thresholds: [...snapshot.thresholds] };
  // the run is not partial, it is going on: the header says so instead of the partial banner
  return buildReportHtml({ ...run, summary, partial: undefined }, { live: { header: liveHeader(snapshot), refreshMs } });
}
