// The metrics hub: what measuring code records into, and what feeds every sink.
// record() is O(1), never throws and never waits on a sink: bad values are counted in
// `rejected` and dropped (one warning event per distinct problem); raw samples go to
// sinks in batches; every interval becomes an IntervalSnapshot handed to each sink in
// its own try/catch, so one broken sink cannot break the others or the run.
import { performance } from 'node:perf_hooks';
import { summarizeByMetric } from './by-metric.ts';
import { isKnownMetric } from './catalogue.ts';
import { ResolvedTagCache, type ResolvedTags } from './resolve-tags.ts';
import type { MetricSummary } from './run-summary.ts';
import { SeriesState, seriesKey } from './series.ts';
import { combinedAggregates, mergeInto } from './series-maps.ts';
import type { IntervalSnapshot, MetricsRecorder, RecordableMetric, RunEvent, Sample, SeriesAggregate, Sink, SinkStats, Tags } from './types.ts';

export interface MetricsHubOptions {
  readonly runId: string;
  /** "i/n"; "1/1" when not sharded */
  readonly shard: string;
  /** interval length; default 5000 */
  readonly intervalMs?: number;
  readonly sinks: readonly Sink[];
  /** extra tags on every series (not checked against the catalogue); keep them low-cardinality */
  readonly baseTags?: Tags;
  /** wall clock for sample and interval timestamps; default Date.now */
  readonly now?: () => number;
  /** phase before the first setPhase(); default "setup" */
  readonly initialPhase?: string;
  /** raw samples handed to sinks per writeSamples call, at most; default 1000 */
  readonly sampleBatchSize?: number;
  /** distinct tag sets per metric before new ones are rejected (cardinality guard); default 1000 */
  readonly maxSeriesPerMetric?: number;
}

export type RejectReason = 'unknown_metric' | 'tag_not_allowed' | 'bad_tag_value' | 'not_finite' | 'negative_value' | 'too_many_series';


const ZERO_STATS: SinkStats = { generated: 0, delivered: 0, retried: 0, spilled: 0, dropped: 0 };

export class MetricsHub implements MetricsRecorder {
  readonly runId: string;
  readonly shard: string;
  readonly intervalMs: number;
  /** samples dropped by reason */
  readonly rejected: Record<RejectReason, number> = {
    unknown_metric: 0, tag_not_allowed: 0, bad_tag_value: 0, not_finite: 0, negative_value: 0, too_many_series: 0,
  };
  /** samples accepted */
  accepted = 0;
  /** intervals handed to sinks */
  intervalsEmitted = 0;
  /** how late the interval timer fired, worst case (ms); the timer must keep time even when sinks hang */
  maxTickLateMs = 0;
  /** errors thrown by sinks, per sink name */
  readonly sinkErrors: Record<string, number> = {};

  private readonly sinks: readonly Sink[];
  private readonly baseTags: Tags;
  private readonly now: () => number;
  private readonly sampleBatchSize: number;
  private readonly maxSeriesPerMetric: number;
  private readonly wantsSamples: boolean;

  private currentPhase: string;
  private intervalStartMs: number;
  private interval = new Map<string, SeriesState>();
  private readonly run = new Map<string, SeriesState>();
  /** the same, per plan phase, for {phase:...} thresholds */
  private readonly runByPhase = new Map<string, Map<string, SeriesState>>();
  private readonly lastGauges = new Map<string, SeriesAggregate>();
  private readonly seriesPerMetric = new Map<string, number>();
  /** (metric, tags) already validated (./resolve-tags.ts) */
  private readonly tagCache: ResolvedTagCache;
  private pendingSamples: Sample[] = [];
  private samplesFlushScheduled = false;
  private readonly warned = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private closing: Promise<Record<string, SinkStats>> | undefined;

