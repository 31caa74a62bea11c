// One fleet run, start to end, for a newcomer to read top-down:
//   preflight (every problem at once, exit 2)  fleet/preflight.ts
//   the tasks, teardown always in reverse      fleet/run-tasks.ts (made with fleet/tasks.ts)
//     results folder → target → metrics → resource monitor → live view → media → browser pool → load (fleet/users/load.ts)
//   finish: verdict → summary → JUnit → report fleet/finish-run.ts (shared with `merge`: reports/publish.ts)
// The verdict is computed here, locally, never from InfluxDB; an interrupted run still writes its
// partial report.
import { finishRun, type FleetRunResult } from './finish-run.ts';
import { preflight } from './preflight.ts';
import { RunContext, type FleetProgress, type RunIo } from './run-context.ts';
import { runTaskList } from './tasks.ts';
import { tasksOfRun } from './run-tasks.ts';

export type { FleetProgress, FleetRunResult };

export interface FleetRunInput extends RunIo {
  /** a shipped plan's name or a plan file */
  readonly planRef: string;
  /** option values as given on the command line (fleet/run-config.ts parses them) */
  readonly rawOptions: Readonly<Record<string, unknown>>;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export async function runFleet(input: FleetRunInput): Promise<FleetRunResult> {
  const prepared = await preflight(input);
  if (prepared.config.dryRun) return { kind: 'dry-run', description: prepared.description };
  input.log(prepared.description);
  input.log(`seed ${prepared.seed} (repeat with --seed ${prepared.seed})`);
  const run = new RunContext(prepared, input);
  const stopOnSignal = () => run.stop({ kind: 'signal' });
  input.interrupt.addEventListener('abort', stopOnSignal, { once: true });
  // A bug that throws in a callback (a socket's frame handler, a timer) would end Node at once with
  // no summary, JUnit or report; the run stops instead, writes them, and ends as an internal error.
  const onUncaughtException = (error: unknown) => run.failUncaught(error, 'uncaught exception');
  const onUnhandledRejection = (error: unknown) => run.failUncaught(error, 'unhandled rejection');
  process.on('uncaughtException', onUncaughtException);
  process.on('unhandledRejection', onUnhandledRejection);
  try {
    const result = await runTaskList(tasksOfRun(run), {
      onTask: (name, stage) => input.log(`${stage === 'setup' ? '▶' : '◀'} ${name}`),
      shouldStop: () => input.interrupt.aborted,
    });
    return await finishRun(run, result);
  } finally {
    process.off('uncaughtException', onUncaughtException);
    process.off('unhandledRejection', onUnhandledRejection);
    input.interrupt.removeEventListener('abort', stopOnSignal);
  }
}
