// --raw-samples: whether every raw sample goes to samples.ndjson. Intervals (intervals.ndjson) keep
// every figure either way; raw samples are for looking at single events. At scale they are most
// of what a run writes (1,000 chat users for 90 s wrote 4.9 million lines, 270 MB), so 'auto'
// writes them only up to a size, and says so when it does not.

/** 'auto' writes raw samples up to this many protocol users at peak. */
export const rawSamplesAutoLimit = 1_000;

export interface RawSamplesDecision {
  readonly write: boolean;
  /** why auto turned them off, for the dry run and the run's log */
  readonly note?: string;
}

export function rawSamplesDecision(mode: 'auto' | 'on' | 'off', protocolPeak: number): RawSamplesDecision {
  if (mode !== 'auto') return { write: mode === 'on' };
  if (protocolPeak <= rawSamplesAutoLimit) return { write: true };
  return {
    write: false,
    note: `raw samples: off (--raw-samples auto: ${protocolPeak} protocol users at peak is more than ${rawSamplesAutoLimit.toLocaleString('en-US')}; intervals keep every figure; --raw-samples on writes them anyway)`,
  };
}
