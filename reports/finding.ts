// What a finding (bottleneck) is: a rule that fired on data, with the numbers that made it fire,
// the evidence it rests on (which series, in which phases, how many samples against the rule's
// stated minimum) and where it belongs: the plan, start-up, or the run under load.
import type { Tags } from '../metrics/types.ts';
import { MIN_SAMPLES, type MinSampleRule } from './min-samples.ts';

export type Severity = 'critical' | 'high' | 'medium' | 'low';

export type BottleneckType =
  | 'latency_spike' | 'high_error_rate' | 'generator_cpu' | 'generator_memory' | 'generator_saturation'
  | 'target_cpu' | 'target_sfu_cpu' | 'target_memory' | 'video_cpu_limited' | 'video_bandwidth_limited'
  | 'webrtc_loss' | 'video_freezes' | 'low_mos' | 'target_memory_growth' | 'generator_memory_growth'
  | 'plan_lone_callers' | 'blocked_traffic';

/** plan: the plan itself is wrong; start-up: only at browser launch/first connect/first intervals; load: the run under load */
export type FindingArea = 'plan' | 'start-up' | 'load';

export interface FindingEvidence {
  /** the catalogue metric the rule read */
  readonly metric: string;
  /** the series it read (tag filter); empty for untagged metrics */
  readonly tags: Tags;
  /** where the evidence is, by plan phase ("ramp-up ×2, steady ×5"), or "whole run" from the summary */
  readonly phases: string;
  readonly samples: number;
  /** the rule's minimum (MIN_SAMPLES) */
  readonly minSamples: number;
  /** another fact the finding rests on, e.g. the plan's room figures */
  readonly note?: string;
}

export interface Bottleneck {
  readonly type: BottleneckType;
  /** what is affected: "videoCall/join_voice", "generator", "target", "video outbound" */
  readonly component: string;
  readonly severity: Severity;
  readonly area: FindingArea;
  /** the numbers that triggered it, in a sentence */
  readonly details: string;
  readonly recommendation: string;
  /** the observed value and the limit it crossed */
  readonly observed: number;
  readonly limit: number;
  readonly evidence: FindingEvidence;
}

/** A rule that would have fired on fewer samples than its minimum: shown apart, not raised. */
export interface WithheldFinding {
  readonly type: BottleneckType;
  readonly component: string;
  readonly details: string;
  readonly evidence: FindingEvidence;
}

export interface Analysis {
  readonly findings: Bottleneck[];
  readonly withheld: WithheldFinding[];
}

export function evidence(rule: MinSampleRule, metric: string, tags: Tags, samples: number, phases: string, note?: string): FindingEvidence {
  return { metric, tags, samples, minSamples: MIN_SAMPLES[rule], phases: phases || 'whole run', ...(note ? { note } : {}) };
}

export const enoughSamples = (e: FindingEvidence): boolean => e.samples >= e.minSamples;

/** "step.errors{journey:videoCall,step:wait_remote_video}" */
export function seriesName(metric: string, tags: Tags): string {
  const keys = Object.keys(tags).filter((k) => tags[k] !== undefined && tags[k] !== '');
  return keys.length === 0 ? metric : `${metric}{${keys.map((k) => `${k}:${tags[k]}`).join(',')}}`;
}

/** one line for the report: series · phases · samples (minimum) · note */
export function describeEvidence(e: FindingEvidence): string {
  return [seriesName(e.metric, e.tags), `phases: ${e.phases}`, `${e.samples} samples (min ${e.minSamples})`, e.note].filter(Boolean).join(' · ');
}

/** Collects findings, withholding those below their minimum. */
export class FindingList {
  readonly findings: Bottleneck[] = [];
  readonly withheld: WithheldFinding[] = [];
  add(b: Bottleneck): void {
    if (enoughSamples(b.evidence)) this.findings.push(b);
    else this.withheld.push({ type: b.type, component: b.component, details: b.details, evidence: b.evidence });
  }
}

export const fmt = (value: number, digits = 1): string => (Math.round(value * 10 ** digits) / 10 ** digits).toString();
