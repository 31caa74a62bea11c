// The most users running at once, from their planned start and stop offsets.

export interface TimeSpan {
  readonly startAtMs: number;
  readonly stopAtMs: number;
}

/** The most spans overlapping at once (a stop and a start at the same instant do not overlap), each weighted. */
export function peakConcurrency<S extends TimeSpan>(spans: readonly S[], weight: (span: S) => number = () => 1): number {
  const edges: [number, number][] = [];
  for (const span of spans) {
    const w = weight(span);
    edges.push([span.startAtMs, w], [span.stopAtMs, -w]);
  }
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]); // stops before starts at the same instant
  let now = 0;
  let peak = 0;
  for (const [, change] of edges) peak = Math.max(peak, (now += change));
  return peak;
}
