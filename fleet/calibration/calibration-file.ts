// The calibration file `waddle-fleet calibrate` writes: what one user of each journey and driver
// costs on the machine it ran on (CPU as % of that machine, PSS in MB), with the fixed cost of a
// worker (its Node process, a browser process) as the intercept of a line through two sizes. The
// dry run, the oversized-plan refusal and `k8s-job` read it to say how many workers a plan needs.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import type { z as Z } from 'zod';
import { z } from '../../common/zod.ts';

const mediaSize = z.object({ width: z.number(), height: z.number(), fps: z.number() });

const kindCost = z.object({
  journey: z.string(),
  /** 'browser' or 'protocol' (the driver's kind; built-in drivers are calibrated) */
  driverKind: z.enum(['browser', 'protocol']),
  /** the fake media the browser users played while measured */
  media: z.object({ camera: mediaSize.optional(), screen: mediaSize.optional() }).optional(),
  sizes: z.array(z.number().int().positive()).min(1),
  cpuPct: z.array(z.number().nonnegative()),
  pssMb: z.array(z.number().nonnegative()),
  cpuPctPerUser: z.number().nonnegative(),
  pssMbPerUser: z.number().nonnegative(),
  fixedCpuPct: z.number().nonnegative(),
  fixedPssMb: z.number().nonnegative(),
  /** journey errors seen while measuring (a kind that failed a lot measured less work) */
  failures: z.number().int().nonnegative(),
});

export const calibrationSchema = z.object({
  version: z.literal(1),
  createdAt: z.string(),
  machine: z.object({ cores: z.number().positive(), memoryMb: z.number().positive(), cpuModel: z.string(), chromium: z.string(), node: z.string() }),
  /** 1-minute load average while calibrating: a shared machine makes the figures noisy */
  loadAverage: z.number().nonnegative(),
  kinds: z.array(kindCost),
});

export type Calibration = Z.infer<typeof calibrationSchema>;
export type KindCost = Z.infer<typeof kindCost>;

/** Where calibrate writes and runs look by default. */
export function defaultCalibrationPath(): string {
  return join(os.homedir(), '.cache', 'waddle-fleet', 'calibration.json');
}

export async function writeCalibration(path: string, calibration: Calibration): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(calibration, null, 2)}\n`);
}

/** The calibration at path; undefined when there is none; a problem when it cannot be used. */
export async function readCalibration(path: string): Promise<{ calibration?: Calibration; problem?: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return {};
    return { problem: `calibration ${path}: cannot read it (${(error as Error).message})` };
  }
  try {
    const parsed = calibrationSchema.safeParse(JSON.parse(text));
    if (parsed.success) return { calibration: parsed.data };
    return { problem: `calibration ${path}: not a calibration file (${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}); run npx waddle-fleet calibrate again` };
  } catch (error) {
    return { problem: `calibration ${path}: not JSON (${(error as Error).message}); run npx waddle-fleet calibrate again` };
  }
}

/** The cost of one user of journey on a driver of this kind: the calibrated entry, if any. */
export function costOf(calibration: Calibration, journey: string, driverKind: 'browser' | 'protocol'): KindCost | undefined {
  return calibration.kinds.find((k) => k.journey === journey && k.driverKind === driverKind);
}
