// Calls on the real web UI: join and leave a voice channel by its buttons, and wait until remote
// media is really decoding (video/screen: a tile announcing that kind with videoWidth > 0 and
// decoded frames advancing; audio: a live, unmuted remote track playing with time advancing).
import { withFrames } from './frame-demand.ts';
import type { RemoteMediaKind } from '../waddle-client.ts';
import { remoteMediaSnapshotScript, type MediaSnapshot } from './page-scripts.ts';
import type { PageUi } from './page-ui.ts';
import { cssEscape } from './util.ts';

/** How often the page is asked about remote media while waiting for it. */
const MEDIA_POLL_MS = 200;

export async function joinVoice(ui: PageUi, channelId: string | undefined): Promise<void> {
  const { page, timeoutMs } = ui;
  const button = channelId === undefined ? page.getByTestId('voice-channel').first() : ui.byData('voice-channel', 'channel-id', channelId);
  const id = channelId ?? (await ui.attribute('the first voice channel', button, 'data-channel-id')) ?? '';
  await ui.click(`clicking voice channel ${id}`, button);
  const panel = page.getByTestId('voice-panel');
  try {
    await panel.and(page.locator(`[data-state="joined"][data-channel-id="${cssEscape(id)}"]`)).waitFor({ timeout: timeoutMs });
  } catch (error) {
    const state = await panel.evaluate(describeVoicePanel, undefined, { timeout: 1000 }).catch(() => 'unknown');
    const says = await ui.appError();
    throw ui.error(`timed out after ${timeoutMs} ms waiting to be in voice channel ${id} (the voice panel is ${state}); the app says: ${says}`, error);
  }
}

type PanelElement = {
  getAttribute(name: string): string | null;
  hasAttribute(name: string): boolean;
  querySelector(selector: string): { textContent: string | null } | null;
};

/** Runs in the page: the voice panel's state, channel and title, for an error message. */
function describeVoicePanel(el: PanelElement): string {
  const channel = el.hasAttribute('data-channel-id') ? ` in ${el.getAttribute('data-channel-id')}` : '';
  const title = el.querySelector('[data-testid="voice-title"]')?.textContent ?? '';
  return `${el.getAttribute('data-state') ?? 'in no state'}${channel}, titled "${title}"`;
}

export async function leaveVoice(ui: PageUi): Promise<void> {
  await ui.click('clicking "Leave voice"', ui.page.getByRole('button', { name: 'Leave voice' }));
  await ui.waitFor('the voice panel to be idle', ui.byData('voice-panel', 'state', 'idle'));
}

/**
 * Resolves with the ms waited once remote media of that kind is decoding; rejects at timeoutMs
 * saying what it last saw. A media element counts its frames as the page draws them, so a paced
 * page draws at the full rate while this waits (frame-demand.ts): the wait is the media's, not the pacer's.
 */
export function waitForRemoteMedia(ui: PageUi, kind: RemoteMediaKind, timeoutMs: number): Promise<number> {
  return withFrames(ui.page, () => waitUntilDecoding(ui, kind, timeoutMs));
}

async function waitUntilDecoding(ui: PageUi, kind: RemoteMediaKind, timeoutMs: number): Promise<number> {
  const startedAtMs = performance.now();
  const deadline = startedAtMs + timeoutMs;
  const previous = new Map<string, { currentTime: number; frames: number }>();
  const script = remoteMediaSnapshotScript(kind);
  let lastSeen = 'no remote participant tile';
  for (;;) {
    const remaining = deadline - performance.now();
    if (remaining <= 0) break;
    let snapshot: MediaSnapshot[];
    try {
      snapshot = (await ui.evaluate(script, Math.min(remaining, ui.timeoutMs), `remote ${kind} state`)) as MediaSnapshot[];
    } catch (error) {
      // cut short by the caller's deadline, not by a hung page: report the media wait
      if (performance.now() >= deadline - 1) {
        lastSeen += '; the page did not answer the last check in time';
        break;
      }
      throw error;
    }
    for (const s of snapshot) {
      const before = previous.get(s.peerId);
      previous.set(s.peerId, { currentTime: s.currentTime, frames: s.frames });
      const advancing = before !== undefined && s.currentTime > before.currentTime && (kind === 'audio' || s.frames > before.frames);
      const decoding = kind === 'audio' ? s.trackLive && !s.trackMuted && !s.paused : s.width > 0 && !s.paused;
      if (s.announced && decoding && advancing) return performance.now() - startedAtMs;
      lastSeen =
        `peer ${s.peerId}: announced=${s.announced} width=${s.width} frames=${s.frames} paused=${s.paused} ` +
        `trackLive=${s.trackLive} trackMuted=${s.trackMuted}`;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(MEDIA_POLL_MS, Math.max(0, deadline - performance.now()))));
  }
  throw ui.error(`timed out after ${timeoutMs} ms waiting for remote ${kind} to be decoding (last seen: ${lastSeen})`);
}
