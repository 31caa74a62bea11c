// Options of the InfluxDB sink (and of preflightInflux, which takes the same) and their defaults.
// The WADDLE_FLEET_INFLUX_* environment variables are read in one place: fleet/run-config.ts.

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

