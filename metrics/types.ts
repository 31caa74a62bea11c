// The contract between everything that measures (journeys, the WebRTC probe, the resource
// monitor) and everything that stores or judges (sinks, thresholds, reports).
// Names come from metrics/catalogue.ts; variable parts are tags, and only low-cardinality
// ones (run, shard, phase, journey, step, kind, direction, reason, ...). Never a user id,
// message id or connection id as a tag (DESIGN.md rule 5).

export type Tags = Readonly<Record<string, string>>;

import type { RecordableMetric } from './catalogue.ts';
export type { CustomMetricName, RecordableMetric } from './catalogue.ts';

/**
 * trend:   a distribution (latency, bitrate, MOS...). Kept as an HdrHistogram per interval
 *          and for the run, so shards and intervals merge exactly.
 * counter: a sum of increments (messages sent, bytes uploaded).
 * rate:    a ratio of non-zero to all values (errors: 1 = failed, 0 = ok).
 * gauge:   a level (active users, CPU %); last, min and max are kept.
 */
export type MetricKind = 'trend' | 'counter' | 'rate' | 'gauge';

/** One measurement. timeMs is wall-clock epoch ms; durations inside `value` come from a monotonic clock. */
export interface Sample {
  readonly metric: string;
  readonly value: number;
  readonly tags: Tags;
  readonly timeMs: number;
}

/** What measuring code holds. It never throws and never blocks: bad values are counted and dropped. */
export interface MetricsRecorder {
  record(metric: RecordableMetric, value: number, tags?: Tags): void;
}

/** The aggregate of one (metric, tags) series over one interval (or over the whole run). */
export interface SeriesAggregate {
  readonly metric: string;
  readonly kind: MetricKind;
  readonly tags: Tags;
  /** number of values recorded */
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  /** trend only: percentiles from the histogram */
  readonly p50?: number;
  readonly p90?: number;
  readonly p95?: number;
  readonly p99?: number;
  /** rate only: how many values were non-zero */
  readonly nonZero?: number;
  /** gauge only: the last value */
  readonly last?: number;
  /** trend only: the histogram's buckets, encoded by TrendHistogram.encode (metrics/histogram.ts), so it can be merged later */
  readonly hdr?: string;
}

/** Everything measured in [startMs, endMs). Intervals are contiguous; their sum is the run. */
export interface IntervalSnapshot {
  readonly runId: string;
  readonly shard: string; // "1/1" when not sharded
  readonly startMs: number;
  readonly endMs: number;
  readonly phase: string;
  readonly series: readonly SeriesAggregate[];
}

/** Counts every sink reports at the end: generated = delivered + spilled + dropped. */
export interface SinkStats {
  readonly generated: number;
  readonly delivered: number;
  readonly retried: number;
  readonly spilled: number;
  readonly dropped: number;
}

/**
 * A destination for measurements. Sinks never block the run and never throw into it:
 * `write*` only enqueue; failures are counted in SinkStats. One failing sink cannot break the others.
 */
export interface Sink {
  readonly name: string;
  writeSamples?(samples: readonly Sample[]): void;
  writeInterval?(snapshot: IntervalSnapshot): void;
  writeEvent?(event: RunEvent): void;
  /** Deliver what is buffered, giving up at the deadline (epoch ms). */
  flush(deadlineMs: number): Promise<void>;
  close(deadlineMs: number): Promise<SinkStats>;
}

/** Things that happen, as opposed to numbers: lifecycle, failures with their class, saturation. */
export interface RunEvent {
  readonly timeMs: number;
  readonly type:
    | 'run_start' | 'run_end' | 'phase_start' | 'phase_end'
    | 'user_start' | 'user_end' | 'step_error' | 'journey_error'
    | 'browser_launch' | 'browser_crash' | 'browser_relaunch' | 'page_crash'
    | 'saturation' | 'threshold_abort' | 'signal' | 'sink_error' | 'warning'
    | 'connection' | 'internal_error';
  readonly message?: string;
  /** low-cardinality classification, e.g. 'timeout', 'page_crash', 'assertion', 'network', 'target_error' */
  readonly reason?: string;
  readonly tags?: Tags;
  /** free-form detail; fine to hold ids here (never sent as InfluxDB tags) */
  readonly data?: Readonly<Record<string, unknown>>;
}
