// A plan's own metrics (its `metrics`): a journey of the plan records them like built-in ones
// (`ctx.metrics.record('custom.checkout_ms', ms)`), thresholds judge them, reports show them.
// Each is checked and added to this process's catalogue when the plan is validated, so the main
// process and every protocol worker (which load the plan themselves) know them.
import { addDeclaredMetric, catalogue, isMetricName, type CustomMetricName, type CustomMetricSpec, type MetricDefinition } from './catalogue.ts';

const NAME = /^custom\.[a-z0-9_]+(\.[a-z0-9_]+)*$/;
const KINDS: readonly string[] = ['trend', 'counter', 'rate', 'gauge'];
const UNITS: readonly string[] = [...new Set(Object.values(catalogue).map((d) => d.unit)), 'count'];
/** what every per-user series carries; the hub adds run, shard and phase, a network profile adds network */
const USER_TAGS = ['journey', 'driver'];
const RESERVED = ['run', 'shard', 'phase', 'network'];

/** Checks a plan's `metrics` and declares the sound ones; the problems say where and how to fix. */
export function declareMetrics(metrics: unknown, at = 'metrics'): string[] {
  if (metrics === undefined) return [];
  if (metrics === null || typeof metrics !== 'object' || Array.isArray(metrics)) {
    return [`${at}: expected an object like { 'custom.checkout_ms': { kind: 'trend', unit: 'ms', meaning: '…' } }`];
  }
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(metrics)) {
    const found = specProblems(name, spec, `${at}['${name}']`);
    problems.push(...found);
    if (found.length === 0) addDeclaredMetric(name as CustomMetricName, definitionFrom(spec as CustomMetricSpec));
  }
  return problems;
}

/** The own metrics of a stored plan (summary.json's plan), declared; their problems. */
export function declareMetricsOf(plan: unknown): string[] {
  if (plan === null || typeof plan !== 'object') return [];
  return declareMetrics((plan as { metrics?: unknown }).metrics, 'plan.metrics');
}

function definitionFrom(spec: CustomMetricSpec): MetricDefinition {
  return { kind: spec.kind, unit: spec.unit, tags: [...new Set([...USER_TAGS, ...(spec.tags ?? [])])], meaning: spec.meaning };
}

function specProblems(name: string, spec: unknown, at: string): string[] {
  if (isMetricName(name)) return [`${at}: "${name}" is a built-in metric; a plan's own metric is named custom.<something>`];
  if (!NAME.test(name)) return [`${at}: a plan's own metric is named custom.<lowercase words>, e.g. custom.checkout_ms; got "${name}"`];
  if (spec === null || typeof spec !== 'object') return [`${at}: expected { kind, unit, meaning, tags? }`];
  const s = spec as Record<string, unknown>;
  const problems: string[] = [];
  if (!KINDS.includes(s.kind as string)) problems.push(`${at}.kind: expected one of ${KINDS.join(', ')}, got ${JSON.stringify(s.kind)}`);
  if (!UNITS.includes(s.unit as string)) problems.push(`${at}.unit: expected one of ${UNITS.join(', ')}, got ${JSON.stringify(s.unit)}`);
  if (typeof s.meaning !== 'string' || !s.meaning.trim()) problems.push(`${at}.meaning: expected a sentence saying what it measures`);
  const tags = s.tags ?? [];
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string' || !t)) problems.push(`${at}.tags: expected a list of tag names`);
  else for (const t of tags as string[]) if (RESERVED.includes(t)) problems.push(`${at}.tags: "${t}" is added by the fleet itself; leave it out`);
  const unknown = Object.keys(s).filter((k) => !['kind', 'unit', 'tags', 'meaning'].includes(k));
  if (unknown.length) problems.push(`${at}: unknown key ${unknown.join(', ')}; allowed: kind, unit, tags, meaning`);
  return problems;
}
