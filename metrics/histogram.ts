// Trend distributions: a sparse log-linear histogram (the HdrHistogram bucket layout, kept in a
// Map of non-empty buckets only).
//
// Why not hdr-histogram-js: its percentile and merge walk every bucket of the full range
// (~20k for 1 µs..1 s), 8 ms per percentile in the packed layout. With a few hundred series
// ticking each interval that was seconds of CPU per tick on the load generator. Here the cost
// follows the number of distinct buckets actually hit (tens to a few hundred).
//
// Precision: values are recorded as integers in thousandths of their unit (ms -> µs,
// kbps -> bps, mos 4.21 -> 4210). Below 2048 each integer has its own bucket; above, each
// power of two is split in 1024 buckets, so a percentile is within 0.1% of the true value over
// any range (3 significant digits). count, sum, min and max are kept exactly beside the
// buckets; percentiles are clamped to [min, max].
//
// Merging adds bucket counts: the merge of shard (or interval) histograms is exactly the
// histogram of all their values. Never average percentiles.
import { deflateRawSync, inflateRawSync } from 'node:zlib';

/** values are stored as round(value * VALUE_SCALE) */
export const VALUE_SCALE = 1000;

const HALF = 1024; // buckets per power of two above the linear range
const LINEAR = 2 * HALF; // integers below this have a bucket each

/** bucket index of a non-negative integer */
function bucketOf(v: number): number {
  if (v < LINEAR) return v;
  let e = Math.floor(Math.log2(v)) - 10; // v / 2^e in [1024, 2048)
  // Math.log2 may round across a power of two for huge integers: settle e exactly.
  while (Math.floor(v / 2 ** e) >= LINEAR) e++;
  while (Math.floor(v / 2 ** e) < HALF) e--;
  return e * HALF + Math.floor(v / 2 ** e);
}

/** the highest integer that falls in a bucket (what a percentile reports, as HdrHistogram does) */
function highestValueOf(index: number): number {
  if (index < LINEAR) return index;
  const e = Math.floor(index / HALF) - 1;
  const m = index - e * HALF;
  return (m + 1) * 2 ** e - 1;
}

/** encoded form: this prefix, then base64 of deflated varints (delta index, count) */
const FORMAT = 'lh1:';

export class TrendHistogram {
  count = 0;
  sum = 0;
  min = 0;
  max = 0;
  private readonly buckets = new Map<number, number>();

  /** value must be finite and >= 0 (the hub checks before calling) */
  record(value: number): void {
    const index = bucketOf(Math.round(value * VALUE_SCALE));
    this.buckets.set(index, (this.buckets.get(index) ?? 0) + 1);
    this.mergeStats(1, value, value, value);
  }

  /** exact merge: other is left unchanged */
  merge(other: TrendHistogram): void {
    if (other.count === 0) return;
    for (const [index, n] of other.buckets) this.buckets.set(index, (this.buckets.get(index) ?? 0) + n);
    this.mergeStats(other.count, other.sum, other.min, other.max);
  }

  /** percentile in (0, 100]; 0 when empty */
  percentile(p: number): number {
    return this.percentiles([p])[0]!;
  }

  /** several percentiles in one pass over the buckets, in the order asked */
  percentiles(ps: readonly number[]): number[] {
    if (this.count === 0) return ps.map(() => 0);
    const order = ps.map((p, i) => ({ i, rank: Math.max(1, Math.ceil((Math.min(p, 100) / 100) * this.count - 1e-9)) })).sort((a, b) => a.rank - b.rank);
    const out = new Array<number>(ps.length).fill(this.max);
    const indexes = [...this.buckets.keys()].sort((a, b) => a - b);
    let seen = 0;
    let next = 0;
    for (const index of indexes) {
      seen += this.buckets.get(index)!;
      while (next < order.length && seen >= order[next]!.rank) {
        const raw = highestValueOf(index) / VALUE_SCALE;
        out[order[next]!.i] = Math.min(this.max, Math.max(this.min, raw));
        next++;
      }
      if (next === order.length) break;
    }
    return out;
  }

  mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  /** compact string of the buckets alone (count/sum/min/max travel beside it) */
  encode(): string {
    const indexes = [...this.buckets.keys()].sort((a, b) => a - b);
    const bytes: number[] = [];
    let previous = 0;
    for (const index of indexes) {
      writeVarint(bytes, index - previous);
      writeVarint(bytes, this.buckets.get(index)!);
      previous = index;
    }
    return FORMAT + deflateRawSync(Uint8Array.from(bytes)).toString('base64');
  }

  /**
   * Rebuild from an encoded histogram plus the exact stats stored beside it
   * (SeriesAggregate.count/sum/min/max). Throws on a corrupt string: callers reading
   * files catch and report it.
   */
  static decode(encoded: string, stats: { count: number; sum: number; min: number; max: number }): TrendHistogram {
    if (!encoded.startsWith(FORMAT)) {
      throw new Error(`histogram is not in the ${FORMAT} format (written by another waddle-fleet version?): the interval line cannot be merged`);
    }
    let bytes: Buffer;
    try {
      bytes = inflateRawSync(Buffer.from(encoded.slice(FORMAT.length), 'base64'));
    } catch (error) {
      throw new Error(`histogram does not inflate (${(error as Error).message}): the interval line is corrupt`, { cause: error });
    }
    const t = new TrendHistogram();
    let total = 0;
    let index = 0;
    for (let at = 0; at < bytes.length; ) {
      const delta = readVarint(bytes, at);
      const n = readVarint(bytes, delta.next);
      at = n.next;
      index += delta.value;
      t.buckets.set(index, n.value);
      total += n.value;
    }
    if (total !== stats.count) {
      throw new Error(`histogram holds ${total} values but its stats say ${stats.count}: the interval line is corrupt`);
    }
    if (stats.count > 0) t.mergeStats(stats.count, stats.sum, stats.min, stats.max);
    return t;
  }

  private mergeStats(count: number, sum: number, min: number, max: number): void {
    if (this.count === 0) {
      this.min = min;
      this.max = max;
    } else {
      if (min < this.min) this.min = min;
      if (max > this.max) this.max = max;
    }
    this.count += count;
    this.sum += sum;
  }
}

function writeVarint(out: number[], value: number): void {
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

function readVarint(bytes: Uint8Array, at: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let i = at; i < bytes.length; i++) {
    const b = bytes[i]!;
    value += (b & 0x7f) * scale;
    if (b < 0x80) return { value, next: i + 1 };
    scale *= 0x80;
    if (scale > 2 ** 56) break;
  }
  throw new Error('histogram ends inside a number: the interval line is corrupt');
}
