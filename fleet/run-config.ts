// The run command's configuration, parsed once (DESIGN.md style 6): one zod schema gives the types,
// the validation (every problem at once, named by flag, with what was given and how to fix it),
// the defaults, the environment variables and the `--help` text (cli/flags.ts reads the table).
// Its transforms turn command-line strings into the values a run needs — the shard as a value,
// durations and times in ms, InfluxDB settings as a v1 | v2 union — so nothing downstream
// re-parses a string. The only place that reads the environment for run options.
import type { z as Z } from 'zod';
import { z } from '../common/zod.ts';
import { tryParseDurationMs } from '../plans/duration.ts';
import { kebabCase } from '../common/text.ts';
import { parseShard, type Shard } from '../plans/shard.ts';
import { farStartProblem, parseStartAt } from './start-at.ts';
import { defaultChromiumPath, fullChromiumPath, headlessShellPath } from '../fake-media/chromium-binary.ts';

export type InfluxConnection =
  | { readonly api: 'v2'; readonly url: string; readonly token: string; readonly org: string; readonly bucket: string }
  | { readonly api: 'v1'; readonly url: string; readonly db: string; readonly rp?: string; readonly user?: string; readonly password?: string };

export interface RunConfig {
  readonly scale: number;
  readonly scaleDurations: boolean;
  /** multiply phase durations by this on its own (--duration-scale) */
  readonly durationScale?: number;
  /** write every raw sample to samples.ndjson: 'auto' up to rawSamplesAutoLimit protocol users */
  readonly rawSamples: 'auto' | 'on' | 'off';
  readonly shard: Shard;
  /** undefined: a random seed, printed so the run can be repeated */
  readonly seed?: number;
  /** epoch ms when every shard starts its load together */
  readonly startAtMs?: number;
  readonly resultsDir: string;
  /** undefined: start the reference Waddle on loopback */
  readonly target?: string;
  readonly targetWaitMs: number;
  /** how the fleet's own reference Waddle carries calls: 'mesh' (peer to peer) or 'sfu' (through its Janus) */
  readonly targetMedia: 'mesh' | 'sfu';
  /** the target's Prometheus endpoint, when not <target>/metrics */
  readonly targetMetrics?: string;
  readonly allowRemoteTarget: boolean;
  /** hosts besides the target that pages may reach (host or host:port) */
  readonly allowHosts: readonly string[];
  readonly influx?: InfluxConnection;
  readonly dryRun: boolean;
  readonly maxBrowsers: number;
  readonly contextsPerBrowser: number;
  readonly intervalMs: number;
  readonly probeIntervalMs: number;
  readonly saturationCpu: number;
  readonly baseline?: string;
  readonly baselineMarginPct: number;
  /** compare with a baseline of another plan or scale */
  readonly baselineAny: boolean;
  readonly report: boolean;
  readonly progress: boolean;
  /** the Chromium binary */
  readonly chromiumPath: string;
  /** worker threads for protocol users: 'auto' (none up to a few thousand, then up to one per core) or a count */
  readonly protocolWorkers: number | 'auto';
  /** the calibration file to read (undefined: the default place) */
  readonly calibrationPath?: string;
  /** one context per browser user even when the driver allows sharing */
  readonly contextPerUser: boolean;
  /** keep Chromium's audio processing on the fake mic */
  readonly fakeMicProcessing: boolean;
  /** glass-to-glass marks and quality samples on browser users; full: also the camera stamp */
  readonly mediaMarks: 'auto' | 'off' | 'on' | 'full';
  /** switches added after the fleet's own */
  readonly chromiumArgs: readonly string[];
  /** frames a second for browser pages no driver acts on (fleet/pool/frame-pacer.ts); 0: the browser's own; 'auto': fleet/frame-rate-mode.ts */
  readonly frameRate: number | 'auto';
  /** record a Playwright trace per browser user, kept for the failures captured as evidence */
  readonly traceFailures: 'off' | 'snapshots' | 'full';
  /** serve the live view on 127.0.0.1 at this port (0: a free one); undefined: off */
  readonly livePort?: number;
  /** --network: one preset for every user, over the plan's */
  readonly network?: string;
  /** how networks are applied: 'relay' (user space, network/README.md) or 'kernel' (refused: not built) */
  readonly networkMechanism: 'relay' | 'kernel';
}

