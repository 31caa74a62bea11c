// What a page said before it failed: its console errors and warnings, uncaught exceptions and
// failed requests, kept from the moment the page is opened in a small ring buffer (the newest
// entries win; a long soak must not grow it). Read only when a failure is captured as evidence
// (fleet/failure-evidence.ts), so keeping it costs one string per console error.
import type { Page } from 'playwright-core';

export interface ConsoleEntry {
  /** epoch ms */
  readonly atMs: number;
  readonly kind: 'error' | 'warning' | 'pageerror' | 'requestfailed' | 'crash';
  readonly text: string;
}

export interface PageConsoleOptions {
  /** entries kept; older ones are dropped (and counted) */
  readonly capacity?: number;
  /** one entry is cut to this many characters (a stack trace, a huge serialized object) */
  readonly maxEntryChars?: number;
}

export class PageConsoleLog {
  readonly #entries: ConsoleEntry[] = [];
  readonly #capacity: number;
  readonly #maxEntryChars: number;
  #dropped = 0;

  constructor(options: PageConsoleOptions = {}) {
    this.#capacity = Math.max(1, options.capacity ?? 100);
    this.#maxEntryChars = Math.max(80, options.maxEntryChars ?? 2000);
  }

  add(kind: ConsoleEntry['kind'], text: string, atMs = Date.now()): void {
    const cut = text.length > this.#maxEntryChars ? `${text.slice(0, this.#maxEntryChars)}… (${text.length - this.#maxEntryChars} more characters)` : text;
    this.#entries.push({ atMs, kind, text: cut });
    if (this.#entries.length > this.#capacity) {
      this.#entries.shift();
      this.#dropped++;
    }
  }

  /** the kept entries, oldest first */
  get entries(): readonly ConsoleEntry[] {
    return [...this.#entries];
  }

  /** entries that fell out of the ring buffer */
  get dropped(): number {
    return this.#dropped;
  }

  /** One line per entry ("2026-01-02T03:04:05.678Z error: …"), saying first how many older ones were dropped. */
  format(): string {
    const lines = this.#entries.map((e) => `${new Date(e.atMs).toISOString()} ${e.kind}: ${e.text}`);
    if (this.#dropped > 0) lines.unshift(`(${this.#dropped} earlier entries dropped: only the last ${this.#capacity} are kept)`);
    return lines.join('\n');
  }
}

/** Start keeping the page's console errors; call right after the page is created, before it navigates. */
export function watchPageConsole(page: Page, options?: PageConsoleOptions): PageConsoleLog {
  const log = new PageConsoleLog(options);
  page.on('console', (message) => {
    const type = message.type();
    if (type !== 'error' && type !== 'warning') return;
    const { url, lineNumber } = message.location();
    log.add(type, url ? `${message.text()} (${url}:${lineNumber + 1})` : message.text());
  });
  page.on('pageerror', (error) => log.add('pageerror', error.stack ?? error.message));
  page.on('requestfailed', (request) => log.add('requestfailed', `${request.method()} ${request.url()}: ${request.failure()?.errorText ?? 'failed'}`));
  page.on('crash', () => log.add('crash', 'the page crashed'));
  return log;
}
