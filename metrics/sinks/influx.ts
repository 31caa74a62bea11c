// InfluxDB sink: one class, two transports.
//   v2: InfluxDB 2.x/3.x (and 1.8+, VictoriaMetrics) through /api/v2/write with @influxdata/influxdb-client (url, token, org, bucket)
//   v1: InfluxDB 1.x through /write with fetch (url, db, rp, user, password; Basic auth, never in the URL)
// What it writes: each interval's aggregates, measurement = metric name, tags = run, shard, phase + the
// series' tags, timestamp = interval end (ms); fields by kind:
//   trend count,sum,min,max,mean,p50,p90,p95,p99 · counter value,count · rate rate,nonZero,count · gauge last,min,max
// and events as measurement `events` (tags type, reason, run, shard; string field message).
// Raw samples are not written (volume; the run folder has them).
//
// It never blocks or throws into the run: write* only enqueue into a bounded buffer (default
// 50,000 lines; overflow drops the oldest, counted). A pump sends batches one at a time, each
// write with a timeout (AbortController), retried with exponential backoff for a bounded number
// of attempts; what still fails is spilled to a file (when spillPath is set) or dropped, counted:
// generated = delivered + spilled + dropped (+ pending while running). Tokens and passwords are
// redacted from every message it keeps.
//
// Environment (read by influxOptionsFromEnv; the CLI maps the same names to flags):
//   WADDLE_FLEET_INFLUX_URL, WADDLE_FLEET_INFLUX_API=v1|v2,
//   v2: WADDLE_FLEET_INFLUX_TOKEN, WADDLE_FLEET_INFLUX_ORG, WADDLE_FLEET_INFLUX_BUCKET
//   v1: WADDLE_FLEET_INFLUX_DB, WADDLE_FLEET_INFLUX_RP, WADDLE_FLEET_INFLUX_USER, WADDLE_FLEET_INFLUX_PASSWORD
import { appendFile } from 'node:fs/promises';
import { InfluxDB } from '@influxdata/influxdb-client';
import type { IntervalSnapshot, RunEvent, SeriesAggregate, Sink, SinkStats } from '../types.ts';
import { toLine, type FieldValue } from './line-protocol.ts';

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
  /** per-write timeout; default 5000 ms */
  readonly writeTimeoutMs?: number;
  /** attempts per batch, the first included; default 4 */
  readonly maxAttempts?: number;
  /** first backoff; doubles each retry up to retryMaxMs; defaults 250 / 5000 ms */
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  /** bounded in-memory buffer; default 50,000 lines */
  readonly maxBufferLines?: number;
  /** when set, lines that could not be delivered are appended here (line protocol, replayable with curl) */
  readonly spillPath?: string;
  /** told about delivery problems (already redacted), e.g. to log once */
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

const DEFAULTS = { batchSize: 5000, flushIntervalMs: 1000, writeTimeoutMs: 5000, maxAttempts: 4, retryBaseMs: 250, retryMaxMs: 5000, maxBufferLines: 50_000 };

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

export function createInfluxSink(options: InfluxOptions): InfluxSink {
  return new InfluxSink(options);
}

class WriteError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

function fieldsOf(s: SeriesAggregate): Record<string, FieldValue | undefined> {
  switch (s.kind) {
    case 'trend':
      return { count: s.count, sum: s.sum, min: s.min, max: s.max, mean: s.count ? s.sum / s.count : 0, p50: s.p50, p90: s.p90, p95: s.p95, p99: s.p99 };
    case 'counter':
      return { value: s.sum, count: s.count };
    case 'rate':
      return { rate: s.count ? (s.nonZero ?? 0) / s.count : 0, nonZero: s.nonZero ?? 0, count: s.count };
    case 'gauge':
      return { last: s.last, min: s.min, max: s.max };
  }
}

