// `waddle-fleet calibrate [plan]`: measure this machine (fleet/calibration/calibrate.ts) and write
// the calibration file; then print what was measured and where it went.
import { UsageError } from '../common/errors.ts';
import { calibrate, describeCalibration, standardTimeline } from '../fleet/calibration/calibrate.ts';
import { defaultCalibrationPath } from '../fleet/calibration/calibration-file.ts';
import { defaultChromiumPath } from '../fake-media/chromium-binary.ts';
import { ExitCode } from './exit-codes.ts';

export interface CalibrateFlags {
  out?: string;
  journeys?: string;
  quick?: boolean;
  browserSizes?: string;
  protocolSizes?: string;
  chromium?: string;
}

const quickTimeline = { rampMs: 1_000, warmMs: 4_000, sampleMs: 3_000, windowMs: 1_000 };

function sizes(flag: string, text: string | undefined, fallback: number[]): number[] {
  if (text === undefined) return fallback;
  const list = text.split(',').map((s) => Number(s.trim()));
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1)) throw new UsageError([`${flag}: expected whole numbers ≥ 1 separated by commas, like '2,4'; got '${text}'`]);
  return list.sort((a, b) => a - b);
}

export async function calibrateCommand(planRef: string, flags: CalibrateFlags): Promise<number> {
  const out = flags.out ?? process.env.WADDLE_FLEET_CALIBRATION ?? defaultCalibrationPath();
  const calibration = await calibrate({
    planRef,
    out,
    ...(flags.journeys ? { journeys: flags.journeys.split(',').map((j) => j.trim()) } : {}),
    timeline: flags.quick ? quickTimeline : standardTimeline,
    browserSizes: sizes('--browser-sizes', flags.browserSizes, flags.quick ? [1, 2] : [2, 4]),
    protocolSizes: sizes('--protocol-sizes', flags.protocolSizes, flags.quick ? [20, 100] : [200, 1000]),
    chromiumPath: flags.chromium ?? process.env.WADDLE_FLEET_CHROMIUM ?? defaultChromiumPath(),
    log: (line) => console.log(line),
  });
  console.log(`calibration of ${calibration.machine.cores} cores, ${Math.round(calibration.machine.memoryMb / 1024)} GiB, ${calibration.machine.chromium} (CPU in % of this machine; load average ${calibration.loadAverage.toFixed(1)} while measuring):`);
  for (const line of describeCalibration(calibration)) console.log(line);
  console.log(`written to ${out}; run --dry-run and k8s-job now price plans with it`);
  return ExitCode.passed;
}