const duration = (example: string) =>
  z.string().refine((text) => tryParseDurationMs(text) !== undefined, `expected a duration like '${example}' or '1m30s'`).transform((text) => tryParseDurationMs(text)!);
const count = (min: number, max: number) => z.coerce.number({ error: `expected a whole number from ${min} to ${max}` }).int(`expected a whole number from ${min} to ${max}`).min(min, `expected a whole number from ${min} to ${max}`).max(max, `expected a whole number from ${min} to ${max}`);
const number = (min: number, max: number, what: string) => z.coerce.number({ error: `expected ${what}` }).refine((n) => Number.isFinite(n) && n >= min && n <= max, `expected ${what}`);

/** Every run option: its schema (raw string in, value out) and its help. Order = order in --help. */
/** Browser processes a worker starts at most, unless --max-browsers says otherwise. */
export const defaultMaxBrowsers = 4;

export const runOptionTable = {
  scale: { schema: number(0.0001, 1000, 'a number > 0 like 0.01, at most 1000').default(1), help: 'multiply every user count (0.001 runs the 10K stress shape as 10 users)', valueName: 'factor' },
  scaleDurations: { schema: z.boolean().default(false), help: 'also multiply phase durations by --scale' },
  durationScale: { schema: number(0.0001, 1000, 'a number > 0 like 0.1, at most 1000').optional(), help: 'multiply phase durations (ramps and holds) by this, whatever --scale does to the users', valueName: 'factor' },
  shard: { schema: z.string().regex(/^\s*\d+\s*\/\s*\d+\s*$/, "expected 'i/n' like '2/4' (the 2nd of 4 shards)").transform((text, ctx) => {
    const parsed = parseShard(text);
    if ('problem' in parsed) {
      ctx.addIssue({ code: 'custom', message: parsed.problem.replace(/^--shard: /, '') });
      return z.NEVER;
    }
    return parsed;
  }).optional(), help: "run the i-th of n equal slices of the users, e.g. '2/4'", valueName: 'i/n' },
  seed: { schema: z.coerce.number({ error: 'expected a whole number ≥ 0' }).int('expected a whole number ≥ 0').nonnegative('expected a whole number ≥ 0').optional(), help: 'seed for behaviour profiles and choices (default: random, printed)', valueName: 'n' },
  startAt: { schema: z.string().transform((text, ctx) => {
    const ms = parseStartAt(text);
    if (typeof ms === 'string') {
      ctx.addIssue({ code: 'custom', message: ms.replace(/^--start-at: /, '') });
      return z.NEVER;
    }
    return ms;
  }).optional(), help: 'start the load at this ISO time or epoch ms (all shards start together); more than a day ahead needs --start-at-far', valueName: 'time' },
  startAtFar: { schema: z.boolean().default(false), help: 'allow a --start-at more than a day ahead (refused otherwise, so a forgotten placeholder never waits for months)' },
  results: { schema: z.string().min(1).default('results'), help: 'folder that receives run folders', valueName: 'dir' },
  target: { schema: z.url({ error: "expected a URL like 'http://127.0.0.1:8080'" }).optional(), help: 'base URL of the Waddle web client (default: start the reference Waddle on loopback)', valueName: 'url' },
  targetMetrics: { schema: z.url({ error: "expected a URL like 'http://127.0.0.1:9100/metrics'" }).optional(), help: "the target's Prometheus metrics (default: <target>/metrics, asked once and dropped when absent)", valueName: 'url' },
  targetWait: { schema: duration('30s').prefault('30s'), help: 'how long a named --target may take to answer before the run is refused (exit 2)', valueName: 'duration' },
  targetMedia: { schema: z.enum(['mesh', 'sfu'], { error: "expected 'mesh' or 'sfu'" }).default('mesh'), help: "how the fleet's own reference Waddle carries calls: 'mesh' (browser to browser) or 'sfu' (through a Janus VideoRoom it starts; needs the janus package); for a target you start: npm run waddle -- --media sfu", valueName: 'mesh|sfu' },
  allowRemoteTarget: { schema: z.boolean().default(false), help: 'allow a target that is not a loopback address (you must own it)' },
  allowHost: { schema: z.array(z.string().min(1)).default([]), help: 'a host (or host:port) pages may reach besides the target; repeat for more', valueName: 'host', repeatable: true },
  influxUrl: { schema: z.url({ error: "expected a URL like 'http://127.0.0.1:8086'" }).optional(), help: 'InfluxDB URL; off when absent', env: 'WADDLE_FLEET_INFLUX_URL', valueName: 'url' },
  influxApi: { schema: z.enum(['v1', 'v2'], { error: "expected 'v1' or 'v2'" }).optional(), help: "'v2' (token/org/bucket) or 'v1' (db/rp/user/password); default v2 unless only --influx-db is given", env: 'WADDLE_FLEET_INFLUX_API', valueName: 'v1|v2' },
  influxToken: { schema: z.string().optional(), help: 'InfluxDB v2 token (never logged; prefer the environment variable)', env: 'WADDLE_FLEET_INFLUX_TOKEN', valueName: 'token' },
  influxOrg: { schema: z.string().optional(), help: 'InfluxDB v2 organisation', env: 'WADDLE_FLEET_INFLUX_ORG', valueName: 'org' },
  influxBucket: { schema: z.string().optional(), help: 'InfluxDB v2 bucket', env: 'WADDLE_FLEET_INFLUX_BUCKET', valueName: 'bucket' },
  influxDb: { schema: z.string().optional(), help: 'InfluxDB v1 database (created when missing)', env: 'WADDLE_FLEET_INFLUX_DB', valueName: 'name' },
  influxRp: { schema: z.string().optional(), help: 'InfluxDB v1 retention policy', env: 'WADDLE_FLEET_INFLUX_RP', valueName: 'name' },
  influxUser: { schema: z.string().optional(), help: 'InfluxDB v1 user', env: 'WADDLE_FLEET_INFLUX_USER', valueName: 'user' },
  influxPassword: { schema: z.string().optional(), help: 'InfluxDB v1 password (never logged; prefer the environment variable)', env: 'WADDLE_FLEET_INFLUX_PASSWORD', valueName: 'password' },
  dryRun: { schema: z.boolean().default(false), help: 'print the plan (timeline, users, rooms, gate, estimate) and exit; exit 2 when the real run would be refused' },
  maxBrowsers: { schema: count(1, 256).default(defaultMaxBrowsers), help: 'browser processes at most', valueName: 'n' },
  contextsPerBrowser: { schema: count(1, 200).default(8), help: 'browser users (contexts) per browser process at most', valueName: 'n' },
  interval: { schema: duration('5s').prefault('5s'), help: 'metrics interval (InfluxDB points, report resolution)', valueName: 'duration' },
  probeInterval: { schema: duration('2s').refine((ms) => ms >= 250, 'expected at least 250ms').prefault('2s'), help: 'WebRTC getStats sampling interval', valueName: 'duration' },
  saturationCpu: { schema: number(1, 100, 'a percentage from 1 to 100').default(85), help: "generator CPU (% of the machine) that, sustained, marks the run saturated", valueName: 'percent' },
  rawSamples: { schema: z.enum(['auto', 'on', 'off'], { error: "expected 'auto', 'on' or 'off'" }).default('auto'), help: "write every raw sample to samples.ndjson: 'auto' does up to 1,000 protocol users at peak (1,000 chatters for 90 s wrote 4.9 million lines) and says when it does not; intervals keep every figure either way", valueName: 'auto|on|off' },
  baseline: { schema: z.string().optional(), help: 'run folder to compare against; regressions fail the verdict', valueName: 'dir' },
  baselineAny: { schema: z.boolean().default(false), help: 'compare with a --baseline of another plan, scale or shard (refused otherwise: its numbers are another load\'s)' },
  baselineMargin: { schema: number(0, 1000, 'a percentage from 0 to 1000').default(10), help: '% worse than the baseline that counts as a regression', valueName: 'percent' },
  report: { schema: z.boolean().default(true), help: 'skip writing report.html (summary.json and junit.xml are still written)', negatable: true },
  progress: { schema: z.boolean().default(true), help: 'no live progress line (a TTY gets one rewritten line, a pipe a line every 10 s)', negatable: true },
  protocolWorkers: { schema: z.string().regex(/^(auto|\d{1,2})$/, "expected 'auto' or a number of threads from 0 to 99").transform((v) => (v === 'auto' ? ('auto' as const) : Number(v))).prefault('auto'), help: "worker threads for protocol users: 'auto' runs up to 2,000 on the main thread (a protocolMedia user counts as ~55), more over a thread per 3,000, at most two per core", valueName: 'auto|n' },
  chromium: { schema: z.string().min(1).default(defaultChromiumPath), help: `the Chromium binary (${headlessShellPath} when installed: a third less memory per user, README "The headless shell"; else ${fullChromiumPath})`, env: 'WADDLE_FLEET_CHROMIUM', valueName: 'path' },
  calibration: { schema: z.string().min(1).optional(), help: 'the calibration file (npx waddle-fleet calibrate) that prices users for the workers estimate (default: ~/.cache/waddle-fleet/calibration.json)', env: 'WADDLE_FLEET_CALIBRATION', valueName: 'file' },
  mediaMarks: { schema: z.enum(['auto', 'off', 'on', 'full'], { error: "expected 'auto', 'off', 'on' or 'full'" }).default('auto'), help: "glass-to-glass and quality on browser users (in-page/media-marks.ts): 'on' puts a tone burst in each mic (media.audio_e2e_ms) and scores received video (media.video_psnr_db, media.video_ssim); 'full' also stamps every camera frame (media.video_e2e_ms); 'off': mic and camera untouched; 'auto': the least a plan's thresholds on media.* metrics need, else off (~+0.05 core and +100-290 MB per video user, measured: README)", valueName: 'auto|off|on|full' },
  contextPerUser: { schema: z.boolean().default(false), help: "one browser context per browser user even when the driver lets its users share one (isolation: 'page'); about twice the memory per user" },
  fakeMicProcessing: { schema: z.boolean().default(false), help: "keep Chromium's echo cancellation, noise suppression and gain control on the fake mic, as a real user's mic has (costs the generator per voice user; off by default)" },
  chromiumArg: { schema: z.array(z.string().regex(/^--[a-z0-9]/, "expected a Chromium switch like '--disable-features=X'")).default([]), help: 'an extra Chromium switch after the fleet\'s own (fake-media/chromium-flags.ts), to measure one; repeat for more', valueName: 'switch', repeatable: true },
  frameRate: { schema: z.string().regex(/^(auto|off|\d{1,2})$/, "expected 'auto', 'off' or frames a second from 1 to 60").transform((v) => (v === 'auto' ? ('auto' as const) : v === 'off' ? 0 : Number(v))).refine((n) => n === 'auto' || n <= 60, "expected 'auto', 'off' or frames a second from 1 to 60").prefault('auto'), help: "frames a second for browser pages while nothing waits for a frame (a click, a paint-timed load, remote media: then a plain page's rate), instead of the browser's ~60; a chat user costs about half the CPU at 4 (README, \"Fewer frames\"); a number: the headless shell only, refused with media marks and for plans with video; 'auto': 4 when every browser user is a built-in chat, reaction, presence or upload journey on the built-in client, the headless shell and no media marks, else off; message timings stay DOM commit, paint follows this clock", env: 'WADDLE_FLEET_FRAME_RATE', valueName: 'auto|off|fps' },
  network: { schema: z.string().min(1).optional(), help: "give every user this network preset ('wifi', '4g', '3g', 'lossy-wifi', 'congested', 'none') or a network of the plan, over the scenarios' own", valueName: 'name' },
  networkMechanism: { schema: z.enum(['relay', 'kernel'], { error: "expected 'relay' or 'kernel'" }).default('relay'), help: "how user networks are applied: 'relay' (an impairing TURN relay and proxy in user space: no root, works in a plain pod); 'kernel' (netns + tc) is refused: not built", valueName: 'relay|kernel' },
  traceFailures: { schema: z.enum(['off', 'snapshots', 'full'], { error: "expected 'off', 'snapshots' or 'full'" }).default('off'), help: "keep a Playwright trace of each failure captured as evidence: 'snapshots' (DOM per action, ~+40% CPU per active browser user) or 'full' (also a screencast, about doubles it); screenshots, DOM and console logs are kept either way", env: 'WADDLE_FLEET_TRACE_FAILURES', valueName: 'off|snapshots|full' },
  live: { schema: z.boolean().default(false), help: 'serve a live view on 127.0.0.1 while the run goes: the report\'s charts updated every interval and the verdict as it stands (off by default)' },
  livePort: { schema: count(0, 65535).default(5665), help: 'the port of --live on 127.0.0.1 (0: a free one, printed)', valueName: 'port' },
} as const satisfies Record<string, RunOptionSpec>;