/** interval aggregates as line protocol (exported for tests and tools) */
export function intervalToLines(snapshot: IntervalSnapshot): string[] {
  const out: string[] = [];
  for (const s of snapshot.series) {
    // run/shard/phase last so they win over any same-named series tag
    const line = toLine(s.metric, { ...s.tags, run: snapshot.runId, shard: snapshot.shard, phase: snapshot.phase }, fieldsOf(s), snapshot.endMs);
    if (line !== undefined) out.push(line);
  }
  return out;
}

export function eventToLine(e: RunEvent, runId: string, shard: string): string | undefined {
  return toLine('events', { type: e.type, reason: e.reason, run: runId, shard }, { message: e.message ?? e.type }, e.timeMs);
}

export class InfluxSink implements Sink {
  readonly name: string;
  private readonly o: typeof DEFAULTS & InfluxCommonOptions;
  private readonly secrets: string[];
  private readonly send: (body: string, signal: AbortSignal) => Promise<void>;
  private buffer: string[] = [];
  private inFlight = 0;
  private generated = 0;
  private delivered = 0;
  private retried = 0;
  private spilled = 0;
  private dropped = 0;
  /** lines dropped because the buffer was full (part of dropped) */
  overflowDropped = 0;
  /** write attempts made, failed ones included */
  attempts = 0;
  /** redacted error messages, most recent last (capped) */
  readonly errors: string[] = [];
  private pumping: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closing = false;
  private closed = false;
  private lastWarnedMs = -Infinity;
  private suppressedWarnings = 0;
  private closeDeadlineMs = Infinity;
  private readonly inflightAborts = new Set<AbortController>();
  private readonly sleepers = new Set<() => void>();
  private runId = '';
  private shard = '';

  constructor(options: InfluxOptions) {
    this.name = options.name ?? 'influxdb';
    this.runId = options.runId ?? '';
    this.shard = options.shard ?? '';
    // undefined options (e.g. from unset flags) keep their defaults
    this.o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as typeof DEFAULTS & InfluxOptions;
    let parsedUrl: URL;
    try {
      parsedUrl = new URL(options.url);
    } catch {
      throw new Error(`InfluxDB url ${JSON.stringify(redactUrl(options.url))} is not a valid URL; write it like http://127.0.0.1:8086`);
    }
    // credentials in the URL (http://user:password@host) become Basic auth: fetch refuses them in URLs,
    // and a URL is the first thing to end up in an error message
    const urlUser = decodeURIComponent(parsedUrl.username);
    const urlPassword = decodeURIComponent(parsedUrl.password);
    parsedUrl.username = '';
    parsedUrl.password = '';
    const base = parsedUrl.href.replace(/\/+$/, '');
    this.secrets = [options.api === 'v2' ? options.token : options.password, urlPassword, parsedUrl.password].filter((s): s is string => typeof s === 'string' && s.length > 0);
    if (options.api === 'v2') {
      const client = new InfluxDB({ url: base, token: options.token, timeout: this.o.writeTimeoutMs });
      const path = `/api/v2/write?${new URLSearchParams({ org: options.org, bucket: options.bucket, precision: 'ms' })}`;
      this.send = async (body, signal) => {
        try {
          await client.transport.request(path, body, { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, signal });
        } catch (err) {
          const status = (err as { statusCode?: number }).statusCode;
          const msg = err instanceof Error ? err.message : String(err);
          throw new WriteError(status ? `HTTP ${status}: ${msg}` : msg, status === undefined || status === 429 || status >= 500);
        }
      };
    } else {
      const params = new URLSearchParams({ db: options.db, precision: 'ms' });
      if (options.rp) params.set('rp', options.rp);
      const writeUrl = `${base}/write?${params}`;
      const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
      const user = options.user ?? (urlUser || undefined);
      const password = options.password ?? (urlPassword || undefined);
      if (user !== undefined || password !== undefined) {
        headers.authorization = `Basic ${Buffer.from(`${user ?? ''}:${password ?? ''}`).toString('base64')}`;
        this.secrets.push(headers.authorization.slice('Basic '.length));
      }
      this.send = async (body, signal) => {
        let r: Response;
        try {
          r = await fetch(writeUrl, { method: 'POST', body, headers, signal });
        } catch (err) {
          throw new WriteError(err instanceof Error ? `${err.message}${err.cause ? ` (${String(err.cause)})` : ''}` : String(err), true);
        }
        if (r.status >= 200 && r.status < 300) {
          await r.body?.cancel();
          return;
        }
        const text = (await r.text().catch(() => '')).slice(0, 500);
        throw new WriteError(`HTTP ${r.status}: ${text}`, r.status === 429 || r.status >= 500);
      };
    }
    this.timer = setInterval(() => this.kick(), this.o.flushIntervalMs);
    this.timer.unref();
  }

