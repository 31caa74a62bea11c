// Which frame rate a run's browser pages get (--frame-rate): decided once by preflight (an asked
// rate that cannot pace this plan is refused there), which keeps it in the prepared run for the
// browser pool, the run log and summary.json. 'auto', the default, paces only
// where it was measured to save and nothing the run measures reads paint (README "Fewer frames"):
// a chat user cost about half the CPU at 4 frames a second; a paced page decodes received video
// late, and a voice user's pacing costs more than it saves.
import { basename } from 'node:path';
import { browserDriver } from '../clients/browser/driver.ts';
import type { Capability, Driver } from '../clients/driver.ts';
import { builtInJourneys } from '../journeys/registry.ts';
import type { Journey } from '../journeys/types.ts';
import type { PlanCatalog } from '../plans/catalog.ts';
import type { VuSlot } from '../plans/schedule.ts';
import { mediaMarksFor } from './media-marks-mode.ts';
import type { RunConfig } from './run-config.ts';

/** The rate 'auto' paces at: measured (chat, 10 and 5 users) to halve the renderers' CPU. */
export const autoFrameRate = 4;

/** What a paced page measures as a plain one does: messages by DOM commit, clicks at full rate. */
const pacedCapabilities: ReadonlySet<Capability> = new Set(['chat', 'reactions', 'presence', 'upload']);

export interface BrowserUserKind {
  readonly driver: Driver | undefined;
  readonly journey: Journey | undefined;
}

export interface FrameRateChoice {
  /** frames a second for idle pages; 0: the browser's own */
  readonly fps: number;
  /** for 'auto': why it paces or not, for the run log */
  readonly why?: string;
}

/**
 * The run's frame rate: an asked number or off as given, or with 'auto' 4 a second when the
 * browser is the headless shell, no media marks read what is shown, and every browser user runs a
 * built-in journey through the built-in browser client that needs nothing but chat, reactions,
 * presence or uploads. A journey or driver of the plan's own may click through Playwright, which
 * on a paced page waits for paced frames, so it is not paced unasked.
 */
export function frameRateFor(mode: number | 'auto', chromiumPath: string, mediaMarks: boolean, users: readonly BrowserUserKind[]): FrameRateChoice {
  if (mode !== 'auto') return { fps: mode };
  if (users.length === 0) return { fps: 0 };
  const off = (why: string): FrameRateChoice => ({ fps: 0, why: `not paced (--frame-rate auto: ${why})` });
  if (!basename(chromiumPath).includes('headless-shell')) return off('not the headless shell');
  if (mediaMarks) return off('media marks read what a page shows');
  for (const { driver, journey } of users) {
    if (driver !== browserDriver) return off(`driver '${driver?.name}' is not the built-in browser client`);
    if (!journey || builtInJourneys[journey.name] !== journey) return off(`journey '${journey?.name}' is the plan's own`);
    const needs = (journey.requires ?? []).filter((c) => !pacedCapabilities.has(c));
    if (needs.length) return off(`${journey.name} needs ${needs.join(', ')}`);
  }
  return { fps: autoFrameRate, why: `--frame-rate auto: chat-only browser users; --frame-rate off draws every frame` };
}

/** The frame rate of a plan's browser pages: --frame-rate, with 'auto' decided by its users and thresholds. */
export function planFrameRate(config: RunConfig, slots: readonly VuSlot[], catalog: PlanCatalog, thresholdMetrics: readonly string[]): FrameRateChoice {
  const users = slots.filter((slot) => catalog.isBrowserDriver(slot.driver)).map((slot) => ({ driver: catalog.driver(slot.driver), journey: catalog.journey(slot.journey) }));
  return frameRateFor(config.frameRate, config.chromiumPath, !!mediaMarksFor(config.mediaMarks, thresholdMetrics), users);
}
