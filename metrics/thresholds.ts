// k6-style thresholds: checks record, thresholds decide.
//   { 'chat.delivery_ms': ['p(95)<1000'],
//     'step.duration_ms{journey:chatMessaging,step:send_message}': [{ threshold: 'p(99)<3000', abortOnFail: true, delayAbortEval: '30s' }],
//     'webrtc.video.freeze_ms': [{ threshold: 'p(99)<500', optional: true }],
//     'journey.errors{phase:Recovered}': ['rate<0.01'] }
// {phase:NAME} works on every metric: only the intervals of that plan phase count (each interval
// belongs to one phase), e.g. to say the target recovered within the phase before this one.
// Aggregations by metric kind (as in k6): trend avg|min|max|med|p(N)|count; rate rate|count;
// counter count; gauge value|min|max|avg. Operators < <= > >= == !=.
// A threshold whose metric got no sample FAILS (noData), unless it is marked optional.
// parseThresholds reports every problem at once, each with where and how to fix.
import { mergeMatching, tagsMatch } from './by-metric.ts';
import { definitionOf, isKnownMetric, tagsOf, type RecordableMetric } from './catalogue.ts';
import type { ThresholdResult } from './run-summary.ts';
import type { SeriesState } from './series.ts';
import { didYouMean } from './suggest.ts';
import type { MetricKind, SeriesAggregate, Tags } from './types.ts';

export type ThresholdOperator = '<' | '<=' | '>' | '>=' | '==' | '!=';
export type ThresholdAggregation = 'avg' | 'min' | 'max' | 'med' | 'count' | 'rate' | 'value' | 'p';

export interface ThresholdObject {
  readonly threshold: string;
  readonly abortOnFail?: boolean;
  /** how long after load starts abortOnFail may act: '30s', '2m' or ms */
  readonly delayAbortEval?: string | number;
  /** a threshold on a metric that got no samples passes instead of failing */
  readonly optional?: boolean;
}
/** The thresholds of a plan: metric key → expressions. */
export type ThresholdTable = Readonly<Record<string, readonly (string | ThresholdObject)[]>>;

export interface ParsedThreshold {
  /** the key as written, e.g. "step.duration_ms{journey:chatMessaging}" */
  readonly key: string;
  readonly metric: RecordableMetric;
  readonly kind: MetricKind;
  readonly filter: Tags;
  /** tags written as `tag:*`: the threshold holds for each value of them on its own (one result per value) */
  readonly each: readonly string[];
  /** 'default': the built-in gate (metrics/default-gate.ts); 'plan': written in the plan */
  readonly source: 'plan' | 'default';
  /** {phase:NAME}: evaluated on the totals of that phase's intervals only */
  readonly phase?: string;
  /** as written, e.g. "p(95)<1000" */
  readonly expression: string;
  readonly aggregation: ThresholdAggregation;
  /** for p(N): N in (0, 100] */
  readonly percentile?: number;
  readonly operator: ThresholdOperator;
  readonly target: number;
  readonly abortOnFail: boolean;
  readonly delayAbortEvalMs: number;
  readonly optional: boolean;
  /** where it came from, for messages: thresholds['chat.delivery_ms'][0] */
  readonly where: string;
}

export interface ParsedThresholds {
  readonly ok: boolean;
  readonly thresholds: ParsedThreshold[];
  readonly problems: string[];
}

const AGGREGATIONS: Record<MetricKind, readonly string[]> = {
  trend: ['avg', 'min', 'max', 'med', 'p(N)', 'count'],
  rate: ['rate', 'count'],
  counter: ['count'],
  gauge: ['value', 'min', 'max', 'avg'],
};

const EXPRESSION = /^\s*(avg|min|max|med|count|rate|value|p\(\s*([^)]*?)\s*\))\s*(<=|>=|==|!=|<|>)\s*([^\s<>=!]+)\s*$/;
const KEY = /^([^{}\s]+)(?:\{([^{}]*)\})?$/;

