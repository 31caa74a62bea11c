// A realistic run, generated: several phases and intervals, three journeys with their steps,
// WebRTC metrics by kind/direction, generator and target metrics, and events with errors.
// Used by the report and dashboard tests and by the report bench, and written to disk in the
// run-folder layout (docs/run-folder.md) so the readers are tested on real files.
// Every catalogue metric appears, so dashboards that query any of them can be checked.
// Options (fixture-options.ts) add what a test needs: failures, spikes, two drivers, call rooms,
// evidence, the built-in gate.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRng } from '../../common/random.ts';
import { catalogue, type MetricName } from '../../metrics/catalogue.ts';
import type { IntervalSnapshot, RunEvent, SeriesAggregate, Tags } from '../../metrics/types.ts';
import { RunFolderSink, writeSummary } from '../../metrics/sinks/run-folder.ts';
import type { RunForReport } from '../run-folder-reader.ts';
import type { FixtureOptions } from './fixture-options.ts';
import { addToLevel, drawStep, newLevel, round, seriesSpecs, stepSpecs, trendAggregate, type RunLevel, type SeriesSpec } from './fixture-series.ts';
import { makeSummary, type SeriesLevel } from './fixture-summary.ts';

export { fixtureSteps } from './fixture-series.ts';
export type { FixtureCallRoom, FixtureOptions } from './fixture-options.ts';

export const hostileErrorMessage = 'upload failed: <script>window.__pwned = 1</script> & "quotes"';

/** Levels of every series over the run, in the order they first appear. */
class Levels {
  private readonly byKey = new Map<string, SeriesLevel>();
  of(metric: string, tags: Tags): RunLevel {
    const key = `${metric}|${JSON.stringify(tags)}`;
    let entry = this.byKey.get(key);
    if (!entry) this.byKey.set(key, (entry = { metric: metric as MetricName, tags, level: newLevel() }));
    return entry.level;
  }
  all(): SeriesLevel[] {
    return [...this.byKey.values()];
  }
}

/** One interval of a non-step series, added to its run level. */
function drawSeries(spec: SeriesSpec, rand: () => number, perInterval: number, load: number, options: FixtureOptions, level: RunLevel): SeriesAggregate {
  const def = catalogue[spec.metric];
  const common = { metric: spec.metric, kind: def.kind, tags: spec.tags };
  if (def.kind === 'trend') {
    // Mostly near the base with a long right tail, as latencies are.
    const values: number[] = [];
    for (let v = 0; v < perInterval; v++) {
      const tail = rand() < 0.015 ? 1.3 + 0.5 * rand() : 1;
      values.push(round(spec.base * (0.7 + 0.5 * rand()) * tail * (spec.metric.endsWith('_ms') ? 0.8 + 0.4 * load : 1)));
    }
    addToLevel(level, values);
    return trendAggregate(spec.metric, spec.tags, values, options.withHdr === true);
  }
  if (def.kind === 'rate') {
    const count = Math.max(1, Math.round(perInterval * load));
    const share = spec.metric === 'journey.errors' ? options.journeyErrorRate?.[spec.tags.journey ?? ''] ?? spec.errorShare ?? 0.01 : spec.errorShare ?? 0.01;
    let nonZero = 0;
    for (let v = 0; v < count; v++) if (rand() < share) nonZero++;
    level.count += count; level.sum += nonZero; level.nonZero += nonZero; level.min = 0; level.max = Math.max(level.max, nonZero > 0 ? 1 : 0);
    return { ...common, count, sum: nonZero, min: 0, max: nonZero > 0 ? 1 : 0, nonZero };
  }
  if (def.kind === 'counter') {
    const value = Math.round(spec.base * load * (0.5 + rand()));
    level.count += 1; level.sum += value; level.min = Math.min(level.min, value); level.max = Math.max(level.max, value);
    return { ...common, count: 1, sum: value, min: value, max: value };
  }
  const scale = spec.metric === 'users.active' || spec.metric.endsWith('contexts') || spec.metric.endsWith('connections') ? load : 0.8 + 0.2 * load;
  const last = round(spec.base * scale * (0.9 + 0.2 * rand()));
  level.count += 1; level.sum += last; level.min = Math.min(level.min, last * 0.95); level.max = Math.max(level.max, last * 1.05); level.last = last;
  return { ...common, count: 1, sum: last, min: round(last * 0.95), max: round(last * 1.05), last };
}

const phaseShares = [
  { name: 'ramp-up', share: 0.25 },
  { name: 'steady', share: 0.5 },
  { name: 'ramp-down', share: 0.25 },
];

