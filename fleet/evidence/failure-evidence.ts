// What a failure looked like, like Playwright gives for a failed test: for the first few failures
// per journey, step and driver (and no more than a cap per driver in a run), a screenshot of the page, an
// inert DOM snapshot (fleet/dom-snapshot.ts), the page's console errors (fleet/page-console.ts)
// and, when the run records traces (fleet/failure-trace.ts), the Playwright trace of the iteration,
// written to <run folder>/evidence/ and listed in summary.evidence for the report's failure table.
//
// Captured at the moment of failure, before the journey goes on or the session is closed, so the
// user waits for it — hence bounded: every page call has its share of captureTimeoutMs, and a
// hung or crashed page costs at most that and yields whatever could be had (the console log needs
// no page). capture() never throws. Protocol users have no page: their evidence is the message.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Page } from 'playwright-core';
import { withFrames } from '../../clients/browser/frame-demand.ts';
import { withTimeout } from '../../common/async.ts';
import type { FailureEvidence } from '../../metrics/run-summary.ts';
import { domSnapshotScript } from './dom-snapshot.ts';
import type { FailureTrace } from './failure-trace.ts';
import type { PageConsoleLog } from './page-console.ts';

/** One failure, as the user that saw it describes it. */
export interface FailureInfo {
  readonly journey: string;
  /** absent when the iteration failed outside any step */
  readonly step?: string;
  /** the driver's name (caps are per driver, so protocol failures never crowd out browser evidence) */
  readonly driver: string;
  readonly reason: string;
  readonly message: string;
  readonly vu: number;
  /** epoch ms; now when absent */
  readonly atMs?: number;
}

/** The page a browser user failed on, and what it said before. */
export interface EvidencePage {
  readonly page: Page;
  readonly console: PageConsoleLog;
  /** the context's trace, when the run records them */
  readonly trace?: FailureTrace;
}

export interface FailureEvidenceOptions {
  readonly runDir: string;
  /** failures captured per journey, step and driver; default 3 */
  readonly perStepLimit?: number;
  /** failures captured per driver in a run (so message-only protocol failures never crowd out browser evidence); default 30 */
  readonly totalLimit?: number;
  /** bound on the page calls of one capture (and apart, on saving its trace); default 5 s */
  readonly captureTimeoutMs?: number;
  /** applied to every text written (message, console log, DOM): secrets never reach the run folder */
  readonly redact?: (text: string) => string;
}

export const evidenceFolder = 'evidence';

export class FailureEvidenceRecorder {
  readonly #items: FailureEvidence[] = [];
  readonly #perStep = new Map<string, number>();
  readonly #perDriver = new Map<string, number>();
  readonly #perStepLimit: number;
  readonly #totalLimit: number;
  readonly #timeoutMs: number;
  readonly #redact: (text: string) => string;
  #claimed = 0;
  #skipped = 0;
  #folder: Promise<void> | undefined;

  constructor(private readonly options: FailureEvidenceOptions) {
    this.#perStepLimit = Math.max(0, options.perStepLimit ?? 3);
    this.#totalLimit = Math.max(0, options.totalLimit ?? 30);
    this.#timeoutMs = Math.max(100, options.captureTimeoutMs ?? 5000);
    this.#redact = options.redact ?? ((text) => text);
  }