export function parseDurationToMs(v: string | number): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(v);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return n * unit;
}

/** planPhases: the plan's phase names, to refuse a {phase:...} filter that matches none */
export function parseThresholds(spec: unknown, planPhases?: readonly string[]): ParsedThresholds {
  const problems: string[] = [];
  const thresholds: ParsedThreshold[] = [];
  if (spec === undefined || spec === null) return { ok: true, thresholds, problems };
  if (typeof spec !== 'object' || Array.isArray(spec)) {
    return { ok: false, thresholds, problems: [`thresholds: expected an object like { 'chat.delivery_ms': ['p(95)<1000'] }, got ${JSON.stringify(spec)}`] };
  }
  for (const [key, list] of Object.entries(spec as Record<string, unknown>)) {
    const at = `thresholds[${JSON.stringify(key)}]`;
    const parsedKey = parseThresholdKey(key, at, problems, planPhases);
    if (parsedKey) thresholds.push(...parseExpressionList(list, at, parsedKey, problems));
  }
  return { ok: problems.length === 0, thresholds, problems };
}

/** A threshold's key read: which metric, which of its series, which phase. */
interface ThresholdKey {
  /** the key as written, trimmed */
  readonly key: string;
  readonly metric: RecordableMetric;
  readonly filter: Tags;
  readonly each: readonly string[];
  readonly phase?: string;
  /** false when part of the tag filter was refused: the expressions are still checked, none is kept */
  readonly filterOk: boolean;
}

/** "metric" or "metric{tag:value,...}"; undefined (with the problem said) when the metric is unusable */
function parseThresholdKey(key: string, at: string, problems: string[], planPhases?: readonly string[]): ThresholdKey | undefined {
  const keyMatch = KEY.exec(key.trim());
  if (!keyMatch) {
    problems.push(`${at}: malformed metric key; write "metric" or "metric{tag:value,tag:value}", e.g. "step.duration_ms{journey:chatMessaging}"`);
    return undefined;
  }
  const name = keyMatch[1] as string;
  if (!isKnownMetric(name)) {
    problems.push(`${at}: unknown metric "${name}".${didYouMean(name)} Metric names are listed in metrics/catalogue.ts; a plan's own are declared in its metrics.`);
    return undefined;
  }
  const base = { key: key.trim(), metric: name };
  if (keyMatch[2] === undefined) return { ...base, filter: {}, each: [], filterOk: true };
  return { ...base, ...parseTagFilter(keyMatch[2], name, at, problems, planPhases) };
}

/** The `{tag:value,tag:*,phase:NAME}` part of a key, each tag checked against the metric's own. */
function parseTagFilter(text: string, name: RecordableMetric, at: string, problems: string[], planPhases?: readonly string[]): Omit<ThresholdKey, 'key' | 'metric'> {
  const allowedTags = tagsOf(name);
  const filter: Record<string, string> = {};
  const each: string[] = [];
  let phase: string | undefined;
  let filterOk = true;
  for (const part of text.split(',')) {
    const m = /^\s*([^:\s]+)\s*:\s*(.+?)\s*$/.exec(part);
    if (!m) {
      problems.push(`${at}: tag filter "${part.trim()}" is malformed; write tag:value pairs separated by commas, e.g. {journey:chatMessaging,step:send_message}`);
      filterOk = false;
      continue;
    }
    const tag = m[1] as string;
    if (tag === 'phase') {
      phase = m[2] as string;
      if (planPhases && !planPhases.includes(phase)) {
        problems.push(`${at}: no phase named "${phase}" in the plan.${didYouMean(phase, planPhases)} Its phases are: ${planPhases.join(', ')}.`);
        filterOk = false;
      }
      continue;
    }
    if (!allowedTags.includes(tag)) {
      problems.push(`${at}: unknown tag key "${tag}" for ${name}.${didYouMean(tag, allowedTags)} Its tags are: ${[...allowedTags, 'phase'].join(', ')}.`);
      filterOk = false;
      continue;
    }
    if (m[2] === '*') each.push(tag);
    else filter[tag] = m[2] as string;
  }
  return { filter, each, ...(phase === undefined ? {} : { phase }), filterOk };
}

