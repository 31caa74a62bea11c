// argv → options → run → exit code. The only place that calls process.exit (DESIGN.md).
import { Command, Option } from 'commander';
import { ExitCode } from './exit-codes.ts';
import { parseRunOptions, runOptionsSchema } from './flags.ts';
import { createProgressPrinter } from './progress.ts';
import { formatSummaryTable } from './summary-table.ts';
import { UsageError } from '../fleet/errors.ts';

export async function main(argv: readonly string[]): Promise<void> {
  const program = new Command('waddle-fleet')
    .description('Load-test Waddle with real headless browsers, fake media and a verdict you can gate on.')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  const run = program
    .command('run')
    .description('run a plan: a shipped name (smoke, baseline, stress, spike, soak) or a path to your plan file')
    .argument('<plan>', 'plan name or file (.ts, .js, .json)');
  for (const [key, schema] of Object.entries(runOptionsSchema.shape)) {
    const flag = '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
    const isBoolean = schema.def.type === 'default' && typeof (schema.def as { defaultValue?: unknown }).defaultValue === 'boolean';
    const help = schema.description ?? '';
    if (isBoolean && key === 'report') run.addOption(new Option('--no-report', help));
    else if (isBoolean && key === 'progress') run.addOption(new Option('--no-progress', help));
    else if (isBoolean) run.addOption(new Option(flag, help));
    else run.addOption(new Option(`${flag} <value>`, help));
  }
  run.action(async (planRef: string, raw: Record<string, unknown>) => {
    process.exitCode = await runCommand(planRef, raw);
  });

  program
    .command('report')
    .description('rebuild report.html from a run folder')
    .argument('<run-dir>')
    .option('--baseline <run-dir>', 'compare with an earlier run and flag regressions')
    .action(async (runDir: string, opts: { baseline?: string }) => {
      const { writeReport } = await import('../reports/index.ts');
      const path = await writeReport(runDir, { baselineDir: opts.baseline });
      console.log(`report: ${path}`);
    });

  program
    .command('dashboards')
    .description('write the Grafana dashboards (JSON) for the InfluxDB sink')
    .requiredOption('--out <dir>', 'output folder')
    .action(async (opts: { out: string }) => {
      const { writeDashboards } = await import('../dashboards/index.ts');
      const files = await writeDashboards(opts.out);
      for (const f of files) console.log(f);
    });

  program
    .command('plans')
    .description('list the shipped plans')
    .action(async () => {
      const { shippedPlans } = await import('../plans/index.ts');
      for (const [name, plan] of Object.entries(shippedPlans)) console.log(`${name.padEnd(10)} ${plan.description ?? ''}`);
    });

  program
    .command('merge')
    .description('merge the run folders of the shards of one distributed run into one verdict')
    .argument('<run-dirs...>')
    .requiredOption('--shards <n>', 'how many shards the run had')
    .requiredOption('--out <dir>', 'folder for the merged summary and report')
    .action(async (dirs: string[], opts: { shards: string; out: string }) => {
      const { mergeCommand } = await import('./merge.ts');
      process.exitCode = await mergeCommand(dirs, Number(opts.shards), opts.out);
    });

  try {
    await program.parseAsync(argv as string[], { from: 'user' });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') process.exit(0);
    if (code?.startsWith('commander.')) process.exit(ExitCode.usageError);
    if (error instanceof UsageError) {
      printProblems(error.problems);
      process.exit(ExitCode.usageError);
    }
    console.error(`waddle-fleet: internal error: ${(error as Error)?.stack ?? String(error)}`);
    process.exit(ExitCode.internalError);
  }
  // Let the event loop drain naturally is not enough: Playwright or a sink may hold handles.
  process.exit(process.exitCode ?? 0);
}

async function runCommand(planRef: string, raw: Record<string, unknown>): Promise<number> {
  const parsed = parseRunOptions(raw);
  const { loadPlan } = await import('../plans/index.ts');
  const loaded = await loadPlan(planRef);
  // Every problem at once: flags, plan shape and threshold expressions, before anything starts.
  const { parseThresholds } = await import('../metrics/thresholds.ts');
  const thresholds = loaded.ok ? parseThresholds(loaded.plan.thresholds ?? {}, loaded.plan.phases.map((p) => p.name)) : undefined;
  const problems = [
    ...(parsed.ok ? [] : parsed.problems),
    ...(loaded.ok ? [] : loaded.problems),
    ...(thresholds && !thresholds.ok ? thresholds.problems.map((p) => `${loaded.ok ? loaded.plan.name : planRef}: ${p}`) : []),
  ];
  if (!parsed.ok || !loaded.ok || problems.length > 0) throw new UsageError(problems);

  const interrupt = new AbortController();
  let signals = 0;
  const onSignal = (name: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      console.error(`\n${name}: stopping — no new users, ${'10 s'} grace for running steps, then the partial report (send it again to exit at once)`);
      interrupt.abort();
    } else {
      // Playwright kills the browsers it launched in its own process 'exit' handler.
      console.error(`${name} again: exiting now`);
      process.exit(ExitCode.interrupted);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  // wt-lifecycle: remove what runs killed earlier left behind (never what a live run uses)
  if (!parsed.options.dryRun) {
    const { sweepStaleLitter, describeSweep } = await import('../fleet/stale-litter.ts');
    const swept = describeSweep(await sweepStaleLitter());
    if (swept) console.log(swept);
  }

  const { runFleet } = await import('../fleet/run.ts');
  const progress = parsed.options.progress ? createProgressPrinter(process.stderr) : undefined;
  const result = await runFleet({
    plan: loaded.plan,
    options: parsed.options,
    log: (line) => {
      progress?.clear();
      console.log(line);
    },
    interrupt: interrupt.signal,
    onProgress: progress?.update,
  });
  progress?.clear();
  if (result.kind === 'dry-run') {
    console.log(result.description);
    return ExitCode.passed;
  }
  console.log(formatSummaryTable(result.summary, result.runDir));
  return result.exitCode;
}

function printProblems(problems: readonly string[]): void {
  console.error(`waddle-fleet: ${problems.length} configuration problem${problems.length === 1 ? '' : 's'}; nothing was started:`);
  for (const p of problems) console.error(`  - ${p}`);
}