  constructor(opts: MetricsHubOptions) {
    this.runId = opts.runId;
    this.shard = opts.shard;
    this.intervalMs = opts.intervalMs ?? 5000;
    if (!(this.intervalMs >= 10)) throw new Error(`MetricsHub: intervalMs must be a number of at least 10, got ${String(opts.intervalMs)}`);
    this.sinks = opts.sinks;
    this.baseTags = opts.baseTags ?? {};
    this.now = opts.now ?? Date.now;
    this.sampleBatchSize = opts.sampleBatchSize ?? 1000;
    this.maxSeriesPerMetric = opts.maxSeriesPerMetric ?? 1000;
    this.currentPhase = opts.initialPhase ?? 'setup';
    this.intervalStartMs = this.now();
    this.wantsSamples = this.sinks.some((s) => typeof s.writeSamples === 'function');
    this.tagCache = new ResolvedTagCache(this.baseTags);
  }

  get phase(): string {
    return this.currentPhase;
  }

  record(metric: RecordableMetric, value: number, tags?: Tags): void {
    try {
      this.recordUnsafe(metric, value, tags);
    } catch (err) {
      // record() is called from journeys: it must never throw, whatever a bug here does
      this.warnOnce(`internal:${String(err)}`, `MetricsHub.record failed internally for "${metric}": ${String(err)}. The sample was dropped; please report this bug.`);
    }
  }

  private recordUnsafe(metric: string, value: number, tags: Tags | undefined): void {
    const resolved = this.tagCache.resolve(metric, tags, (r) => this.reject(r.reason, r.problemKey, r.message));
    if (resolved !== undefined) this.count(metric, value, resolved);
  }

