// The run's one failure-evidence recorder: made when load starts (fleet/load.ts), read when the
// summary is built (fleet/finish-run.ts). Kept beside the run rather than among its parts, so a
// run that never reached load has no evidence (the report says none was recorded) rather than an
// empty list (which says no step failed).
import { createRedactor, secretsFromCommandLine } from '../../common/redact.ts';
import type { FailureEvidence } from '../../metrics/run-summary.ts';
import { FailureEvidenceRecorder, type FailureEvidenceOptions } from './failure-evidence.ts';
import type { RunContext } from '../run-context.ts';

const recorders = new WeakMap<RunContext, FailureEvidenceRecorder>();

/** The run's recorder, made on first use in the run folder. */
export function evidenceRecorderFor(run: RunContext, options: Omit<FailureEvidenceOptions, 'runDir' | 'redact'> = {}): FailureEvidenceRecorder {
  let recorder = recorders.get(run);
  if (!recorder) {
    recorder = new FailureEvidenceRecorder({ ...options, runDir: run.need('runDir'), redact: runRedactor(run) });
    recorders.set(run, recorder);
  }
  return recorder;
}

/** What the run captured, for summary.evidence; undefined when load never started. */
export function recordedEvidence(run: RunContext): readonly FailureEvidence[] | undefined {
  return recorders.get(run)?.list();
}

/** One line for the terminal: how many failures were captured, how many not, and where. */
export function describeEvidence(run: RunContext): string | undefined {
  const recorder = recorders.get(run);
  if (!recorder) return undefined;
  const captured = recorder.list().length;
  if (captured === 0) return undefined;
  const { perStep, total } = recorder.limits;
  const skipped = recorder.skipped ? `; ${recorder.skipped} later failures not captured (at most ${perStep} per journey and step, ${total} per driver)` : '';
  return `failure evidence: ${captured} failures captured (screenshot, DOM snapshot, console log) in evidence/${skipped}`;
}

/** Secrets of this run (InfluxDB token and password, secret flags and variables) never reach evidence files. */
function runRedactor(run: RunContext): (text: string) => string {
  const influx = run.config.influx;
  const given = influx ? (influx.api === 'v2' ? [influx.token] : [influx.password]) : [];
  return createRedactor([...given, ...secretsFromCommandLine(process.argv.slice(2), process.env)]);
}
