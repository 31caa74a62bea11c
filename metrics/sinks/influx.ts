// InfluxDB sink: writes each interval's aggregates and every run event to InfluxDB (v1 or v2 API,
// see influx-transport.ts; what it writes: influx-lines.ts; options and environment: influx-options.ts).
//
// It never blocks or throws into the run: write* only enqueue into a bounded buffer (default
// 50,000 lines; overflow drops the oldest, counted). A pump sends batches one at a time, each
// write with a timeout (AbortController), retried with exponential backoff for a bounded number
// of attempts; what still fails is spilled to a file (when spillPath is set) or dropped, counted:
// generated = delivered + spilled + dropped (+ pending while running).
// retried counts LINES that were sent again after a failed write (once per line, however many
// retries it took), so retried ≤ generated, and it is 0 exactly when no warning announced a retry.
// Tokens, passwords and URL credentials are redacted from every message it keeps, warns or throws.
//
// Before a run, preflightInflux (influx-preflight.ts) creates a missing v1 database and checks
// that a v2 bucket and token can write, so a misconfigured store is found before any load.
import { appendFile } from 'node:fs/promises';
import type { IntervalSnapshot, RunEvent, Sink, SinkStats } from '../types.ts';
import { EventSequence, eventToLine, intervalToLines } from './influx-lines.ts';
import { withInfluxDefaults, type InfluxOptions, type ResolvedInfluxOptions } from './influx-options.ts';
import { influxEndpoint, WriteError, type InfluxEndpoint } from './influx-transport.ts';

export { eventToLine, intervalToLines, nsTimestamp } from './influx-lines.ts';
export { type InfluxCommonOptions, type InfluxOptions, type InfluxV1Options, type InfluxV2Options } from './influx-options.ts';
export { preflightInflux } from './influx-preflight.ts';
export { redactUrl } from '../../common/redact.ts';
export { sinkProblems } from './sink-problems.ts';

export function createInfluxSink(options: InfluxOptions): InfluxSink {
  return new InfluxSink(options);
}

type WarningKind = 'failure' | 'drop' | 'encode';

export class InfluxSink implements Sink {
  readonly name: string;
  private readonly o: ResolvedInfluxOptions;
  private readonly endpoint: InfluxEndpoint;
  private buffer: string[] = [];
  private inFlight = 0;
  private generated = 0;
  private delivered = 0;
  private retried = 0;
  private spilled = 0;
  private dropped = 0;
  /** lines dropped because the buffer was full (part of dropped) */
  overflowDropped = 0;
  /** write requests made, failed ones included */
  attempts = 0;
  /** redacted messages, most recent last (capped at 50); every one, also those onWarning held back */
  readonly errors: string[] = [];
  private pumping: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closing = false;
  private closed = false;
  private readonly lastWarnedMs = new Map<WarningKind, number>();
  private readonly heldBack = new Map<WarningKind, number>();
  private closeDeadlineMs = Infinity;
  private readonly inflightAborts = new Set<AbortController>();
  private readonly sleepers = new Set<() => void>();
  private readonly eventSequence = new EventSequence();
  private runId = '';
  private shard = '';

