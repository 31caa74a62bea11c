// The fewest samples a finding may rest on. Below them a rule's figure is noise (one slow run is a
// p99, one failure of two runs is "50%"), so the finding is not raised: the report lists it apart
// as not judged, with its count. The report prints this table, so readers know the bar.
export const MIN_SAMPLES = {
  /** refused attempts before blocked traffic is a finding: one is enough, nothing may escape */
  blockedTraffic: 1,
  /** successful runs of a step before its p99/p95 ratio can be called a latency spike */
  stepSpike: 20,
  /** runs of a step (succeeded + failed) before its error rate is a finding */
  stepErrorRate: 10,
  /** iterations of a journey before its failure rate is a finding */
  journeyErrorRate: 5,
  /** intervals holding a level of a gauge (CPU, memory) before its p95 or peak is a finding */
  gaugeIntervals: 6,
  /** probe samples of a media series (loss, MOS, quality limitation) before its mean or share is a finding */
  mediaSamples: 20,
  /** steady-load intervals before a memory slope is a leak finding (and 20+ minutes of run) */
  memoryGrowthIntervals: 10,
  /** step runs in each of the early and plateau windows before errors "rising with load" is a capacity finding */
  capacityTrendRunsPerWindow: 20,
  /** the run's own saturation judge decided (summary.generator.saturated): the report repeats it */
  saturation: 1,
  /** freezes are events the page counted: one is evidence */
  freezes: 1,
  /** a plan problem rests on the resolved plan itself, plus at least one failure it explains */
  planFailures: 1,
} as const;

export type MinSampleRule = keyof typeof MIN_SAMPLES;

/** The table the report shows under its findings: rule, minimum, unit. */
export const minSampleDescriptions: readonly { readonly rule: MinSampleRule; readonly what: string }[] = [
  { rule: 'stepSpike', what: 'successful runs of the step' },
  { rule: 'stepErrorRate', what: 'runs of the step' },
  { rule: 'journeyErrorRate', what: 'iterations of the journey' },
  { rule: 'gaugeIntervals', what: 'intervals with a CPU or memory level' },
  { rule: 'mediaSamples', what: 'probe samples of the media series' },
  { rule: 'memoryGrowthIntervals', what: 'intervals at a steady load (runs of 20+ minutes)' },
  { rule: 'capacityTrendRunsPerWindow', what: 'step runs early in the run and at the plateau, each' },
  { rule: 'saturation', what: 'saturation decision of the run (generator health)' },
  { rule: 'freezes', what: 'freeze counted by the page' },
  { rule: 'planFailures', what: 'failure explained by the plan problem' },
  { rule: 'blockedTraffic', what: 'attempt the host guard refused' },
];
