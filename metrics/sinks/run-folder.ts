// The run folder (docs/run-folder.md): events.ndjson, samples.ndjson and intervals.ndjson are
// append streams written as things happen (events and intervals at once, samples at least each
// interval), one complete JSON value per line, so a kill -9 leaves readable files (at worst a
// truncated LAST line, which readRunFolder skips and reports). summary.json is replaced atomically.
import { openSync, closeSync } from 'node:fs';
import { mkdir, open, readFile, rename, symlink, unlink, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { atomicWrite } from '../atomic-write.ts';
import type { RunSummary } from '../run-summary.ts';
import type { IntervalSnapshot, RunEvent, Sample, Sink, SinkStats } from '../types.ts';

export const RUN_FILES = {
  events: 'events.ndjson',
  samples: 'samples.ndjson',
  intervals: 'intervals.ndjson',
  summary: 'summary.json',
  plan: 'plan.json',
  junit: 'junit.xml',
} as const;

/** One append-only NDJSON file with a serialized write chain; never throws to its caller. */
class NdjsonAppender {
  private pending: string[] = [];
  private pendingChars = 0;
  private chain: Promise<void> = Promise.resolve();
  private handle: Promise<FileHandle>;
  private scheduled = false;
  written = 0;
  failed = 0;
  dropped = 0;
  lastError: string | undefined;

  constructor(
    readonly path: string,
    private readonly maxPendingLines: number,
  ) {
    // create the file now so readers see every stream from the start, even an empty one
    closeSync(openSync(path, 'a'));
    this.handle = open(path, 'a');
    this.handle.catch(() => {}); // surfaced on the first write
  }

  push(line: string, flushSoon: boolean): void {
    if (this.pending.length >= this.maxPendingLines) {
      // the disk cannot keep up: drop the oldest buffered line, and count it
      const old = this.pending.shift();
      this.pendingChars -= old?.length ?? 0;
      this.dropped += 1;
    }
    this.pending.push(line);
    this.pendingChars += line.length;
    if (flushSoon || this.pendingChars > 256 * 1024) this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  /** write everything buffered now; resolves when it is on disk (or failed) */
  drain(): Promise<void> {
    if (this.pending.length === 0) return this.chain;
    const lines = this.pending;
    this.pending = [];
    this.pendingChars = 0;
    const data = lines.join('\n') + '\n';
    this.chain = this.chain.then(async () => {
      try {
        const fh = await this.handle;
        await fh.appendFile(data);
        this.written += lines.length;
      } catch (err) {
        this.failed += lines.length;
        this.lastError = err instanceof Error ? err.message : String(err);
      }
    });
    return this.chain;
  }

  async close(): Promise<void> {
    await this.drain();
    try {
      await (await this.handle).close();
    } catch {}
  }
}

export interface RunFolderSinkOptions {
  /** buffered sample lines before the oldest are dropped (disk slower than the run); default 200,000 */
  readonly maxPendingSampleLines?: number;
  /** write raw samples at all (they can be large); default true */
  readonly writeSamples?: boolean;
}

export class RunFolderSink implements Sink {
  readonly name = 'run-folder';
  private readonly events: NdjsonAppender;
  private readonly samples: NdjsonAppender | undefined;
  private readonly intervals: NdjsonAppender;
  private generated = 0;
  private lateDropped = 0;
  private closed = false;

  constructor(readonly dir: string, opts: RunFolderSinkOptions = {}) {
    this.events = new NdjsonAppender(join(dir, RUN_FILES.events), 100_000);
    this.intervals = new NdjsonAppender(join(dir, RUN_FILES.intervals), 100_000);
    this.samples = opts.writeSamples === false ? undefined : new NdjsonAppender(join(dir, RUN_FILES.samples), opts.maxPendingSampleLines ?? 200_000);
  }

  writeSamples(samples: readonly Sample[]): void {
    if (!this.samples) return;
    for (const s of samples) this.accept(this.samples, JSON.stringify(s), false);
  }

  writeInterval(snapshot: IntervalSnapshot): void {
    this.accept(this.intervals, JSON.stringify(snapshot), true);
    // samples reach the disk at least once per interval
    void this.samples?.drain();
  }

  writeEvent(event: RunEvent): void {
    this.accept(this.events, JSON.stringify(event), true);
  }

  private accept(a: NdjsonAppender, line: string, soon: boolean): void {
    this.generated += 1;
    if (this.closed) {
      this.lateDropped += 1;
      return;
    }
    a.push(line, soon);
  }

  private appenders(): NdjsonAppender[] {
    return [this.events, this.intervals, ...(this.samples ? [this.samples] : [])];
  }

  async flush(deadlineMs: number): Promise<void> {
    await withDeadline(Promise.all(this.appenders().map((a) => a.drain())), deadlineMs);
  }

  async close(deadlineMs: number): Promise<SinkStats> {
    this.closed = true;
    await withDeadline(Promise.all(this.appenders().map((a) => a.close())), deadlineMs);
    const all = this.appenders();
    const delivered = all.reduce((n, a) => n + a.written, 0);
    const dropped = this.generated - delivered; // failed writes, buffer overflow, late writes, unfinished at the deadline
    return { generated: this.generated, delivered, retried: 0, spilled: 0, dropped };
  }

  /** the first write error, for the run's log (undefined when all went well) */
  get lastError(): string | undefined {
    return this.appenders().find((a) => a.lastError)?.lastError;
  }
}

async function withDeadline(p: Promise<unknown>, deadlineMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise<void>((r) => (timer = setTimeout(r, Math.max(0, deadlineMs - Date.now()))))]);
  clearTimeout(timer);
}