  /** counts so far; pending = buffered + in flight (0 after close) */
  stats(): SinkStats & { pending: number } {
    return { generated: this.generated, delivered: this.delivered, retried: this.retried, spilled: this.spilled, dropped: this.dropped, pending: this.buffer.length + this.inFlight };
  }

  writeInterval(snapshot: IntervalSnapshot): void {
    try {
      this.runId = snapshot.runId;
      this.shard = snapshot.shard;
      this.enqueue(intervalToLines(snapshot));
    } catch (err) {
      this.warn(`could not encode an interval: ${String(err)}`);
    }
  }

  writeEvent(event: RunEvent): void {
    try {
      const line = eventToLine(event, event.tags?.run ?? this.runId, this.shard);
      if (line) this.enqueue([line]);
    } catch (err) {
      this.warn(`could not encode an event: ${String(err)}`);
    }
  }

  private enqueue(lines: readonly string[]): void {
    this.generated += lines.length;
    if (this.closed || (this.closing && Date.now() >= this.closeDeadlineMs)) {
      this.dropped += lines.length;
      return;
    }
    for (const l of lines) this.buffer.push(l);
    const over = this.buffer.length - this.o.maxBufferLines;
    if (over > 0) {
      // drop the oldest: the newest data is the most useful to someone watching live
      this.buffer.splice(0, over);
      this.dropped += over;
      this.overflowDropped += over;
      if (this.overflowDropped === over) this.warn(`buffer full (${this.o.maxBufferLines} lines): dropping the oldest lines; InfluxDB is slower than the run or down`);
    }
    if (this.buffer.length >= this.o.batchSize) this.kick();
  }

