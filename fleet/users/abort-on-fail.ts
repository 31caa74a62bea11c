// abortOnFail (k6): a threshold marked so is judged on the running totals, once a second after its
// delayAbortEval; the first that fails stops the load early, and the verdict says which and when.
import { checkAbort, type ParsedThreshold } from '../../metrics/thresholds.ts';
import type { PhaseTotals } from '../../metrics/thresholds.ts';
import type { SeriesAggregate } from '../../metrics/types.ts';

export interface RunningTotals {
  totals(): SeriesAggregate[];
  phaseTotals(): PhaseTotals;
}

/** Calls onBreach once with the sentence of the first abortOnFail threshold that fails; returns a stop function. */
export function watchAbortOnFail(gate: readonly ParsedThreshold[], totals: RunningTotals, loadStartedAtMs: number, onBreach: (sentence: string) => void, everyMs = 1000): () => void {
  if (!gate.some((t) => t.abortOnFail)) return () => {};
  const timer = setInterval(() => {
    const breach = checkAbort(gate, totals, Date.now() - loadStartedAtMs);
    if (breach === undefined) return;
    clearInterval(timer);
    onBreach(breach);
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
