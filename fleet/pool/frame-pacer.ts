// Fewer frames for pages nobody looks at (issue 18, `--frame-rate`). A headless page renders up to
// ~60 frames a second (style, layout, paint, raster, composite, in the renderer and the GPU
// process) although no one sees them; in a chat page that is most of what a fleet user costs.
// Under the headless shell's BeginFrame control (pacedBrowserArgs) a page makes a frame only when
// told (HeadlessExperimental.beginFrame), so the pacer tells each page of its browser `fps` times a
// second, and as often as a plain page gets them while a driver acts on it (actingFps;
// clients/browser/frame-demand.ts), so clicks and waits take what they take in a plain browser.
// What still runs at once, frames or not: scripts, WebSocket and WebRTC, DOM changes and the
// MutationObserver that times a chat message's arrival (DOM commit), video decoding and getStats.
// What follows the pacer's clock: requestAnimationFrame, paint, requestVideoFrameCallback; so a
// run that measures what is shown (media marks: glass-to-glass, quality) is not paced.
// One beginFrame at a time per browser: two in flight on two pages of one browser crash its GPU
// process ("Got overlapping IssueExternalBeginFrame", seen here on Chromium 156), so one loop sends
// them all, each page when it is due. A hung renderer holds the loop until the hang check closes
// its page (fleet/pool/session.ts).
import type { CDPSession, Page } from 'playwright-core';
import { setFrameDemand } from '../../clients/browser/frame-demand.ts';

/** The switches that put a headless-shell browser under BeginFrame control. */
export const pacedBrowserArgs: readonly string[] = ['--enable-begin-frame-control', '--run-all-compositor-stages-before-draw'];

/**
 * Frames a second asked for a page a driver acts on. A plain headless page gets ~60, but a paced
 * frame is asked only once the last one is through the whole pipeline, so 60 asked gave clicks
 * ~35 ms (25%) slower than a plain page's; 120 asked gives the same click-and-wait times as a
 * plain page (p50 108–130 vs 114–135 ms, 30 clicks on 6 pages; README "Fewer frames").
 */
export const actingFps = 120;

/** The most frames a second --frame-rate takes for idle pages: above it there is nothing to save. */
export const maxIdleFps = 60;

interface PacedPage {
  readonly cdp: CDPSession;
  /** when its next frame is due (Date.now() ms) */
  next: number;
  /** actions under way on it */
  acting: number;
}

export class FramePacer {
  readonly #pages = new Map<Page, PacedPage>();
  #looping = false;
  #closed = false;
  #wake: (() => void) | undefined;
  /** frames sent, and those that failed (a page closing under one) */
  readonly counts = { frames: 0, failed: 0 };

  constructor(readonly fps: number) {
    if (!(fps > 0 && fps <= maxIdleFps)) throw new Error(`FramePacer: fps must be in (0, ${maxIdleFps}], got ${fps}`);
  }

  /** Paces page from now on, until it closes. */
  async add(page: Page): Promise<void> {
    const cdp = await page.context().newCDPSession(page);
    const paced: PacedPage = { cdp, next: 0, acting: 0 };
    this.#pages.set(page, paced);
    setFrameDemand(page, {
      acting: (on) => {
        paced.acting = Math.max(0, paced.acting + (on ? 1 : -1));
        if (on) {
          paced.next = 0; // a frame now: Playwright's first check waits for one
          this.#wake?.();
        }
      },
    });
    page.once('close', () => this.#pages.delete(page));
    if (!this.#looping) void this.#loop();
    else this.#wake?.();
  }

  close(): void {
    this.#closed = true;
    this.#wake?.();
  }

  async #loop(): Promise<void> {
    this.#looping = true;
    try {
      while (!this.#closed && this.#pages.size > 0) {
        let due: [Page, PacedPage] | undefined;
        for (const entry of this.#pages) if (!due || entry[1].next < due[1].next) due = entry;
        const [page, paced] = due!;
        const waitMs = paced.next - Date.now();
        if (waitMs > 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, waitMs);
            this.#wake = () => (clearTimeout(timer), resolve());
          });
          this.#wake = undefined;
          continue;
        }
        const intervalMs = 1000 / (paced.acting > 0 ? actingFps : this.fps);
        paced.next = Date.now() + intervalMs;
        try {
          await paced.cdp.send('HeadlessExperimental.beginFrame', { interval: intervalMs });
          this.counts.frames++;
        } catch {
          this.counts.failed++;
          if (page.isClosed()) this.#pages.delete(page);
        }
      }
    } finally {
      this.#looping = false;
    }
  }
}