/** Builds the run in memory. Deterministic for a given seed. */
export function makeFixtureRun(options: FixtureOptions = {}): RunForReport {
  const rng = createRng(options.seed ?? 57);
  const rand = (): number => rng.next();
  const intervalMs = options.intervalMs ?? 5000;
  const intervalCount = options.intervalCount ?? 36;
  const startMs = options.startMs ?? Date.UTC(2025, 0, 15, 10, 0, 0);
  const runId = options.runId ?? '20250115-100000-baseline-a1b2';
  const perInterval = options.valuesPerInterval ?? 12;
  const targetUsers = options.targetUsers ?? 12;
  const specs = seriesSpecs(options);
  const steps = stepSpecs(options);
  const phaseAt = (i: number): { name: string; load: number } => {
    const at = (i + 0.5) / intervalCount;
    if (at < 0.25) return { name: 'ramp-up', load: Math.max(0.1, at / 0.25) };
    if (at < 0.75) return { name: 'steady', load: 1 };
    return { name: 'ramp-down', load: Math.max(0.1, (1 - at) / 0.25) };
  };
  const levels = new Levels();
  const intervals: IntervalSnapshot[] = [];
  for (let i = 0; i < intervalCount; i++) {
    const { name: phase, load } = phaseAt(i);
    const series: SeriesAggregate[] = [];
    for (const spec of specs) series.push(drawSeries(spec, rand, perInterval, load, options, levels.of(spec.metric, spec.tags)));
    for (const spec of steps) {
      const spike = options.stepSpikes?.[`${spec.journey}/${spec.step}`];
      const drawn = drawStep(spec, rand, perInterval, load, spike?.intervals.includes(i) ? spike.factor : 1, options.withHdr === true);
      for (const s of drawn.series) {
        const values = s.metric === 'step.duration_ms' ? drawn.ok : s.metric === 'step.failed_duration_ms' ? drawn.failed.get(s.tags.reason ?? '') ?? [] : [];
        const level = levels.of(s.metric, s.tags);
        if (s.kind === 'trend') addToLevel(level, values);
        else { level.count += s.count; level.nonZero += s.nonZero ?? 0; }
      }
      series.push(...drawn.series);
    }
    intervals.push({ runId, shard: '1/1', startMs: startMs + i * intervalMs, endMs: startMs + (i + 1) * intervalMs, phase, series });
  }
  const endMs = startMs + intervalCount * intervalMs;
  const errorMessage = options.errorMessage ?? hostileErrorMessage;
  const events = makeEvents(runId, startMs, endMs, intervalCount, intervalMs, phaseAt, errorMessage);
  const phases = phaseShares.map((p, index) => ({
    name: p.name, targetUsers: p.name === 'ramp-down' ? 0 : targetUsers,
    startMs: startMs + Math.round(intervalCount * intervalMs * phaseShares.slice(0, index).reduce((a, b) => a + b.share, 0)),
    endMs: startMs + Math.round(intervalCount * intervalMs * phaseShares.slice(0, index + 1).reduce((a, b) => a + b.share, 0)),
  }));
  const summary = makeSummary({ runId, startMs, endMs, intervalMs, levels: levels.all(), phases, errorMessage, options });
  return { summary, intervals, events };
}

function makeEvents(runId: string, startMs: number, endMs: number, intervalCount: number, intervalMs: number, phaseAt: (i: number) => { name: string }, errorMessage: string): RunEvent[] {
  const events: RunEvent[] = [{ timeMs: startMs, type: 'run_start', message: `run ${runId} started` }];
  let current = '';
  for (let i = 0; i < intervalCount; i++) {
    const { name } = phaseAt(i);
    if (name !== current) {
      if (current) events.push({ timeMs: startMs + i * intervalMs, type: 'phase_end', tags: { phase: current } });
      events.push({ timeMs: startMs + i * intervalMs, type: 'phase_start', message: `phase ${name}`, tags: { phase: name } });
      current = name;
    }
    if (i % 5 === 2) {
      events.push({ timeMs: startMs + i * intervalMs + 1200, type: 'step_error', reason: 'timeout', message: `step upload timed out after 30000 ms`, tags: { journey: 'fileUpload', step: 'upload' } });
    }
    if (i % 9 === 4) {
      events.push({ timeMs: startMs + i * intervalMs + 2100, type: 'step_error', reason: 'target_error', message: errorMessage, tags: { journey: 'fileUpload', step: 'upload' } });
    }
  }
  events.push({ timeMs: startMs + Math.round(intervalCount / 2) * intervalMs, type: 'page_crash', reason: 'page_crash', message: 'page crashed (renderer gone)', tags: { journey: 'videoCall' } });
  events.push({ timeMs: endMs, type: 'phase_end', tags: { phase: current } });
  events.push({ timeMs: endMs, type: 'run_end', message: 'run complete' });
  return events;
}

/**
 * Writes the run in the run-folder layout through the real writer (metrics/sinks/run-folder.ts):
 * intervals.ndjson and events.ndjson by RunFolderSink, summary.json by writeSummary, plus plan.json.
 */
export async function writeFixtureRunFolder(dir: string, run: RunForReport): Promise<string> {
  await mkdir(dir, { recursive: true });
  const sink = new RunFolderSink(dir, { writeSamples: false });
  for (const interval of run.intervals) sink.writeInterval(interval);
  for (const event of run.events) sink.writeEvent(event);
  const stats = await sink.close(Date.now() + 20_000);
  if (stats.dropped > 0) throw new Error(`writeFixtureRunFolder: the run-folder sink dropped ${stats.dropped} lines writing ${dir}`);
  await writeSummary(dir, run.summary);
  await writeFile(join(dir, 'plan.json'), JSON.stringify(run.summary.plan, null, 2));
  return dir;
}
