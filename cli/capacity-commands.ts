// The capacity commands: `calibrate` (measure this machine) and `k8s-job` (the Indexed Job a plan
// needs, sized from the calibration). Their work is loaded only when they run.
import type { Command } from 'commander';
import type { CalibrateFlags } from './calibrate-command.ts';
import type { K8sJobFlags } from './k8s-job-command.ts';

export function addCapacityCommands(program: Command): void {
  program
    .command('calibrate')
    .description('measure what a user of each journey and driver of a plan costs on this machine (CPU, memory) and write the calibration the dry run, the oversized-plan refusal and k8s-job use')
    .argument('[plan]', 'the plan whose journeys, drivers, params and media to measure', 'stress')
    .option('--out <file>', 'where to write it (default: ~/.cache/waddle-fleet/calibration.json, where runs look)')
    .option('--journeys <names>', 'only these journeys, comma-separated')
    .option('--quick', 'very short runs (seconds): a rough figure, for tests and a first look')
    .option('--browser-sizes <a,b>', 'browser users measured per journey (default: 2,4)')
    .option('--protocol-sizes <a,b>', 'protocol users measured per journey (default: 200,1000)')
    .option('--chromium <path>', 'the Chromium binary [env WADDLE_FLEET_CHROMIUM]')
    .action(async (planRef: string, opts: CalibrateFlags) => {
      const { calibrateCommand } = await import('./calibrate-command.ts');
      process.exitCode = await calibrateCommand(planRef, opts);
    });

  program
    .command('k8s-job')
    .description('print the Kubernetes Indexed Job (JSON, for kubectl apply -f) that runs a plan over as many workers as it needs, from the calibration')
    .argument('<plan>', 'a shipped plan name (a plan file must be in the image at that path)')
    .option('--scale <factor>', 'multiply every user count', '1')
    .option('--scale-durations', 'also multiply phase durations by --scale')
    .option('--calibration <file>', 'the calibration file (default: ~/.cache/waddle-fleet/calibration.json) [env WADDLE_FLEET_CALIBRATION]')
    .option('--image <image>', 'the worker image', 'waddle-fleet:local')
    .option('--name <name>', 'the Job name (default: waddle-fleet-<plan>)')
    .option('--contexts-per-browser <n>', 'browser users per browser process in each worker', '8')
    .option('--worker-cores <n>', 'cores of a worker pod (default: the calibrated machine\'s)')
    .option('--worker-memory-gb <n>', 'memory of a worker pod (default: the calibrated machine\'s)')
    .action(async (planRef: string, opts: K8sJobFlags) => {
      const { k8sJobCommand } = await import('./k8s-job-command.ts');
      process.exitCode = await k8sJobCommand(planRef, opts);
    });
}