/** The list of expressions under one key; every item is checked, the sound ones are kept. */
function parseExpressionList(list: unknown, at: string, key: ThresholdKey, problems: string[]): ParsedThreshold[] {
  if (!Array.isArray(list)) {
    problems.push(`${at}: expected an array of expressions like ['p(95)<1000'], got ${JSON.stringify(list)}`);
    return [];
  }
  const kind = definitionOf(key.metric).kind;
  if (list.length === 0) problems.push(`${at}: empty list; add an expression like '${kind === 'rate' ? 'rate<0.01' : kind === 'trend' ? 'p(95)<1000' : 'count>0'}' or remove the key`);
  return list.flatMap((item: unknown, i) => {
    const one = parseOneThreshold(item, `${at}[${i}]`, key, problems);
    return one ? [one] : [];
  });
}

/** One item: 'p(95)<1000' or { threshold: 'p(95)<1000', abortOnFail, delayAbortEval, optional }. */
function parseOneThreshold(item: unknown, where: string, key: ThresholdKey, problems: string[]): ParsedThreshold | undefined {
  const obj = readThresholdObject(item, where, problems);
  if (!obj) return undefined;
  const m = EXPRESSION.exec(obj.threshold);
  if (!m) {
    problems.push(`${where}: malformed expression ${JSON.stringify(obj.threshold)}; write <aggregation><operator><number>, e.g. 'p(95)<1000', 'rate<0.01', 'count>0' (operators < <= > >= == !=)`);
    return undefined;
  }
  const condition = readCondition(m, obj.threshold, where, key.metric, problems);
  const options = readOptions(obj, where, problems);
  if (!condition || !options || !key.filterOk) return undefined;
  return {
    key: key.key, metric: key.metric, kind: definitionOf(key.metric).kind, filter: key.filter, each: key.each, source: 'plan', ...(key.phase === undefined ? {} : { phase: key.phase }),
    expression: obj.threshold.trim(), ...condition, abortOnFail: obj.abortOnFail ?? false, delayAbortEvalMs: options.delayAbortEvalMs,
    optional: obj.optional ?? false, where,
  };
}

/** A string becomes { threshold }; an object must carry a threshold string and known options only. */
function readThresholdObject(item: unknown, where: string, problems: string[]): ThresholdObject | undefined {
  if (typeof item === 'string') return { threshold: item };
  if (item !== null && typeof item === 'object' && typeof (item as ThresholdObject).threshold === 'string') {
    const obj = item as ThresholdObject;
    const unknownKeys = Object.keys(obj).filter((k) => !['threshold', 'abortOnFail', 'delayAbortEval', 'optional'].includes(k));
    if (unknownKeys.length) problems.push(`${where}: unknown option ${unknownKeys.map((k) => `"${k}"`).join(', ')}; allowed: threshold, abortOnFail, delayAbortEval, optional`);
    return obj;
  }
  problems.push(`${where}: expected a string like 'p(95)<1000' or { threshold: 'p(95)<1000', abortOnFail: true }, got ${JSON.stringify(item)}`);
  return undefined;
}

type Condition = Pick<ParsedThreshold, 'aggregation' | 'percentile' | 'operator' | 'target'>;

