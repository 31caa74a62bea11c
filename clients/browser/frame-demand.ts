// Frames while a driver does what waits for them on a paced page. Under `--frame-rate`
// (fleet/pool/frame-pacer.ts) a page nobody looks at gets a few frames a second. Most of Playwright
// needs none (fill, keys, evaluate, waitFor, getAttribute, boundingBox took the same at 1 frame a
// second), but a click waits until its target held still over two animation frames (1.7–1.8 s at 1
// a second), mouse wheels and screenshots wait for a frame, and a media element or a paint timing
// advances with the frames drawn. A driver wraps those in withFrames: the page then gets frames as
// often as a plain page until they are done. On a page that is not paced it only runs the action.
import type { Page } from 'playwright-core';

export interface FrameDemand {
  /** one more (true) or one fewer (false) action under way on the page */
  acting(on: boolean): void;
}

const demands = new WeakMap<Page, FrameDemand>();

/** The pacer of a page says how to ask it for frames (fleet/pool/frame-pacer.ts). */
export function setFrameDemand(page: Page, demand: FrameDemand): void {
  demands.set(page, demand);
}

/** Whether the page is paced (fewer frames while no driver acts on it). */
export function isPaced(page: Page): boolean {
  return demands.has(page);
}

/** Runs action with the page at its full frame rate (nested and overlapping calls are counted). */
export async function withFrames<T>(page: Page, action: () => Promise<T>): Promise<T> {
  const demand = demands.get(page);
  if (!demand) return action();
  demand.acting(true);
  try {
    return await action();
  } finally {
    demand.acting(false);
  }
}