  /** Count a value of a validated (metric, tags). */
  private count(metric: string, value: number, resolved: ResolvedTags): void {
    const { def, key, fullTags } = resolved;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.reject('not_finite', `${metric}:nf`, `"${metric}" got a non-finite value (${String(value)}); check the measurement (a NaN often means a division by zero or a missing timestamp). Dropped.`);
      return;
    }
    if (value < 0 && (def.kind === 'trend' || def.kind === 'counter')) {
      const what = def.unit === 'ms' ? 'a negative duration' : 'a negative value';
      this.reject('negative_value', `${metric}:neg`, `"${metric}" got ${what} (${value}); durations must come from the monotonic clock (performance.now()). Dropped.`);
      return;
    }
    let s = this.interval.get(key);
    if (s === undefined) {
      if (!this.run.has(key)) {
        const n = this.seriesPerMetric.get(metric) ?? 0;
        if (n >= this.maxSeriesPerMetric) {
          this.reject('too_many_series', `${metric}:card`, `"${metric}" has more than ${this.maxSeriesPerMetric} distinct tag sets: a tag holds an id or other high-cardinality value. Use low-cardinality tags only (DESIGN.md rule 5); new series are dropped.`);
          return;
        }
        this.seriesPerMetric.set(metric, n + 1);
      }
      s = new SeriesState(metric, def.kind, fullTags);
      this.interval.set(key, s);
    }
    const timeMs = this.now();
    s.add(value, timeMs);
    this.accepted += 1;
    if (this.wantsSamples) {
      this.pendingSamples.push({ metric, value, tags: fullTags, timeMs });
      if (this.pendingSamples.length >= this.sampleBatchSize) this.scheduleSampleFlush();
    }
  }

  /**
   * Merge aggregates measured elsewhere (a worker thread's own hub) into the open interval, exactly:
   * histograms add, counts and sums add. Their tags are the worker's (run, shard and phase are
   * this hub's). The same cardinality guard applies.
   */
  absorb(aggregates: readonly SeriesAggregate[]): void {
    const timeMs = this.now();
    for (const a of aggregates) {
      if (!isKnownMetric(a.metric) || a.count === 0) continue;
      const tags = { ...this.baseTags, ...a.tags };
      const key = seriesKey(a.metric, tags);
      let s = this.interval.get(key);
      if (s === undefined) {
        if (!this.run.has(key)) {
          const n = this.seriesPerMetric.get(a.metric) ?? 0;
          if (n >= this.maxSeriesPerMetric) continue;
          this.seriesPerMetric.set(a.metric, n + 1);
        }
        s = new SeriesState(a.metric, a.kind, tags);
        this.interval.set(key, s);
      }
      try {
        s.merge(SeriesState.fromAggregate({ ...a, tags }, timeMs), timeMs);
        this.accepted += a.count;
      } catch (err) {
        this.warnOnce(`absorb:${key}`, `a series from a worker thread could not be merged (${String(err)}); its samples are dropped`);
      }
    }
  }

  private reject(reason: RejectReason, problemKey: string, message: string): void {
    this.rejected[reason] += 1;
    this.warnOnce(`${reason}:${problemKey}`, message, reason);
  }

  private warnOnce(key: string, message: string, reason = 'internal'): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.event({ timeMs: this.now(), type: 'warning', reason, message });
  }

  /** hand samples to sinks soon, not inside record(): record stays O(1) */
  private scheduleSampleFlush(): void {
    if (this.samplesFlushScheduled) return;
    this.samplesFlushScheduled = true;
    setImmediate(() => {
      this.samplesFlushScheduled = false;
      this.flushSamples(true);
    });
  }

  /** onlyFullBatches: leave a partial batch for the next tick (fewer, fuller sink calls) */
  private flushSamples(onlyFullBatches = false): void {
    while (this.pendingSamples.length >= (onlyFullBatches ? this.sampleBatchSize : 1)) {
      const batch = this.pendingSamples.slice(0, this.sampleBatchSize);
      this.pendingSamples = this.pendingSamples.slice(batch.length);
      for (const sink of this.sinks) if (sink.writeSamples) this.guard(sink, () => sink.writeSamples?.(batch));
    }
  }

  event(e: RunEvent): void {
    for (const sink of this.sinks) if (sink.writeEvent) this.guard(sink, () => sink.writeEvent?.(e));
  }

  private guard(sink: Sink, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      const first = this.sinkErrors[sink.name] === undefined;
      this.sinkErrors[sink.name] = (this.sinkErrors[sink.name] ?? 0) + 1;
      if (first) {
        const e: RunEvent = { timeMs: this.now(), type: 'sink_error', reason: 'sink_threw', message: `sink "${sink.name}" threw: ${String(err)}; the other sinks go on (later errors of this sink are counted only)` };
        for (const other of this.sinks) {
          if (other === sink || !other.writeEvent) continue;
          try {
            other.writeEvent(e);
          } catch {}
        }
      }
    }
  }

  /** Start a new phase; the interval so far is closed under the old phase, so each interval has one phase. */
  setPhase(name: string): void {
    if (name === this.currentPhase) return;
    if (this.closing === undefined && (this.interval.size > 0 || this.now() > this.intervalStartMs)) this.tick();
    this.currentPhase = name;
  }

  /** Tick intervals on a timer (unref'd: it never keeps the process alive). Idempotent. */
  start(): void {
    if (this.timer !== undefined || this.closing !== undefined) return;
    const t0 = performance.now();
    let k = 1;
    const schedule = () => {
      const due = t0 + k * this.intervalMs;
      this.timer = setTimeout(() => {
        const late = performance.now() - due;
        if (late > this.maxTickLateMs) this.maxTickLateMs = late;
        this.tick();
        // skip slots already missed (a blocked loop) instead of firing a burst
        k = Math.max(k + 1, Math.ceil((performance.now() - t0) / this.intervalMs));
        schedule();
      }, Math.max(0, due - performance.now()));
      this.timer.unref();
    };
    schedule();
  }

  /**
   * A gauge is a level: an interval in which nobody updated it still has that level (active
   * users did not drop to "no data" because nobody joined or left). Such series are carried
   * into the snapshot with count 0 and their last value, so charts and Grafana see no gaps;
   * run totals and counts are untouched (only real records merge into the run).
   */
  private withCarriedGauges(states: readonly SeriesState[]): SeriesAggregate[] {
    const series = states.map((s) => s.toAggregate());
    const seen = new Set<string>();
    for (const agg of series) {
      if (agg.kind !== 'gauge') continue;
      const key = seriesKey(agg.metric, agg.tags);
      seen.add(key);
      this.lastGauges.set(key, agg);
    }
    for (const [key, agg] of this.lastGauges) {
      if (seen.has(key) || agg.last === undefined) continue;
      series.push({ metric: agg.metric, kind: 'gauge', tags: agg.tags, count: 0, sum: 0, min: agg.last, max: agg.last, last: agg.last });
    }
    return series;
  }

  /** Close the current interval now: snapshot to every sink and listener, merge into the run. */
  tick(): IntervalSnapshot {
    const endMs = Math.max(this.now(), this.intervalStartMs);
    const states = [...this.interval.values()];
    const snapshot: IntervalSnapshot = {
      runId: this.runId,
      shard: this.shard,
      startMs: this.intervalStartMs,
      endMs,
      phase: this.currentPhase,
      series: this.withCarriedGauges(states),
    };
    let phaseRun = this.runByPhase.get(snapshot.phase);
    if (phaseRun === undefined) this.runByPhase.set(snapshot.phase, (phaseRun = new Map()));
    for (const s of states) {
      mergeInto(this.run, s);
      mergeInto(phaseRun, s);
    }
    this.interval = new Map();
    this.intervalStartMs = endMs;
    this.flushSamples(); // samples of an interval reach sinks no later than the interval itself
    for (const sink of this.sinks) if (sink.writeInterval) this.guard(sink, () => sink.writeInterval?.(snapshot));
    this.intervalsEmitted += 1;
    return snapshot;
  }

  /** Every series over the whole run so far (closed intervals + the open one), merged exactly. */
  totals(): SeriesAggregate[] {
    return combinedAggregates(this.run, this.interval);
  }

  /** Like totals(), per plan phase: each interval counts for the phase it belongs to. */
  phaseTotals(): Map<string, SeriesAggregate[]> {
    const out = new Map<string, SeriesAggregate[]>();
    for (const [phase, run] of this.runByPhase) out.set(phase, combinedAggregates(run, phase === this.currentPhase ? this.interval : new Map()));
    if (!out.has(this.currentPhase)) out.set(this.currentPhase, combinedAggregates(new Map(), this.interval));
    return out;
  }

  /** One summary per metric, all tags merged. */
  totalsByMetric(): MetricSummary[] {
    return summarizeByMetric(this.totals());
  }

  /**
   * Stop the timer, emit the final (partial) interval, then flush and close every sink
   * in parallel. deadlineMs is an epoch-ms deadline (Date.now() based, like Sink.close);
   * a sink still busy shortly after it is reported with zero stats and counted in sinkErrors.
   */
  close(deadlineMs: number): Promise<Record<string, SinkStats>> {
    if (this.closing) return this.closing;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.interval.size > 0 || this.intervalsEmitted === 0 || this.now() > this.intervalStartMs) this.tick();
    this.flushSamples();
    this.closing = this.closeSinks(deadlineMs);
    return this.closing;
  }

  private async closeSinks(deadlineMs: number): Promise<Record<string, SinkStats>> {
    const graceMs = 250;
    const results = await Promise.all(
      this.sinks.map(async (sink) => {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => {
          timer = setTimeout(() => resolve('late'), Math.max(0, deadlineMs - Date.now()) + graceMs);
        });
        try {
          const r = await Promise.race([sink.close(deadlineMs), late]);
          if (r === 'late') {
            this.sinkErrors[sink.name] = (this.sinkErrors[sink.name] ?? 0) + 1;
            return ZERO_STATS;
          }
          return r;
        } catch {
          this.sinkErrors[sink.name] = (this.sinkErrors[sink.name] ?? 0) + 1;
          return ZERO_STATS;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const out: Record<string, SinkStats> = {};
    this.sinks.forEach((sink, i) => {
      let name = sink.name;
      for (let n = 2; name in out; n++) name = `${sink.name}#${n}`;
      out[name] = results[i] as SinkStats;
    });
    return out;
  }
}
