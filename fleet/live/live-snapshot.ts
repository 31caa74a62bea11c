// What the live view shows of a running run: the run's own gate (plan thresholds and the built-in
// error gate, as fleet/finish-run.ts evaluates them at the end) on the hub's totals so far, the
// monitor's saturation judgement now, and the load's latest progress counts.
import { evaluateThresholds } from '../../metrics/thresholds.ts';
import type { RunContext } from '../run-context.ts';
import type { LiveSnapshot } from './live-page.ts';
import { liveVerdict } from './live-verdict.ts';

export function liveSnapshot(run: RunContext): LiveSnapshot {
  const hub = run.need('hub');
  const thresholds = evaluateThresholds(run.prepared.gate, hub.totals(), hub.phaseTotals());
  const health = run.get('monitor')?.health();
  const progress = run.latestProgress;
  return {
    runId: run.runId,
    thresholds,
    progress,
    verdict: liveVerdict({ thresholds, saturated: health?.saturated ?? false, saturationReasons: health?.reasons ?? [], usersStarted: progress?.started ?? 0 }),
  };
}
