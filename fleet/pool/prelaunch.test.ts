import { describe, expect, it } from 'vitest';
import { browserNeeds, type BrowserUser } from './prelaunch.ts';

const camera = { width: 160, height: 120, fps: 10 };
const user = (startAtMs: number, stopAtMs: number, media: BrowserUser['media'], sharesContext = true): BrowserUser => ({ span: { startAtMs, stopAtMs }, media, sharesContext });

describe('browserNeeds: the browsers a run starts before load', () => {
  it('the demo: 8 users of one media profile fill one browser of 8 contexts', () => {
    const users = Array.from({ length: 8 }, (_, i) => user(i * 2500, 80_000, { camera }));
    expect(browserNeeds(users, 8, 4)).toEqual([{ media: { camera }, browsers: 1, shareContext: true, windowsPerBrowser: 8 }]);
  });

  it('one browser per contextsPerBrowser users at their peak, per media profile (voice activity rounded as the pool keys it)', () => {
    const users = [
      ...Array.from({ length: 5 }, () => user(0, 10_000, { camera })),
      user(0, 10_000, { voiceActivity: 0.52 }, false),
      user(5_000, 10_000, { voiceActivity: 0.48 }, false),
      // a user who starts once another stopped reuses its place
      user(10_000, 20_000, { voiceActivity: 0.5 }, false),
    ];
    expect(browserNeeds(users, 2, 8)).toEqual([
      { media: { camera }, browsers: 3, shareContext: true, windowsPerBrowser: 2 },
      { media: { voiceActivity: 0.52 }, browsers: 1, shareContext: false, windowsPerBrowser: 0 },
    ]);
  });

  it('at most maxBrowsers in all, the profiles that need most first; the rest start on demand', () => {
    const users = [...Array.from({ length: 6 }, () => user(0, 1000, { camera })), user(0, 1000, {})];
    expect(browserNeeds(users, 2, 2)).toEqual([{ media: { camera }, browsers: 2, shareContext: true, windowsPerBrowser: 2 }]);
    expect(browserNeeds([], 2, 2)).toEqual([]);
  });

  it('windows for the users of a shared context at their peak, spread over its browsers; none for users of their own contexts', () => {
    const users = [
      ...Array.from({ length: 5 }, (_, i) => user(i * 1000, 10_000, { camera })),
      user(0, 10_000, { camera }, false),
      // starts when the first sharers stopped: it takes a place, not one more window
      user(10_000, 20_000, { camera }),
    ];
    expect(browserNeeds(users, 4, 8)).toEqual([{ media: { camera }, browsers: 2, shareContext: true, windowsPerBrowser: 3 }]);
    expect(browserNeeds(users, 4, 1)).toEqual([{ media: { camera }, browsers: 1, shareContext: true, windowsPerBrowser: 4 }]);
  });
});
