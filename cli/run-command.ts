// `waddle-fleet run <plan>`: preflight and run (fleet/run.ts), the live progress line, and the
// summary table. Every configuration problem comes back at once as a UsageError (exit 2).
import { runFleet } from '../fleet/run.ts';
import { interruptGraceMs } from '../fleet/users/load.ts';
import { ExitCode } from './exit-codes.ts';
import { createProgressPrinter } from './progress.ts';
import { interruptOnSignals } from './signals.ts';
import { formatSummaryTable } from './summary-table.ts';

export async function runCommand(planRef: string, raw: Record<string, unknown>): Promise<number> {
  const interrupt = interruptOnSignals(`${interruptGraceMs / 1000} s`);
  const progress = raw.progress !== false ? createProgressPrinter(process.stderr) : undefined;
  const result = await runFleet({
    planRef,
    rawOptions: raw,
    log: (line) => {
      progress?.clear();
      console.log(line);
    },
    interrupt,
    ...(progress ? { onProgress: progress.update } : {}),
  });
  progress?.clear();
  if (result.kind === 'dry-run') {
    console.log(result.description);
    return ExitCode.passed;
  }
  console.log(formatSummaryTable(result.summary, result.runDir));
  return result.exitCode;
}
