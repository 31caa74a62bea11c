// Options of the InfluxDB sink (and of preflightInflux, which takes the same), their defaults, and
// the WADDLE_FLEET_INFLUX_* environment variables:
//   WADDLE_FLEET_INFLUX_URL, WADDLE_FLEET_INFLUX_API=v1|v2,
//   v2: WADDLE_FLEET_INFLUX_TOKEN, WADDLE_FLEET_INFLUX_ORG, WADDLE_FLEET_INFLUX_BUCKET
//   v1: WADDLE_FLEET_INFLUX_DB, WADDLE_FLEET_INFLUX_RP, WADDLE_FLEET_INFLUX_USER, WADDLE_FLEET_INFLUX_PASSWORD

export interface InfluxCommonOptions {
  readonly url: string;
  /** run and shard tags for events sent before the first interval (later taken from the intervals) */
  readonly runId?: string;
  readonly shard?: string;
  /** sink name in SinkStats; default "influxdb" */
  readonly name?: string;
  /** lines per write; default 5000 */
  readonly batchSize?: number;
  /** how often buffered lines are sent; default 1000 ms */
  readonly flushIntervalMs?: number;
  /** per-write timeout (and preflightInflux's whole budget); default 5000 ms */
  readonly writeTimeoutMs?: number;
  /** attempts per batch, the first included; default 4 */
  readonly maxAttempts?: number;
  /** first backoff; doubles each retry up to retryMaxMs; defaults 250 / 5000 ms */
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  /** bounded in-memory buffer; default 50,000 lines */
  readonly maxBufferLines?: number;
  /** when set, lines that could not be delivered are appended here (line protocol, ns timestamps, replayable with curl) */
  readonly spillPath?: string;
  /** told about delivery problems (already redacted), at most once per 10 s per kind */
  readonly onWarning?: (message: string) => void;
}
export interface InfluxV2Options extends InfluxCommonOptions {
  readonly api: 'v2';
  readonly token: string;
  readonly org: string;
  readonly bucket: string;
}
export interface InfluxV1Options extends InfluxCommonOptions {
  readonly api: 'v1';
  readonly db: string;
  readonly rp?: string;
  readonly user?: string;
  readonly password?: string;
}
export type InfluxOptions = InfluxV2Options | InfluxV1Options;

export const influxDefaults = { batchSize: 5000, flushIntervalMs: 1000, writeTimeoutMs: 5000, maxAttempts: 4, retryBaseMs: 250, retryMaxMs: 5000, maxBufferLines: 50_000 };
export type ResolvedInfluxOptions = typeof influxDefaults & InfluxOptions;

/** the options with defaults for what is missing (undefined values, e.g. from unset flags, count as missing) */
export function withInfluxDefaults(options: InfluxOptions): ResolvedInfluxOptions {
  return { ...influxDefaults, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as ResolvedInfluxOptions;
}

/** Influx options from WADDLE_FLEET_INFLUX_* variables; undefined options when no URL is set. */
export function influxOptionsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): { options?: InfluxOptions; problems: string[] } {
  const v = (k: string) => {
    const x = env[`WADDLE_FLEET_INFLUX_${k}`];
    return x === undefined || x === '' ? undefined : x;
  };
  const url = v('URL');
  if (url === undefined) return { problems: [] };
  const api = v('API') ?? (v('DB') !== undefined && v('TOKEN') === undefined ? 'v1' : 'v2');
  if (api !== 'v1' && api !== 'v2') return { problems: [`WADDLE_FLEET_INFLUX_API: expected v1 or v2, got ${JSON.stringify(api)}`] };
  if (api === 'v2') {
    const missing = ['TOKEN', 'ORG', 'BUCKET'].filter((k) => v(k) === undefined);
    if (missing.length) return { problems: [`InfluxDB v2 needs ${missing.map((k) => `WADDLE_FLEET_INFLUX_${k}`).join(', ')} (or set WADDLE_FLEET_INFLUX_API=v1 with WADDLE_FLEET_INFLUX_DB for InfluxDB 1.x)`] };
    return { options: { api, url, token: v('TOKEN') as string, org: v('ORG') as string, bucket: v('BUCKET') as string }, problems: [] };
  }
  if (v('DB') === undefined) return { problems: ['InfluxDB v1 needs WADDLE_FLEET_INFLUX_DB (the database name)'] };
  return { options: { api, url, db: v('DB') as string, rp: v('RP'), user: v('USER'), password: v('PASSWORD') }, problems: [] };
}
