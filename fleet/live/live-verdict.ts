// The verdict as it stands while a run goes on (`--live`): the same gate the run ends with (the
// plan's thresholds and the built-in error gate) evaluated on the totals so far, and the
// generator's saturation as the monitor judges it now. A threshold without data yet is waiting,
// not failing: the final verdict still fails it if no data ever comes (metrics/verdict.ts).
import type { ThresholdResult } from '../../metrics/run-summary.ts';
import { describeThresholdResult } from '../../metrics/thresholds.ts';

export type LiveState = 'holding' | 'failing' | 'saturated' | 'starting';

export interface LiveVerdictInput {
  /** the run's gate evaluated on the totals so far */
  readonly thresholds: readonly ThresholdResult[];
  readonly saturated: boolean;
  readonly saturationReasons: readonly string[];
  /** users started so far */
  readonly usersStarted: number;
}

export interface LiveVerdict {
  readonly state: LiveState;
  /** one line for the badge's neighbour, e.g. "12 of 14 thresholds hold, 2 wait for data" */
  readonly headline: string;
  /** what the state rests on, in sentences */
  readonly reasons: readonly string[];
}

export function liveVerdict(input: LiveVerdictInput): LiveVerdict {
  const judged = input.thresholds.filter((t) => !t.deferred);
  const waiting = judged.filter((t) => t.noData);
  const failing = judged.filter((t) => !t.noData && !t.ok);
  const holding = judged.length - waiting.length - failing.length;
  const headline = `${holding} of ${judged.length} threshold(s) hold so far${failing.length ? `, ${failing.length} fail` : ''}${waiting.length ? `, ${waiting.length} wait for data` : ''}`;
  const failed = failing.map(describeThresholdResult);
  if (input.saturated) {
    return { state: 'saturated', headline, reasons: [`the generator is saturated (${input.saturationReasons.join('; ') || 'no reason given'}): as it stands the run ends INCONCLUSIVE`, ...failed] };
  }
  if (failing.length > 0) return { state: 'failing', headline, reasons: failed };
  if (input.usersStarted === 0) return { state: 'starting', headline, reasons: ['no user has started yet'] };
  return { state: 'holding', headline, reasons: waiting.length ? [`waiting for data: ${waiting.map((t) => `${t.metric} ${t.expression}`).join(', ')}`] : [] };
}