/** summary.json, replaced atomically: a reader sees the old or the new file, never a part. */
export async function writeSummary(dir: string, summary: RunSummary): Promise<void> {
  await atomicWrite(join(dir, RUN_FILES.summary), JSON.stringify(summary, null, 2) + '\n');
}

/** Make results/<runId>/ and point results/latest at it (atomically: symlink to a temp name, rename). Returns the absolute folder. */
export async function createRunFolder(resultsDir: string, runId: string): Promise<string> {
  if (!/^[A-Za-z0-9._-]+$/.test(runId)) throw new Error(`createRunFolder: run id ${JSON.stringify(runId)} must use only letters, digits, '.', '_' and '-'`);
  const dir = resolve(resultsDir, runId);
  await mkdir(dir, { recursive: true });
  const tmp = join(resultsDir, `.latest-${randomBytes(4).toString('hex')}`);
  try {
    await symlink(runId, tmp); // relative, so the results folder can be moved or mounted elsewhere
    await rename(tmp, join(resultsDir, 'latest'));
  } catch (err) {
    await unlink(tmp).catch(() => {});
    // 'latest' is a convenience: a filesystem without symlinks must not stop the run
    if ((err as NodeJS.ErrnoException).code !== 'EPERM' && (err as NodeJS.ErrnoException).code !== 'ENOTSUP') throw err;
  }
  return dir;
}

export interface RunFolderContents {
  readonly dir: string;
  /** null when summary.json is missing or unreadable (see problems) */
  readonly summary: RunSummary | null;
  readonly intervals: IntervalSnapshot[];
  readonly events: RunEvent[];
  /** what was skipped and why: a truncated last line, a malformed line, a missing file */
  readonly problems: string[];
}

/** Parse NDJSON tolerantly: a truncated LAST line (kill -9 mid-write) is skipped and reported. */
export function parseNdjson<T>(text: string, file: string, problems: string[]): T[] {
  const out: T[] = [];
  const lines = text.split('\n');
  const last = lines.pop() ?? '';
  // text that does not end in a newline ends in a line cut short
  if (last.trim() !== '') problems.push(`${file}: the last line is truncated (${last.length} characters, no newline: the run was probably killed while writing) and was skipped`);
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      const isLast = i === lines.length - 1 && last.trim() === '';
      problems.push(`${file}:${i + 1}: ${isLast ? 'the last line is truncated' : 'malformed JSON line'} and was skipped`);
    }
  });
  return out;
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** For readers (reports, merge): summary, intervals and events; never samples (they can be huge). */
export async function readRunFolder(dir: string): Promise<RunFolderContents> {
  const problems: string[] = [];
  let summary: RunSummary | null = null;
  const summaryText = await readOptional(join(dir, RUN_FILES.summary));
  if (summaryText === undefined) problems.push(`${RUN_FILES.summary}: missing (the run never got to write it)`);
  else {
    try {
      summary = JSON.parse(summaryText) as RunSummary;
    } catch (err) {
      problems.push(`${RUN_FILES.summary}: unreadable JSON (${(err as Error).message})`);
    }
  }
  const intervalsText = await readOptional(join(dir, RUN_FILES.intervals));
  if (intervalsText === undefined) problems.push(`${RUN_FILES.intervals}: missing`);
  const eventsText = await readOptional(join(dir, RUN_FILES.events));
  if (eventsText === undefined) problems.push(`${RUN_FILES.events}: missing`);
  const intervals = parseNdjson<IntervalSnapshot>(intervalsText ?? '', RUN_FILES.intervals, problems);
  const events = parseNdjson<RunEvent>(eventsText ?? '', RUN_FILES.events, problems);
  return { dir, summary, intervals, events, problems };
}
