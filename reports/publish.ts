// The end of every run, in one place for `run` and `merge`: the verdict a baseline comparison may
// still turn into FAIL, then summary.json (atomic), junit.xml and report.html. A report that
// cannot be built is a warning: summary.json and junit.xml are what a pipeline reads.
import { join } from 'node:path';
import { atomicWrite } from '../metrics/atomic-write.ts';
import { toJUnitXml } from '../metrics/junit.ts';
import type { RunSummary } from '../metrics/run-summary.ts';
import { writeSummary } from '../metrics/sinks/run-folder.ts';
import { withBaselineRegression } from '../metrics/verdict.ts';
import { baselineReport } from './baseline.ts';
import { writeReport } from './index.ts';
import type { RunForReport } from './run-folder-reader.ts';

export interface PublishOptions {
  /** write report.html (--no-report skips it) */
  readonly report: boolean;
  /** an earlier run to compare with: regressions beyond marginPct fail a passing verdict */
  readonly baseline?: { readonly dir: string; readonly run: RunForReport; readonly marginPct: number };
  readonly log: (line: string) => void;
}

export interface Published {
  readonly summary: RunSummary;
  readonly reportPath?: string;
}

export async function publishRun(runDir: string, summary: RunSummary, options: PublishOptions): Promise<Published> {
  const final = withBaselineVerdict(summary, options.baseline, options.log);
  await writeSummary(runDir, final);
  await atomicWrite(join(runDir, 'junit.xml'), toJUnitXml(final));
  if (!options.report) return { summary: final };
  try {
    const reportPath = await writeReport(runDir, options.baseline ? { baselineDir: options.baseline.dir, compare: { marginPct: options.baseline.marginPct } } : {});
    return { summary: final, reportPath };
  } catch (error) {
    options.log(`warning: the HTML report could not be written (${error instanceof Error ? error.message : String(error)}); summary.json and junit.xml are complete`);
    return { summary: final };
  }
}

/** A passing run that regressed against the baseline beyond the margin fails (exit 3); the comparison is printed either way. */
function withBaselineVerdict(summary: RunSummary, baseline: PublishOptions['baseline'], log: (line: string) => void): RunSummary {
  if (!baseline) return summary;
  const compared = baselineReport(summary, baseline.run.summary, { marginPct: baseline.marginPct });
  for (const warning of compared.warnings) log(`warning: baseline: ${warning}`);
  for (const line of compared.verdictLines) log(`baseline: ${line}`);
  return { ...summary, verdict: withBaselineRegression(summary.verdict, compared.regressed ? compared.verdictLines : []) };
}