/** <aggregation><operator><number> from a matched expression, the aggregation valid for the metric's kind. */
function readCondition(m: RegExpExecArray, expression: string, where: string, name: RecordableMetric, problems: string[]): Condition | undefined {
  const aggText = m[1] as string;
  const aggregation = (aggText.startsWith('p(') ? 'p' : aggText) as ThresholdAggregation;
  let percentile: number | undefined;
  let ok = true;
  if (aggregation === 'p') {
    percentile = Number(m[2]);
    if (m[2] === '' || !Number.isFinite(percentile) || percentile <= 0 || percentile > 100) {
      problems.push(`${where}: percentile in ${JSON.stringify(expression)} must be a number in (0, 100], e.g. p(95) or p(99.9)`);
      ok = false;
    }
  }
  const kind = definitionOf(name).kind;
  const allowedAggs = AGGREGATIONS[kind];
  if (!allowedAggs.includes(aggregation === 'p' ? 'p(N)' : aggregation)) {
    problems.push(`${where}: ${aggregation === 'p' ? 'p(N)' : aggregation} is not valid for ${name}, a ${kind}; use one of: ${allowedAggs.join(', ')}`);
    ok = false;
  }
  const target = Number(m[4]);
  if (!Number.isFinite(target)) {
    problems.push(`${where}: ${JSON.stringify(m[4])} in ${JSON.stringify(expression)} is not a number`);
    ok = false;
  }
  return ok ? { aggregation, percentile, operator: m[3] as ThresholdOperator, target } : undefined;
}

/** delayAbortEval as ms, and abortOnFail/optional as booleans. */
function readOptions(obj: ThresholdObject, where: string, problems: string[]): { delayAbortEvalMs: number } | undefined {
  let ok = true;
  let delayAbortEvalMs = 0;
  if (obj.delayAbortEval !== undefined) {
    const d = parseDurationToMs(obj.delayAbortEval);
    if (d === undefined) {
      problems.push(`${where}.delayAbortEval: expected a duration like '30s', '2m' or a number of ms, got ${JSON.stringify(obj.delayAbortEval)}`);
      ok = false;
    } else delayAbortEvalMs = d;
  }
  for (const flag of ['abortOnFail', 'optional'] as const) {
    if (obj[flag] !== undefined && typeof obj[flag] !== 'boolean') {
      problems.push(`${where}.${flag}: expected true or false, got ${JSON.stringify(obj[flag])}`);
      ok = false;
    }
  }
  return ok ? { delayAbortEvalMs } : undefined;
}

function observe(t: ParsedThreshold, s: SeriesState): number {
  switch (t.aggregation) {
    case 'count':
      // a counter's count is the sum of its increments (k6); otherwise the number of values
      return t.kind === 'counter' ? s.sum : s.count;
    case 'rate':
      return s.nonZero / s.count;
    case 'avg':
      return s.sum / s.count;
    case 'min':
      return s.min;
    case 'max':
      return s.max;
    case 'value':
      return s.last;
    case 'med':
      return s.hist ? s.hist.percentile(50) : 0;
    case 'p':
      return s.hist ? s.hist.percentile(t.percentile ?? 100) : 0;
  }
}

function compare(a: number, op: ThresholdOperator, b: number): boolean {
  switch (op) {
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
    case '==': return a === b;
    case '!=': return a !== b;
  }
}

/** run totals, and the totals of each phase's intervals (for {phase:...} thresholds) */
export type PhaseTotals = ReadonlyMap<string, readonly SeriesAggregate[]>;

export function evaluateOne(t: ParsedThreshold, totals: readonly SeriesAggregate[], phaseTotals?: PhaseTotals): ThresholdResult {
  const scope = t.phase === undefined ? totals : (phaseTotals?.get(t.phase) ?? []);
  const s = mergeMatching(scope, t.metric, t.filter);
  const base = { metric: t.key, expression: t.expression, abortOnFail: t.abortOnFail, source: t.source };
  if (s === undefined || s.count === 0) return { ...base, observed: null, ok: t.optional, noData: true };
  const observed = observe(t, s);
  return { ...base, observed, ok: compare(observed, t.operator, t.target), noData: false };
}

/**
 * A `tag:*` threshold as one concrete threshold per combination of values seen in the data
 * (e.g. step.errors{journey:chat,step:*} → one per step of chat). With no matching series it
 * stays one threshold, which then has no data.
 */
