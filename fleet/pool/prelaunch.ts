// How many browsers of each media profile a run's browser users need at once: what the pool starts
// before load (BrowserPool.prelaunch), so no Chromium start lands in the measured window. A browser
// started on a user's first acquire put its start-up burst among the users' measurements (the demo
// on 2 cores: generator CPU 88% at the first users' start).
import { peakConcurrency, type TimeSpan } from '../../plans/peak-concurrency.ts';
import type { BrowserNeed } from './browser-slot.ts';
import { mediaProfileOf, profileKey } from './media-profile.ts';

export interface BrowserUser {
  /** when the user runs (its schedule slot) */
  readonly span: TimeSpan;
  readonly media: BrowserNeed['media'];
  readonly sharesContext: boolean;
}

/**
 * Per media profile, the browsers its users fill at their peak (contextsPerBrowser each), at most
 * maxBrowsers in all (the profiles that need the most first; what does not fit starts on demand),
 * and for users who share a context the windows each browser opens for them before load.
 */
export function browserNeeds(users: readonly BrowserUser[], contextsPerBrowser: number, maxBrowsers: number): BrowserNeed[] {
  const byProfile = new Map<string, BrowserUser[]>();
  for (const user of users) {
    const key = profileKey(mediaProfileOf(user.media));
    const group = byProfile.get(key) ?? [];
    group.push(user);
    byProfile.set(key, group);
  }
  const perBrowser = Math.max(1, contextsPerBrowser);
  const needs = [...byProfile.values()].map((group) => ({
    media: group[0]!.media,
    browsers: Math.ceil(peakConcurrency(group.map((u) => u.span)) / perBrowser),
    shareContext: group.some((u) => u.sharesContext),
    sharers: peakConcurrency(group.filter((u) => u.sharesContext).map((u) => u.span)),
  }));
  let room = maxBrowsers;
  return needs
    .sort((a, b) => b.browsers - a.browsers)
    .map(({ sharers, ...need }) => {
      const browsers = Math.min(need.browsers, room);
      room -= browsers;
      // the users of a shared context at their peak, spread over its browsers (a window costs ~1 CPU-s)
      const windowsPerBrowser = need.shareContext && browsers > 0 ? Math.min(perBrowser, Math.ceil(sharers / browsers)) : 0;
      return { ...need, browsers, windowsPerBrowser };
    })
    .filter((need) => need.browsers > 0);
}