  constructor(options: InfluxOptions) {
    this.o = withInfluxDefaults(options);
    this.endpoint = influxEndpoint(options, this.o.writeTimeoutMs);
    // the name lands in SinkStats, the summary and the report: never a credential, even if a caller built it from the URL
    this.name = this.endpoint.redact(options.name ?? 'influxdb');
    this.runId = options.runId ?? '';
    this.shard = options.shard ?? '';
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
      this.warn('encode', `could not encode an interval: ${String(err)}`);
    }
  }

  writeEvent(event: RunEvent): void {
    try {
      const line = eventToLine(event, event.tags?.run ?? this.runId, this.shard, this.eventSequence.next(event.timeMs));
      if (line) this.enqueue([line]);
    } catch (err) {
      this.warn('encode', `could not encode an event: ${String(err)}`);
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
      this.warn('drop', `buffer full (${this.o.maxBufferLines} lines): dropped the ${over} oldest (${this.overflowDropped} so far); InfluxDB is slower than the run or down`);
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

  /** one write request with its timeout (bounded by the close deadline); the error, or undefined when delivered */
  private async attempt(body: string, remainingMs: number): Promise<{ error?: WriteError; timeoutMs: number }> {
    const ac = new AbortController();
    this.inflightAborts.add(ac);
    const timeoutMs = Math.min(this.o.writeTimeoutMs, remainingMs);
    const timer = setTimeout(() => ac.abort(new Error(`write timed out after ${timeoutMs} ms`)), timeoutMs);
    this.attempts += 1;
    try {
      await this.endpoint.write(body, ac.signal);
      return { timeoutMs };
    } catch (err) {
      if (ac.signal.aborted) return { error: new WriteError(`no answer within ${timeoutMs} ms (timed out or aborted)`, true), timeoutMs };
      return { error: err instanceof WriteError ? err : new WriteError(String(err), true), timeoutMs };
    } finally {
      clearTimeout(timer);
      this.inflightAborts.delete(ac);
    }
  }

  private async deliver(batch: string[]): Promise<void> {
    const body = batch.join('\n');
    const retries = this.o.maxAttempts - 1;
    for (let attempt = 1; ; attempt++) {
      const remainingMs = this.closing ? this.closeDeadlineMs - Date.now() : Infinity;
      if (remainingMs <= 0) return this.giveUp(batch, `the close deadline passed before retry ${attempt - 1} of ${retries}`);
      // counted when the retry is actually sent, so "retried" matches the warnings that announced it
      if (attempt === 2) this.retried += batch.length;
      const { error } = await this.attempt(body, remainingMs);
      if (!error) {
        this.delivered += batch.length;
        return;
      }
      const failed = `write of ${batch.length} lines failed (${error.message})`;
      if (!error.retryable) return this.giveUp(batch, `${failed}; the server refused it, not retried: check the InfluxDB URL, database/bucket and credentials`);
      if (attempt > retries) return this.giveUp(batch, `${failed}; it was the last of ${this.o.maxAttempts} attempts`);
      const backoffMs = Math.min(this.o.retryMaxMs, this.o.retryBaseMs * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.5);
      if (this.closing && Date.now() + backoffMs >= this.closeDeadlineMs) return this.giveUp(batch, `${failed}; no time left before the close deadline for retry ${attempt} of ${retries}`);
      this.warn('failure', `${failed}; retry ${attempt} of ${retries} in ${Math.round(backoffMs)} ms`);
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

  /** spill or drop a batch, counted, and say so with the reason */
  private async giveUp(batch: string[], why: string): Promise<void> {
    if (this.o.spillPath) {
      try {
        await appendFile(this.o.spillPath, batch.join('\n') + '\n');
        this.spilled += batch.length;
        this.warn('drop', `${why}: ${batch.length} lines spilled to ${this.o.spillPath} (${this.spilled} so far)`);
        return;
      } catch (err) {
        why = `${why}; could not spill to ${this.o.spillPath}: ${String(err)}`;
      }
    }
    this.dropped += batch.length;
    this.warn('drop', `${why}: ${batch.length} lines dropped (${this.dropped} of ${this.generated} so far)`);
  }

  private warn(kind: WarningKind, message: string): void {
    const m = `InfluxDB sink ${this.name}: ${this.redact(message)}`;
    this.errors.push(m);
    if (this.errors.length > 50) this.errors.splice(0, this.errors.length - 50);
    // an outage fails every write: tell the operator at most every 10 s per kind, saying how many were held back
    const now = Date.now();
    if (now - (this.lastWarnedMs.get(kind) ?? -Infinity) < 10_000) {
      this.heldBack.set(kind, (this.heldBack.get(kind) ?? 0) + 1);
      return;
    }
    const held = this.heldBack.get(kind) ?? 0;
    this.lastWarnedMs.set(kind, now);
    this.heldBack.set(kind, 0);
    try {
      this.o.onWarning?.(held > 0 ? `${m} (${held} similar warnings held back)` : m);
    } catch {}
  }

  /** remove every token, password and credential from a message */
  redact(text: string): string {
    return this.endpoint.redact(text);
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
