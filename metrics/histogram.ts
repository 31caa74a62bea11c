// Trend distributions as HdrHistograms (hdr-histogram-js, pure JS; no WASM).
//
// Precision: values are recorded as integers in thousandths of their unit
// (ms -> µs, kbps -> bps, mos 4.21 -> 4210) with 3 significant digits, so a
// percentile is within 0.1% of the true value, over any range (the histogram
// auto-resizes; 1 µs .. hours costs a few KB in the packed layout).
// count, sum, min and max are kept exactly beside the histogram; percentiles
// come from the histogram and are clamped to [min, max].
//
// Merging: every histogram uses the same layout, so adding two histograms is
// exact: the merge of shard (or interval) histograms has the same buckets as
// one histogram of all the values. Never average percentiles.
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';

/** values are stored as round(value * VALUE_SCALE) */
export const VALUE_SCALE = 1000;

function newHdr(): Histogram {
  return build({ bitBucketSize: 'packed', numberOfSignificantValueDigits: 3, lowestDiscernibleValue: 1, autoResize: true });
}

export class TrendHistogram {
  count = 0;
  sum = 0;
  min = 0;
  max = 0;
  private readonly hdr: Histogram = newHdr();

  /** value must be finite and >= 0 (the hub checks before calling) */
  record(value: number): void {
    this.hdr.recordValue(Math.round(value * VALUE_SCALE));
    if (this.count === 0) {
      this.min = value;
      this.max = value;
    } else {
      if (value < this.min) this.min = value;
      if (value > this.max) this.max = value;
    }
    this.count += 1;
    this.sum += value;
  }

  /** exact merge: other is left unchanged */
  merge(other: TrendHistogram): void {
    if (other.count === 0) return;
    this.hdr.add(other.hdr);
    this.mergeStats(other.count, other.sum, other.min, other.max);
  }

  /** percentile in (0, 100]; 0 when empty */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const raw = this.hdr.getValueAtPercentile(p) / VALUE_SCALE;
    return Math.min(this.max, Math.max(this.min, raw));
  }

  mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  /** compressed base64 of the histogram alone (count/sum/min/max travel beside it) */
  encode(): string {
    return encodeIntoCompressedBase64(this.hdr);
  }

  /**
   * Rebuild from an encoded histogram plus the exact stats stored beside it
   * (SeriesAggregate.count/sum/min/max). Throws on a corrupt string: callers reading
   * files catch and report it.
   */
  static decode(encoded: string, stats: { count: number; sum: number; min: number; max: number }): TrendHistogram {
    const t = new TrendHistogram();
    const decoded = decodeFromCompressedBase64(encoded, 'packed');
    if (decoded.totalCount !== stats.count) {
      throw new Error(`histogram holds ${decoded.totalCount} values but its stats say ${stats.count}: the interval line is corrupt`);
    }
    if (stats.count === 0) return t;
    t.hdr.add(decoded);
    t.mergeStats(stats.count, stats.sum, stats.min, stats.max);
    return t;
  }

  private mergeStats(count: number, sum: number, min: number, max: number): void {
    if (this.count === 0) {
      this.min = min;
      this.max = max;
    } else {
      this.min = Math.min(this.min, min);
      this.max = Math.max(this.max, max);
    }
    this.count += count;
    this.sum += sum;
  }
}
