// The fleet's real command in its own process, running a plan written to a JSON file, so what it
// costs can be measured from outside (its process tree is the generator). Used by `calibrate`
// and by bench:density.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../bin/waddle-fleet.mjs', import.meta.url));

export interface FleetChild {
  readonly child: ChildProcess;
  /** resolves when the run starts its load task (browsers are launched by the first users) */
  readonly loadStarted: Promise<void>;
  /** resolves with the run's exit code */
  readonly exited: Promise<number>;
  readonly output: () => string;
}

/** Runs `plan` against `target`; its run folder goes under <workDir>/results. */
export function startFleetRun(plan: Record<string, unknown>, target: string, workDir: string, extraArgs: readonly string[]): FleetChild {
  const planFile = join(workDir, `${String(plan.name)}.json`);
  writeFileSync(planFile, JSON.stringify(plan, null, 2));
  const args = [cli, 'run', planFile, '--target', target, '--results', join(workDir, 'results'), '--no-progress', '--no-report', '--seed', '1', ...extraArgs];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let onLoad: () => void = () => {};
  const started = new Promise<void>((resolve) => (onLoad = resolve));
  const take = (d: Buffer) => {
    out += d.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
    if (out.includes('▶ load')) onLoad();
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  const loadStarted = Promise.race([started, exited.then((code) => Promise.reject(new Error(`the fleet run exited (${code}) before its load: ${out.slice(-2000)}`)))]);
  loadStarted.catch(() => {});
  return { child, loadStarted, exited, output: () => out };
}