export interface RunOptionSpec {
  readonly schema: Z.ZodType;
  readonly help: string;
  /** environment variable read when the flag is not given */
  readonly env?: string;
  /** shown in --help: `--flag <valueName>`; absent for switches */
  readonly valueName?: string;
  /** `--no-<flag>` turns a default-true switch off */
  readonly negatable?: boolean;
  /** may be given several times; values collect into a list */
  readonly repeatable?: boolean;
}

export type RunOptionKey = keyof typeof runOptionTable;

const rawSchema = z.strictObject(Object.fromEntries(Object.entries(runOptionTable).map(([key, spec]) => [key, spec.schema])) as {
  [K in RunOptionKey]: (typeof runOptionTable)[K]['schema'];
});
type RawOptions = Z.output<typeof rawSchema>;

/** Command-line flag of an option key: `contextsPerBrowser` → `--contexts-per-browser`. */
export const flagOf = (key: string): string => `--${kebabCase(key)}`;

/** Parse raw option values (commander's, then the environment) into a RunConfig; every problem at once. */
export function parseRunConfig(
  raw: Readonly<Record<string, unknown>>,
  env: Readonly<Record<string, string | undefined>> = process.env,
): { ok: true; config: RunConfig } | { ok: false; problems: string[] } {
  const merged: Record<string, unknown> = { ...raw };
  for (const [key, spec] of Object.entries(runOptionTable) as [string, RunOptionSpec][]) {
    const fromEnv = spec.env ? env[spec.env] : undefined;
    if (merged[key] === undefined && fromEnv !== undefined && fromEnv !== '') merged[key] = fromEnv;
  }
  const result = rawSchema.safeParse(merged);
  // InfluxDB settings that belong together are checked on the raw values, so their problems come
  // out together with every other one
  const influx = influxConnection(merged as Partial<Record<RunOptionKey, string>>);
  const far = result.success && result.data.startAt !== undefined ? farStartProblem(result.data.startAt, result.data.startAtFar) : undefined;
  const problems = [...(result.success ? [] : result.error.issues.map((issue) => describeIssue(issue, merged))), ...('problems' in influx ? influx.problems : []), ...(far ? [far] : [])];
  if (!result.success || 'problems' in influx || far) return { ok: false, problems };
  return { ok: true, config: toConfig(result.data, influx.connection) };
}

