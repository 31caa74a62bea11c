// How the InfluxDB sink and its preflight talk to the server: one endpoint per options, two APIs.
//   v2: InfluxDB 2.x/3.x (and 1.8+, VictoriaMetrics) through /api/v2/write with @influxdata/influxdb-client (token)
//   v1: InfluxDB 1.x through /write and /query with fetch (db, rp; user/password as Basic auth, never in the URL)
// Timestamps are nanoseconds (the default of every API): events use the sub-millisecond digits to
// stay distinct (see influx-lines.ts).
import { InfluxDB } from '@influxdata/influxdb-client';
import type { InfluxOptions } from './influx-options.ts';
import { redactSecrets, redactUrl } from '../../common/redact.ts';

export class WriteError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    /** HTTP status, when the server answered */
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface InfluxEndpoint {
  /** the server URL without credentials, for messages */
  readonly label: string;
  /** POST line protocol; resolves on 2xx, throws WriteError otherwise */
  write(body: string, signal: AbortSignal): Promise<void>;
  /** v1 only: an InfluxQL statement through POST /query (e.g. CREATE DATABASE); status and body text */
  query?(statement: string, signal: AbortSignal): Promise<{ status: number; text: string }>;
  /** everything secret this endpoint knows (tokens, passwords, Basic credentials) */
  readonly secrets: readonly string[];
  redact(text: string): string;
}

function fetchFailure(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return `${err.message}${err.cause ? ` (${String(err.cause)})` : ''}`;
}

function parseBase(url: string): { base: string; user: string; password: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`InfluxDB url ${JSON.stringify(redactUrl(url))} is not a valid URL; write it like http://127.0.0.1:8086`);
  }
  // credentials in the URL (http://user:password@host) become Basic auth: fetch refuses them in URLs,
  // and a URL is the first thing to end up in an error message
  const user = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  return { base: parsed.href.replace(/\/+$/, ''), user, password };
}

function v2Endpoint(o: Extract<InfluxOptions, { api: 'v2' }>, base: string, timeoutMs: number, secrets: string[]): InfluxEndpoint['write'] {
  secrets.push(o.token);
  const client = new InfluxDB({ url: base, token: o.token, timeout: timeoutMs });
  const path = `/api/v2/write?${new URLSearchParams({ org: o.org, bucket: o.bucket, precision: 'ns' })}`;
  return async (body, signal) => {
    try {
      await client.transport.request(path, body, { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, signal });
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      // one line: the client's messages end with the body's newline
      const msg = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').trim();
      throw new WriteError(status ? `HTTP ${status}: ${msg}` : msg, status === undefined || status === 429 || status >= 500, status);
    }
  };
}

async function v1Post(url: string, body: string | URLSearchParams, headers: Record<string, string>, signal: AbortSignal): Promise<Response> {
  try {
    return await fetch(url, { method: 'POST', body, headers, signal });
  } catch (err) {
    throw new WriteError(fetchFailure(err), true);
  }
}

export function influxEndpoint(options: InfluxOptions, timeoutMs: number): InfluxEndpoint {
  const { base, user: urlUser, password: urlPassword } = parseBase(options.url);
  const secrets: string[] = [urlPassword];
  const redact = (text: string) => redactSecrets(text, secrets);
  const label = redactUrl(base);
  if (options.api === 'v2') return { label, secrets, redact, write: v2Endpoint(options, base, timeoutMs, secrets) };

  const params = new URLSearchParams({ db: options.db });
  if (options.rp) params.set('rp', options.rp);
  const writeUrl = `${base}/write?${params}`;
  const auth: Record<string, string> = {};
  const user = options.user ?? (urlUser || undefined);
  const password = options.password ?? (urlPassword || undefined);
  if (password) secrets.push(password);
  if (user !== undefined || password !== undefined) {
    const basic = Buffer.from(`${user ?? ''}:${password ?? ''}`).toString('base64');
    auth.authorization = `Basic ${basic}`;
    secrets.push(basic);
  }
  return {
    label,
    secrets,
    redact,
    async write(body, signal) {
      const r = await v1Post(writeUrl, body, { ...auth, 'content-type': 'text/plain; charset=utf-8' }, signal);
      if (r.status >= 200 && r.status < 300) {
        await r.body?.cancel();
        return;
      }
      const text = (await r.text().catch(() => '')).slice(0, 500).replace(/\s+/g, ' ').trim();
      throw new WriteError(`HTTP ${r.status}: ${text}`, r.status === 429 || r.status >= 500, r.status);
    },
    async query(statement, signal) {
      const r = await v1Post(`${base}/query`, new URLSearchParams({ q: statement }), auth, signal);
      return { status: r.status, text: (await r.text().catch(() => '')).slice(0, 500).trim() };
    },
  };
}
