// argv → command → exit code. The only place that calls process.exit (DESIGN.md).
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { UsageError } from '../common/errors.ts';
import { ExitCode } from './exit-codes.ts';
import { addRunOptions } from './flags.ts';
import { addCapacityCommands } from './capacity-commands.ts';

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export async function main(argv: readonly string[]): Promise<void> {
  const program = new Command('waddle-fleet')
    .description('Load-test Waddle with real headless browsers and protocol users, fake media and a verdict you can gate on.')
    .version(version, '-V, --version', 'print the version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  const run = program
    .command('run')
    .description('run a plan: a shipped name (waddle-fleet plans lists them) or a path to your plan file (.ts, .mts, .js, .mjs, .json)')
    .argument('<plan>', 'plan name or file')
    .addHelpText('after', '\nExit codes: 0 passed · 1 internal error · 2 configuration · 3 thresholds failed · 4 inconclusive · 130 interrupted');
  addRunOptions(run);
  run.action(async (planRef: string, raw: Record<string, unknown>) => {
    const { runCommand } = await import('./run-command.ts');
    process.exitCode = await runCommand(planRef, raw);
  });

  program
    .command('report')
    .description('rebuild report.html from a run folder (a partial one when the run was killed), or compare it with a baseline')
    .argument('<run-dir>')
    .option('--baseline <run-dir>', 'compare with an earlier run of the same plan and scale, written beside the report as report-vs-baseline.html; exit 3 when it regressed')
    .option('--baseline-any', 'compare with a baseline of another plan, scale or shard (refused otherwise)')
    .option('--baseline-margin <percent>', '% worse than the baseline that counts as a regression (default: 10)')
    .action(async (runDir: string, opts: { baseline?: string; baselineMargin?: string; baselineAny?: boolean }) => {
      const { reportCommand } = await import('./report-command.ts');
      process.exitCode = await reportCommand(runDir, opts);
    });

  program
    .command('dashboards')
    .description('write the Grafana dashboards (JSON) for the InfluxDB sink')
    .requiredOption('--out <dir>', 'output folder')
    .action(async (opts: { out: string }) => {
      const { writeDashboards } = await import('../dashboards/index.ts');
      for (const file of await writeDashboards(opts.out)) console.log(file);
    });

  program
    .command('plans')
    .description('list the shipped plans')
    .action(async () => {
      const { shippedPlans } = await import('../plans/index.ts');
      for (const [name, plan] of Object.entries(shippedPlans)) console.log(`${name.padEnd(10)} ${plan.description ?? ''}`);
    });

  addCapacityCommands(program);

  program
    .command('merge')
    .description('merge the run folders of the shards of one distributed run into one verdict')
    .argument('<run-dirs...>')
    .requiredOption('--shards <n>', 'how many shards the run had (required: a shard that never reported must count as missing)')
    .requiredOption('--out <dir>', 'folder for the merged summary and report (required)')
    .action(async (dirs: string[], opts: { shards: string; out: string }) => {
      const { mergeCommand } = await import('./merge.ts');
      process.exitCode = await mergeCommand(dirs, Number(opts.shards), opts.out);
    });

  try {
    await program.parseAsync(argv as string[], { from: 'user' });
  } catch (error) {
    process.exit(exitCodeOf(error));
  }
  // Letting the event loop drain is not enough: Playwright or a sink may hold handles.
  process.exit(process.exitCode ?? 0);
}

function exitCodeOf(error: unknown): number {
  const code = (error as { code?: string }).code;
  if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return ExitCode.passed;
  if (code?.startsWith('commander.')) return ExitCode.usageError;
  if (error instanceof UsageError) {
    if (error.description) console.log(error.description);
    printProblems(error.problems);
    return ExitCode.usageError;
  }
  console.error(`waddle-fleet: internal error: ${(error as Error)?.stack ?? String(error)}`);
  return ExitCode.internalError;
}

function printProblems(problems: readonly string[]): void {
  console.error(`waddle-fleet: ${problems.length} configuration problem${problems.length === 1 ? '' : 's'}; nothing was started:`);
  for (const p of problems) console.error(`  - ${p}`);
}