function describeIssue(issue: Z.core.$ZodIssue, given: Readonly<Record<string, unknown>>): string {
  if (issue.code === 'unrecognized_keys') return `unknown option(s) ${issue.keys.map(flagOf).join(', ')}: see waddle-fleet run --help`;
  const key = String(issue.path[0] ?? '');
  const secret = /token|password/i.test(key);
  const got = key in given && !secret && !/\bgot\b/.test(issue.message) ? ` (got ${JSON.stringify(given[key])})` : '';
  return `${key ? flagOf(key) : '(options)'}: ${issue.message}${got}`;
}

function influxConnection(o: Partial<Record<RunOptionKey, string>>): { connection?: InfluxConnection } | { problems: string[] } {
  if (!o.influxUrl) return {};
  const api = o.influxApi ?? (o.influxDb && !o.influxToken ? 'v1' : 'v2');
  if (api !== 'v1' && api !== 'v2') return {}; // the schema reports a bad --influx-api
  if (api === 'v2') {
    const missing = (['influxToken', 'influxOrg', 'influxBucket'] as const).filter((k) => !o[k]);
    if (missing.length > 0) {
      const names = missing.map((k) => `${flagOf(k)} (or ${runOptionTable[k].env})`).join(', ');
      return { problems: [`--influx-url with the v2 API needs ${names}; for InfluxDB 1.x give --influx-api v1 --influx-db NAME`] };
    }
    return { connection: { api, url: o.influxUrl, token: o.influxToken!, org: o.influxOrg!, bucket: o.influxBucket! } };
  }
  if (!o.influxDb) return { problems: [`--influx-api v1 needs --influx-db (or ${runOptionTable.influxDb.env})`] };
  return { connection: { api, url: o.influxUrl, db: o.influxDb, ...defined({ rp: o.influxRp, user: o.influxUser, password: o.influxPassword }) } };
}