  /** the captured failures, oldest first */
  list(): FailureEvidence[] {
    return [...this.#items].sort((a, b) => a.atMs - b.atMs);
  }

  /** failures not captured because a cap was reached */
  get skipped(): number {
    return this.#skipped;
  }

  get limits(): { readonly perStep: number; readonly total: number } {
    return { perStep: this.#perStepLimit, total: this.#totalLimit };
  }

  /** Capture one failure if the caps allow; bounded in time, never throws. */
  async capture(failure: FailureInfo, source?: EvidencePage): Promise<void> {
    const index = this.#claim(failure);
    if (index === undefined) return;
    const atMs = failure.atMs ?? Date.now();
    const item = { journey: failure.journey, ...(failure.step ? { step: failure.step } : {}), reason: failure.reason, message: this.#safe(failure.message), atMs };
    let files: string[] = [];
    try {
      if (source) files = await this.#captureFiles(index, failure, atMs, source);
    } catch {
      // evidence is a courtesy: a failure to take it must never become the user's failure
    }
    this.#items.push({ ...item, files });
  }

  /** Take a place under the caps now (synchronously), so concurrent failures cannot exceed them. */
  #claim(failure: FailureInfo): number | undefined {
    const key = `${failure.journey}\u0000${failure.step ?? ''}\u0000${failure.driver}`;
    const taken = this.#perStep.get(key) ?? 0;
    const ofDriver = this.#perDriver.get(failure.driver) ?? 0;
    if (taken >= this.#perStepLimit || ofDriver >= this.#totalLimit) {
      this.#skipped++;
      return undefined;
    }
    this.#perStep.set(key, taken + 1);
    this.#perDriver.set(failure.driver, ofDriver + 1);
    return ++this.#claimed;
  }

  async #captureFiles(index: number, failure: FailureInfo, atMs: number, source: EvidencePage): Promise<string[]> {
    const deadline = performance.now() + this.#timeoutMs;
    const left = (): number => Math.max(0, deadline - performance.now());
    const { page } = source;
    const url = safeUrl(page);
    // screenshot first in line: it is what the page looked like at the moment of failure
    const [png, html] = await Promise.all([
      // a paced page (--frame-rate) draws at the full rate for it: a screenshot waits for a frame
      withTimeout(withFrames(page, () => page.screenshot({ type: 'png', timeout: Math.max(1, left()) })), left(), 'screenshot').catch(() => undefined),
      withTimeout(page.evaluate(domSnapshotScript()) as Promise<string>, left(), 'DOM snapshot').catch(() => undefined),
    ]);
    await (this.#folder ??= mkdir(join(this.options.runDir, evidenceFolder), { recursive: true }).then(() => undefined));
    const base = posix.join(evidenceFolder, `${String(index).padStart(3, '0')}-${slug(failure.journey)}-${slug(failure.step ?? 'iteration')}-vu${failure.vu}`);
    const files: string[] = [];
    const write = async (name: string, data: string | Buffer): Promise<void> => {
      try {
        await writeFile(join(this.options.runDir, name), data);
        files.push(name);
      } catch {
        // a full disk loses this file, not the run
      }
    };
    if (png) await write(`${base}.png`, png);
    if (typeof html === 'string') await write(`${base}.html`, this.#safe(html));
    // the trace is binary (a zip of DOM, network and screencast): not redacted, so no fleet secret may reach a page
    if (source.trace && (await source.trace.save(join(this.options.runDir, `${base}.trace.zip`), this.#timeoutMs))) files.push(`${base}.trace.zip`);
    await write(`${base}.console.txt`, this.#safe(consoleText(failure, atMs, url, source.console, { screenshot: !!png, dom: typeof html === 'string' })));
    return files;
  }

  #safe(text: string): string {
    try {
      return this.#redact(text);
    } catch {
      return '(redaction failed: text withheld)';
    }
  }
}

function consoleText(failure: FailureInfo, atMs: number, url: string, log: PageConsoleLog, taken: { screenshot: boolean; dom: boolean }): string {
  const missing = [taken.screenshot ? '' : 'screenshot', taken.dom ? '' : 'DOM snapshot'].filter(Boolean);
  const header = [
    `failure: ${failure.journey}${failure.step ? `/${failure.step}` : ''} (${failure.reason}) on ${failure.driver}, vu ${failure.vu}`,
    `at: ${new Date(atMs).toISOString()}`,
    `page: ${url}`,
    `message: ${failure.message}`,
    ...(missing.length ? [`not captured (the page did not answer in time, or is gone): ${missing.join(', ')}`] : []),
    '',
    `console errors and warnings, uncaught exceptions, failed requests (${log.entries.length}):`,
  ];
  return `${header.join('\n')}\n${log.format() || '(none)'}\n`;
}

function safeUrl(page: Page): string {
  try {
    return page.url();
  } catch {
    return '(unknown)';
  }
}

/** a file-name-safe form of a journey or step name */
const slug = (name: string): string => name.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 60) || '_';
