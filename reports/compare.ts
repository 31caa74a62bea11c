// Release-to-release comparison: this run against a baseline run's summary.
// A regression is a step whose p95 got worse by more than marginPct AND minAbsMs (so 2 ms → 3 ms
// is not a 50% "regression"), an error rate up by more than errorRateMarginPp percentage points,
// or a threshold that held before and fails now. Improvements are the mirror image.
// The CLI turns comparisonVerdictReasons() into a failed verdict (exit 3) under --baseline.
import type { RunSummary, StepSummary } from '../metrics/run-summary.ts';

export interface CompareOptions {
  /** a p95 must be worse by more than this share of the baseline, in percent */
  readonly marginPct?: number;
  /** … and by more than this many ms */
  readonly minAbsMs?: number;
  /** an error rate must be worse by more than this many percentage points */
  readonly errorRateMarginPp?: number;
}

export type ChangeKind = 'step_p95' | 'step_error_rate' | 'journey_error_rate' | 'threshold';

export interface Change {
  readonly kind: ChangeKind;
  /** "videoCall/join_voice", "videoCall", or "chat.delivery_ms p(95)<1000" */
  readonly key: string;
  readonly baseline: number | null;
  readonly current: number | null;
  /** current − baseline, in the unit of the values (ms, percentage points) */
  readonly delta: number | null;
  /** delta as percent of the baseline; null when the baseline is 0 or missing */
  readonly deltaPct: number | null;
  readonly unit: 'ms' | 'pp' | '';
  readonly message: string;
}

export interface Comparison {
  readonly baselineRunId: string;
  readonly currentRunId: string;
  readonly options: Required<CompareOptions>;
  readonly regressions: readonly Change[];
  readonly improvements: readonly Change[];
  /** every step compared, side by side, for the report table */
  readonly steps: readonly { key: string; baseline: StepSummary | null; current: StepSummary | null }[];
  /** steps present in only one of the runs (not judged) */
  readonly onlyInBaseline: readonly string[];
  readonly onlyInCurrent: readonly string[];
}

const r1 = (v: number): number => Math.round(v * 10) / 10;
const stepKey = (s: StepSummary): string => `${s.journey}/${s.step}`;
const errorPct = (errors: number, count: number): number => (count > 0 ? (errors / count) * 100 : 0);

function validate(options: Required<CompareOptions>): void {
  for (const [name, value] of Object.entries(options)) {
    if (!Number.isFinite(value) || value < 0) throw new Error(`compareRuns: ${name} must be a number ≥ 0, got ${String(value)}. Example: { marginPct: 10, minAbsMs: 5 }.`);
  }
}

export function compareRuns(current: RunSummary, baseline: RunSummary, options: CompareOptions = {}): Comparison {
  const opts: Required<CompareOptions> = { marginPct: options.marginPct ?? 10, minAbsMs: options.minAbsMs ?? 5, errorRateMarginPp: options.errorRateMarginPp ?? 1 };
  validate(opts);
  const regressions: Change[] = [];
  const improvements: Change[] = [];
  const baseSteps = new Map(baseline.steps.map((s) => [stepKey(s), s]));
  const curSteps = new Map(current.steps.map((s) => [stepKey(s), s]));
  const keys = [...new Set([...baseSteps.keys(), ...curSteps.keys()])].sort();

  const judge = (kind: ChangeKind, key: string, base: number, cur: number, unit: 'ms' | 'pp', significant: (absDelta: number) => boolean, what: string): void => {
    const delta = cur - base;
    const deltaPct = base > 0 ? (delta / base) * 100 : null;
    if (!significant(Math.abs(delta))) return;
    const pct = deltaPct === null ? '' : ` (${delta > 0 ? '+' : ''}${r1(deltaPct)}%)`;
    const change: Change = { kind, key, baseline: base, current: cur, delta: r1(delta), deltaPct: deltaPct === null ? null : r1(deltaPct), unit,
      message: `${what} ${key}: ${r1(base)} → ${r1(cur)} ${unit === 'pp' ? '%' : unit}${pct}` };
    (delta > 0 ? regressions : improvements).push(change);
  };

  for (const key of keys) {
    const base = baseSteps.get(key);
    const cur = curSteps.get(key);
    if (!base || !cur) continue;
    judge('step_p95', key, base.p95, cur.p95, 'ms', (d) => d > opts.minAbsMs && d > (base.p95 * opts.marginPct) / 100, 'step p95');
    judge('step_error_rate', key, errorPct(base.errors, base.count), errorPct(cur.errors, cur.count), 'pp', (d) => d > opts.errorRateMarginPp, 'step error rate');
  }
  for (const journey of [...new Set([...Object.keys(baseline.journeys), ...Object.keys(current.journeys)])].sort()) {
    const base = baseline.journeys[journey];
    const cur = current.journeys[journey];
    if (!base || !cur) continue;
    judge('journey_error_rate', journey, errorPct(base.failed, base.started), errorPct(cur.failed, cur.started), 'pp', (d) => d > opts.errorRateMarginPp, 'journey error rate');
  }
  for (const t of current.thresholds) {
    const before = baseline.thresholds.find((b) => b.metric === t.metric && b.expression === t.expression);
    if (!before || before.ok === t.ok) continue;
    const key = `${t.metric} ${t.expression}`;
    const change: Change = { kind: 'threshold', key, baseline: before.observed, current: t.observed, delta: before.observed !== null && t.observed !== null ? r1(t.observed - before.observed) : null,
      deltaPct: null, unit: '', message: `threshold ${key} ${t.ok ? 'fails in the baseline and holds now' : `held in the baseline (${before.observed ?? 'no data'}) and fails now (${t.noData ? 'no data' : t.observed})`}` };
    (t.ok ? improvements : regressions).push(change);
  }
  return {
    baselineRunId: baseline.runId, currentRunId: current.runId, options: opts, regressions, improvements,
    steps: keys.map((key) => ({ key, baseline: baseSteps.get(key) ?? null, current: curSteps.get(key) ?? null })),
    onlyInBaseline: keys.filter((k) => !curSteps.has(k)), onlyInCurrent: keys.filter((k) => !baseSteps.has(k)),
  };
}

/** Verdict reasons for the release gate: one sentence per regression; empty when there is none. */
export function comparisonVerdictReasons(comparison: Comparison): string[] {
  return comparison.regressions.map((c) => `regression against baseline ${comparison.baselineRunId}: ${c.message}`);
}