function toConfig(o: RawOptions, influx: InfluxConnection | undefined): RunConfig {
  return {
    scale: o.scale,
    scaleDurations: o.scaleDurations,
    shard: o.shard ?? { index: 1, count: 1 },
    networkMechanism: o.networkMechanism,
    rawSamples: o.rawSamples,
    ...defined({ network: o.network, targetMetrics: o.targetMetrics, durationScale: o.durationScale, seed: o.seed, startAtMs: o.startAt, target: o.target, baseline: o.baseline, influx, calibrationPath: o.calibration }),
    resultsDir: o.results,
    targetWaitMs: o.targetWait,
    targetMedia: o.targetMedia,
    allowRemoteTarget: o.allowRemoteTarget,
    allowHosts: o.allowHost,
    dryRun: o.dryRun,
    maxBrowsers: o.maxBrowsers,
    contextsPerBrowser: o.contextsPerBrowser,
    intervalMs: o.interval,
    probeIntervalMs: o.probeInterval,
    saturationCpu: o.saturationCpu,
    baselineMarginPct: o.baselineMargin,
    baselineAny: o.baselineAny,
    report: o.report,
    progress: o.progress,
    chromiumPath: o.chromium,
    protocolWorkers: o.protocolWorkers,
    chromiumArgs: o.chromiumArg,
    frameRate: o.frameRate,
    fakeMicProcessing: o.fakeMicProcessing,
    mediaMarks: o.mediaMarks,
    contextPerUser: o.contextPerUser,
    traceFailures: o.traceFailures,
    ...(o.live ? { livePort: o.livePort } : {}),
  };
}

/** The given entries whose value is not undefined (exactOptionalPropertyTypes-friendly spreading). */
function defined<T extends Record<string, unknown>>(entries: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

/** A config with every default, for tests and programmatic runs. */
export function defaultRunConfig(overrides: Partial<RunConfig> = {}): RunConfig {
  const parsed = parseRunConfig({}, {});
  if (!parsed.ok) throw new Error(`defaultRunConfig: ${parsed.problems.join('; ')}`);
  return { ...parsed.config, ...overrides };
}