export function expandEach(t: ParsedThreshold, totals: readonly SeriesAggregate[]): ParsedThreshold[] {
  if (t.each.length === 0) return [t];
  const combos = new Map<string, Tags>();
  for (const series of totals) {
    if (series.metric !== t.metric || !tagsMatch(series.tags, t.filter)) continue;
    const values = t.each.map((tag) => series.tags[tag] ?? '');
    combos.set(JSON.stringify(values), Object.fromEntries(t.each.map((tag, i) => [tag, values[i]!])));
  }
  if (combos.size === 0) return [t];
  return [...combos.values()]
    .map((extra) => {
      const filter = { ...t.filter, ...extra };
      const tagText = Object.entries(filter).map(([k, v]) => `${k}:${v}`).concat(t.phase === undefined ? [] : [`phase:${t.phase}`]).join(',');
      return { ...t, filter, each: [], key: `${t.metric}{${tagText}}` };
    })
    .sort((a, b) => a.key.localeCompare(b.key));
}

/** Evaluate every threshold on run totals (hub.totals() or merged shards); `tag:*` ones once per value. */
export function evaluateThresholds(parsed: readonly ParsedThreshold[], totals: readonly SeriesAggregate[], phaseTotals?: PhaseTotals): ThresholdResult[] {
  return parsed.flatMap((t) => {
    const scope = t.phase === undefined ? totals : (phaseTotals?.get(t.phase) ?? []);
    return expandEach(t, scope).filter((one) => !isCoveredByPlan(one, parsed)).map((one) => evaluateOne(one, totals, phaseTotals));
  });
}

/**
 * A built-in threshold steps aside where the plan judges the same metric on the same (or a wider)
 * set of series itself: the plan's own limit is the one the user meant.
 */
export function isCoveredByPlan(t: ParsedThreshold, all: readonly ParsedThreshold[]): boolean {
  if (t.source !== 'default') return false;
  return all.some(
    (p) => p.source === 'plan' && p.metric === t.metric && p.phase === undefined && p.each.length === 0 && tagsMatch(t.filter, p.filter),
  );
}

/**
 * abortOnFail: evaluated on running totals, once load has run for delayAbortEval.
 * Returns a sentence saying which threshold failed, or undefined to go on.
 * No data yet is not a reason to abort (the samples may still come).
 */
export function checkAbort(parsed: readonly ParsedThreshold[], hub: { totals(): SeriesAggregate[]; phaseTotals(): PhaseTotals }, elapsedMs: number): string | undefined {
  const due = parsed.filter((t) => t.abortOnFail && elapsedMs >= t.delayAbortEvalMs);
  if (due.length === 0) return undefined;
  const totals = hub.totals();
  const phaseTotals = due.some((t) => t.phase !== undefined) ? hub.phaseTotals() : undefined;
  for (const r of evaluateThresholds(due, totals, phaseTotals)) {
    if (!r.ok && !r.noData) return `${describeThresholdResult(r)} after ${(elapsedMs / 1000).toFixed(1)} s (abortOnFail)`;
  }
  return undefined;
}

function unitOf(key: string): string {
  const name = key.replace(/\{.*$/, '');
  return isKnownMetric(name) ? definitionOf(name).unit : '';
}

function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3);
}

/** "threshold chat.delivery_ms p(95)<1000 failed: observed 1433 ms" */
export function describeThresholdResult(r: ThresholdResult): string {
  const head = `threshold ${r.metric} ${r.expression}`;
  if (r.deferred) return `${head} left to waddle-fleet merge: ${r.noData ? 'no data in this shard' : `a total of the whole run (this shard: ${formatNumber(r.observed ?? 0)})`}`;
  if (r.noData) return r.ok ? `${head} had no data (optional, so not counted)` : `${head} failed: no data (the metric never got a sample; check the journey records it, or mark the threshold optional)`;
  const unit = unitOf(r.metric);
  const isRateAgg = /^\s*rate/.test(r.expression);
  const observed = `${formatNumber(r.observed ?? 0)}${!isRateAgg && unit && unit !== 'count' && unit !== 'ratio' ? ` ${unit}` : ''}`;
  return `${head} ${r.ok ? 'held' : 'failed'}: observed ${observed}`;
}
