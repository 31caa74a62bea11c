// A Playwright trace for failure evidence, the "retain on failure" way: each browser user's context
// records a trace; every iteration starts a fresh chunk (what the previous one recorded is
// dropped, so a soak never grows one trace), and a captured failure saves the chunk so far as a
// .zip for `npx playwright show-trace` or trace.playwright.dev.
//
// Off by default because it is not cheap (measured with the former bench/generator-cost.ts --trace, 2
// cores, per user; through the real path now: npm run bench:density -- --ways fleet,traced
// --variant 'traced=fleet:--trace-failures=full'):
// with screenshots (the screencast), active chat 2.2% → ~5% and a 1:1 video call 8.2% → ~19% of
// the machine; DOM snapshots only, active chat ~3% and a passive video call unchanged (snapshots
// are taken per action). A load generator's CPU is what makes a run trustworthy, so the screenshot,
// DOM snapshot and console log are always kept and the trace is a choice (--trace-failures).
import type { BrowserContext } from 'playwright-core';
import { withTimeout } from '../../common/async.ts';

export type TraceMode = 'off' | 'snapshots' | 'full';

export class FailureTrace {
  #queue: Promise<unknown> = Promise.resolve();
  #broken = false;

  private constructor(
    private readonly context: BrowserContext,
    private readonly timeoutMs: number,
  ) {}

  /** Start recording in this context; undefined when off or when tracing could not start (the user goes on without). */
  static async start(context: BrowserContext, mode: TraceMode, timeoutMs = 5000): Promise<FailureTrace | undefined> {
    if (mode === 'off') return undefined;
    try {
      await withTimeout(context.tracing.start({ screenshots: mode === 'full', snapshots: true }), timeoutMs, 'tracing.start');
      return new FailureTrace(context, timeoutMs);
    } catch {
      return undefined;
    }
  }

  /** A new iteration: drop the last chunk and begin another, so a saved trace shows one iteration. */
  restart(): Promise<void> {
    return this.#serial(async () => {
      await this.context.tracing.stopChunk();
      await this.context.tracing.startChunk();
    }, this.timeoutMs).then(() => undefined);
  }

  /** Save the chunk so far to path and go on recording; false when it could not be saved in time. */
  save(path: string, timeoutMs = this.timeoutMs): Promise<boolean> {
    return this.#serial(async () => {
      await this.context.tracing.stopChunk({ path });
      await this.context.tracing.startChunk();
    }, timeoutMs);
  }

  /** One tracing call at a time; one that ran out of time leaves tracing in an unknown state, so it stops. */
  #serial(work: () => Promise<void>, timeoutMs: number): Promise<boolean> {
    if (this.#broken) return Promise.resolve(false);
    const run = this.#queue.then(() => (this.#broken ? Promise.reject(new Error('tracing stopped')) : work()));
    this.#queue = run.catch(() => {});
    return withTimeout(run, Math.max(1, timeoutMs), 'tracing').then(
      () => true,
      () => ((this.#broken = true), false),
    );
  }
}