  /** start the pump if it is idle */
  private kick(): void {
    if (this.pumping || this.buffer.length === 0) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      // after the close deadline nothing is re-kicked: close() accounts for what is left
      const pastDeadline = this.closing && Date.now() >= this.closeDeadlineMs;
      if (!pastDeadline && (this.buffer.length >= this.o.batchSize || (this.closing && this.buffer.length > 0))) this.kick();
    });
  }

  private async pump(): Promise<void> {
    while (this.buffer.length > 0) {
      if (this.closing && Date.now() >= this.closeDeadlineMs) return;
      const batch = this.buffer.splice(0, this.o.batchSize);
      this.inFlight = batch.length;
      try {
        await this.deliver(batch);
      } finally {
        this.inFlight = 0;
      }
    }
  }

  private async deliver(batch: string[]): Promise<void> {
    const body = batch.join('\n');
    for (let attempt = 1; ; attempt++) {
      const remainingMs = this.closing ? this.closeDeadlineMs - Date.now() : Infinity;
      if (remainingMs <= 0) return this.giveUp(batch, 'the close deadline passed');
      const ac = new AbortController();
      this.inflightAborts.add(ac);
      const timeoutMs = Math.min(this.o.writeTimeoutMs, remainingMs);
      const timer = setTimeout(() => ac.abort(new Error(`write timed out after ${timeoutMs} ms`)), timeoutMs);
      this.attempts += 1;
      if (attempt > 1) this.retried += batch.length;
      try {
        await this.send(body, ac.signal);
        this.delivered += batch.length;
        return;
      } catch (err) {
        const we = err instanceof WriteError ? err : new WriteError(String(err), true);
        const reason = ac.signal.aborted ? `write timed out or was aborted after ${timeoutMs} ms` : we.message;
        this.warn(`write of ${batch.length} lines failed (attempt ${attempt}/${this.o.maxAttempts}): ${reason}`);
        if (!we.retryable && !ac.signal.aborted) return this.giveUp(batch, 'the server refused the data (not retryable)');
        if (attempt >= this.o.maxAttempts) return this.giveUp(batch, `${attempt} attempts failed`);
      } finally {
        clearTimeout(timer);
        this.inflightAborts.delete(ac);
      }
      const backoffMs = Math.min(this.o.retryMaxMs, this.o.retryBaseMs * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.5);
      if (this.closing && Date.now() + backoffMs >= this.closeDeadlineMs) return this.giveUp(batch, 'no time left before the close deadline');
      await this.sleep(backoffMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.sleepers.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  private async giveUp(batch: string[], why: string): Promise<void> {
    if (this.o.spillPath) {
      try {
        await appendFile(this.o.spillPath, batch.join('\n') + '\n');
        this.spilled += batch.length;
        this.warn(`${batch.length} lines spilled to ${this.o.spillPath} (${why})`);
        return;
      } catch (err) {
        this.warn(`could not spill to ${this.o.spillPath}: ${String(err)}`);
      }
    }
    this.dropped += batch.length;
  }

  private warn(message: string): void {
    const m = `InfluxDB sink ${this.name}: ${this.redact(message)}`;
    this.errors.push(m);
    if (this.errors.length > 50) this.errors.splice(0, this.errors.length - 50);
    // an outage fails every write: tell the operator at most every 10 s, saying how many were held back
    const now = Date.now();
    if (now - this.lastWarnedMs < 10_000) {
      this.suppressedWarnings += 1;
      return;
    }
    const held = this.suppressedWarnings;
    this.lastWarnedMs = now;
    this.suppressedWarnings = 0;
    try {
      this.o.onWarning?.(held > 0 ? `${m} (${held} similar warnings held back)` : m);
    } catch {}
  }

  /** remove every token, password and credential from a message */
  redact(text: string): string {
    let out = redactUrl(text);
    for (const s of this.secrets) out = out.split(s).join('***');
    return out.replace(/(authorization["']?\s*[:=]\s*["']?)(token|basic|bearer)\s+[^\s"',}]+/gi, '$1$2 ***');
  }

  /** send what is buffered now, waiting at most until deadlineMs (what is left stays buffered) */
  async flush(deadlineMs: number): Promise<void> {
    while ((this.buffer.length > 0 || this.pumping) && Date.now() < deadlineMs) {
      this.pumping ??= this.pump().finally(() => (this.pumping = undefined));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.pumping, new Promise((r) => (timer = setTimeout(r, Math.max(1, deadlineMs - Date.now()))))]);
      clearTimeout(timer);
    }
  }

  async close(deadlineMs: number): Promise<SinkStats> {
    this.closing = true;
    this.closeDeadlineMs = deadlineMs;
    clearInterval(this.timer);
    // at the deadline: abort what is in flight and wake backoff sleeps, so close returns on time
    const stopper = setTimeout(() => {
      for (const ac of this.inflightAborts) ac.abort(new Error('close deadline'));
      for (const wake of [...this.sleepers]) wake();
    }, Math.max(0, deadlineMs - Date.now()));
    try {
      this.kick();
      while (this.pumping) await this.pumping;
    } finally {
      clearTimeout(stopper);
    }
    if (this.buffer.length > 0) {
      const rest = this.buffer;
      this.buffer = [];
      await this.giveUp(rest, 'not sent before the close deadline');
    }
    this.closed = true;
    const { pending: _pending, ...stats } = this.stats();
    return stats;
  }
}

function redactUrl(text: string): string {
  // http://user:password@host -> http://user:***@host
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:)[^\s/@]*@/gi, '$1***@');
}
