// One zod schema for the run command's options (DESIGN.md style 6): it gives the types, the
// validation (every problem at once, with the flag and a fix) and the list of flags that the
// docker/k8s files are checked against.
import { z } from 'zod';

const durationLike = /^\d+(\.\d+)?(ms|s|m|h)$/;

export const runOptionsSchema = z.strictObject({
  scale: z.coerce.number().positive().max(1000).default(1).describe('multiply every user count (0.01 runs the 10K shape on one machine)'),
  scaleDurations: z.boolean().default(false).describe('also multiply phase durations by --scale'),
  shard: z.string().regex(/^\d+\/\d+$/, "expected 'i/n' like '2/4'").optional().describe("run the i-th of n equal slices of the users, e.g. '2/4'"),
  seed: z.coerce.number().int().nonnegative().optional().describe('seed for behaviour profiles and choices (default: random, printed)'),
  startAt: z.string().optional().describe('start the load at this ISO time or epoch ms (all shards start together)'),
  results: z.string().default('results').describe('folder that receives run folders'),
  target: z.url().optional().describe('base URL of the Waddle web client (default: start the reference Waddle on loopback)'),
  targetWait: z.string().regex(durationLike, "expected a duration like '30s'").default('30s').describe('how long a named --target may take to answer before the run is refused (exit 2)'),
  allowRemoteTarget: z.boolean().default(false).describe('allow a target that is not a loopback address (you must own it)'),
  influxUrl: z.url().optional().describe('InfluxDB URL (env WADDLE_FLEET_INFLUX_URL); off when absent'),
  influxApi: z.enum(['v1', 'v2']).optional().describe("'v2' (token/org/bucket) or 'v1' (db/rp/user/password); default v2 when a token is given"),
  influxToken: z.string().optional().describe('InfluxDB v2 token (env WADDLE_FLEET_INFLUX_TOKEN; never logged)'),
  influxOrg: z.string().optional().describe('InfluxDB v2 org (env WADDLE_FLEET_INFLUX_ORG)'),
  influxBucket: z.string().optional().describe('InfluxDB v2 bucket (env WADDLE_FLEET_INFLUX_BUCKET)'),
  influxDb: z.string().optional().describe('InfluxDB v1 database (env WADDLE_FLEET_INFLUX_DB)'),
  influxRp: z.string().optional().describe('InfluxDB v1 retention policy (env WADDLE_FLEET_INFLUX_RP)'),
  influxUser: z.string().optional().describe('InfluxDB v1 user (env WADDLE_FLEET_INFLUX_USER)'),
  influxPassword: z.string().optional().describe('InfluxDB v1 password (env WADDLE_FLEET_INFLUX_PASSWORD; never logged)'),
  dryRun: z.boolean().default(false).describe('print the plan and exit without sending load'),
  maxBrowsers: z.coerce.number().int().min(1).max(256).default(4).describe('browser processes at most'),
  contextsPerBrowser: z.coerce.number().int().min(1).max(200).default(8).describe('virtual users (contexts) per browser at most'),
  interval: z.string().regex(durationLike, "expected a duration like '5s'").default('5s').describe('metrics interval (InfluxDB points, report resolution)'),
  probeInterval: z.string().regex(durationLike, "expected a duration like '2s'").default('2s').describe('WebRTC getStats sampling interval'),
  saturationCpu: z.coerce.number().min(1).max(100).default(85).describe('generator CPU % of the machine that, sustained, marks the run saturated'),
  baseline: z.string().optional().describe('run folder to compare against; regressions fail the verdict'),
  baselineMargin: z.coerce.number().min(0).max(1000).default(10).describe('% worse than the baseline that counts as a regression'),
  report: z.boolean().default(true).describe('write report.html at the end (--no-report to skip)'),
  progress: z.boolean().default(true).describe('live progress on a TTY (--no-progress to silence)'),
});

export type RunOptions = z.infer<typeof runOptionsSchema>;

/** kebab-case flag names the run command accepts (docker/k8s manifests are checked against them). */
export const knownRunFlags: readonly string[] = Object.keys(runOptionsSchema.shape).map(
  (key) => '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()),
).concat(['--no-report', '--no-progress']);

/** Environment variables that fill InfluxDB options left off the command line. */
export const influxEnv = {
  influxUrl: 'WADDLE_FLEET_INFLUX_URL',
  influxApi: 'WADDLE_FLEET_INFLUX_API',
  influxToken: 'WADDLE_FLEET_INFLUX_TOKEN',
  influxOrg: 'WADDLE_FLEET_INFLUX_ORG',
  influxBucket: 'WADDLE_FLEET_INFLUX_BUCKET',
  influxDb: 'WADDLE_FLEET_INFLUX_DB',
  influxRp: 'WADDLE_FLEET_INFLUX_RP',
  influxUser: 'WADDLE_FLEET_INFLUX_USER',
  influxPassword: 'WADDLE_FLEET_INFLUX_PASSWORD',
} as const satisfies Partial<Record<keyof RunOptions, string>>;

/** Validate raw options (from commander + env); every problem at once, named by its flag. */
export function parseRunOptions(
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): { ok: true; options: RunOptions } | { ok: false; problems: string[] } {
  const merged: Record<string, unknown> = { ...raw };
  for (const [key, name] of Object.entries(influxEnv)) {
    if (merged[key] === undefined && env[name] !== undefined && env[name] !== '') merged[key] = env[name];
  }
  const result = runOptionsSchema.safeParse(merged);
  if (result.success) return { ok: true, options: result.data };
  const problems = result.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '');
    const flag = key ? '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()) : '(options)';
    const got = key in merged ? ` (got ${JSON.stringify(merged[key])})` : '';
    if (issue.code === 'unrecognized_keys') return `unknown option(s) ${issue.keys.join(', ')}: see --help`;
    return `${flag}: ${issue.message}${got}`;
  });
  return { ok: false, problems };
}
