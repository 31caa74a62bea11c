// preflightInflux: is the InfluxDB the run will write to usable? Asked before any load, so a wrong
// database, bucket, token or URL is a configuration error (exit 2), not a run that silently drops
// every point. Returns problem sentences (empty = fine), each redacted, within writeTimeoutMs.
//   v1: CREATE DATABASE (idempotent; what k6 does), then an empty write to db/rp: it answers 204 only
//       when the database (and retention policy) exist and the credentials may write. A user without
//       admin rights cannot create, but may still write to an existing database: that is fine.
//   v2: an empty write to org/bucket: InfluxDB 2 checks org, bucket and the token's write permission
//       before it looks at the body (then answers 204, or 400 "writing requires points" before 2.1);
//       VictoriaMetrics answers 204.
// Nothing is written either way.
import { withInfluxDefaults, type InfluxOptions, type InfluxV1Options, type InfluxV2Options } from './influx-options.ts';
import { influxEndpoint, WriteError, type InfluxEndpoint } from './influx-transport.ts';

/** an empty write answered 400 for its emptiness, i.e. after every check we care about passed */
const emptyBodyRefusal = /requires points|no points|no data|empty (request|body|payload)|no lines/i;

function unreachable(endpoint: InfluxEndpoint, err: WriteError, timeoutMs: number, signal: AbortSignal): string {
  if (signal.aborted) return `InfluxDB at ${endpoint.label} did not answer within ${timeoutMs} ms: check --influx-url and that InfluxDB is up (or raise its timeout)`;
  return `InfluxDB at ${endpoint.label} could not be reached (${err.message}): check --influx-url and that InfluxDB is running`;
}

async function preflightV1(o: InfluxV1Options, endpoint: InfluxEndpoint, timeoutMs: number, signal: AbortSignal): Promise<string[]> {
  const db = JSON.stringify(o.db);
  let created: string;
  try {
    const r = await endpoint.query!(`CREATE DATABASE ${db}`, signal);
    created = r.status === 200 && !/"error"/.test(r.text) ? 'ok' : `CREATE DATABASE answered HTTP ${r.status}: ${r.text}`;
  } catch (err) {
    const e = err instanceof WriteError ? err : new WriteError(String(err), true);
    return [unreachable(endpoint, e, timeoutMs, signal)];
  }
  try {
    await endpoint.write('', signal);
    return [];
  } catch (err) {
    const e = err instanceof WriteError ? err : new WriteError(String(err), true);
    if (e.status === undefined) return [unreachable(endpoint, e, timeoutMs, signal)];
    const at = `InfluxDB at ${endpoint.label}`;
    if (e.status === 401 || e.status === 403) return [`${at} refused the credentials for database ${db} (${e.message}): check --influx-user and --influx-password (or WADDLE_FLEET_INFLUX_USER/_PASSWORD)`];
    if (/retention policy not found/i.test(e.message)) return [`${at}: retention policy ${JSON.stringify(o.rp)} does not exist on database ${db} (${e.message}): create it or leave out --influx-rp`];
    if (e.status === 404) return [`${at}: database ${db} does not exist and could not be created (${created === 'ok' ? 'CREATE DATABASE seemed to succeed' : created}): create it (CREATE DATABASE ${db}) or give a user with admin rights`];
    return [`${at} refused a test write to database ${db} (${e.message})`];
  }
}

async function preflightV2(o: InfluxV2Options, endpoint: InfluxEndpoint, timeoutMs: number, signal: AbortSignal): Promise<string[]> {
  try {
    await endpoint.write('', signal);
    return [];
  } catch (err) {
    const e = err instanceof WriteError ? err : new WriteError(String(err), true);
    if (e.status === undefined) return [unreachable(endpoint, e, timeoutMs, signal)];
    const at = `InfluxDB at ${endpoint.label}`;
    const where = `bucket ${JSON.stringify(o.bucket)} of org ${JSON.stringify(o.org)}`;
    if (e.status === 400 && emptyBodyRefusal.test(e.message)) return [];
    if (e.status === 401) return [`${at} refused the token (${e.message}): check --influx-token (or WADDLE_FLEET_INFLUX_TOKEN)`];
    if (e.status === 403) return [`${at}: the token may not write to ${where} (${e.message}): give it write permission on that bucket`];
    if (e.status === 404 && /page not found/i.test(e.message)) return [`${at} has no /api/v2/write (${e.message}): for InfluxDB 1.x use --influx-api v1 --influx-db NAME`];
    if (e.status === 404) return [`${at}: ${where} not found (${e.message}): create it (influx bucket create --name ${o.bucket} --org ${o.org}) or fix --influx-bucket/--influx-org`];
    return [`${at} refused a test write to ${where} (${e.message})`];
  }
}

/**
 * Checks, before any load, that the sink with these options can write; creates a missing v1
 * database. Problem sentences (redacted), empty when fine; never throws; bounded by
 * options.writeTimeoutMs (default 5 s).
 */
export async function preflightInflux(options: InfluxOptions): Promise<string[]> {
  const { writeTimeoutMs: timeoutMs } = withInfluxDefaults(options);
  let endpoint: InfluxEndpoint;
  try {
    endpoint = influxEndpoint(options, timeoutMs);
  } catch (err) {
    return [err instanceof Error ? err.message : String(err)];
  }
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  // the signal bounds each request; the race bounds the whole check even if a request ignored it
  const timedOut = new Promise<string[]>((resolve) => {
    timer = setTimeout(() => {
      ac.abort(new Error(`no answer within ${timeoutMs} ms`));
      resolve([`InfluxDB at ${endpoint.label} did not answer within ${timeoutMs} ms: check --influx-url and that InfluxDB is up (or raise its timeout)`]);
    }, timeoutMs);
  });
  try {
    const check = options.api === 'v1' ? preflightV1(options, endpoint, timeoutMs, ac.signal) : preflightV2(options, endpoint, timeoutMs, ac.signal);
    const problems = await Promise.race([check.catch((err: unknown) => [`InfluxDB check failed: ${String(err)}`]), timedOut]);
    return problems.map((p) => endpoint.redact(p));
  } finally {
    clearTimeout(timer);
  }
}
