import { describe, expect, it } from 'vitest';
import { browserNeeds, type BrowserUser } from './prelaunch.ts';

const camera = { width: 160, height: 120, fps: 10 };
const user = (startAtMs: number, stopAtMs: number, media: BrowserUser['media'], sharesContext = true): BrowserUser => ({ span: { startAtMs, stopAtMs }, media, sharesContext });

describe('browserNeeds: the browsers a run starts before load', () => {
  it('the demo: 8 users of one media profile fill one browser of 8 contexts', () => {
    const users = Array.from({ length: 8 }, (_, i) => user(i * 2500, 80_000, { camera }));
    expect(browserNeeds(users, 8, 4)).toEqual([{ media: { camera }, browsers: 1, shareContext: true }]);
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
      { media: { camera }, browsers: 3, shareContext: true },
      { media: { voiceActivity: 0.52 }, browsers: 1, shareContext: false },
    ]);
  });

  it('at most maxBrowsers in all, the profiles that need most first; the rest start on demand', () => {
    const users = [...Array.from({ length: 6 }, () => user(0, 1000, { camera })), user(0, 1000, {})];
    expect(browserNeeds(users, 2, 2)).toEqual([{ media: { camera }, browsers: 2, shareContext: true }]);
    expect(browserNeeds([], 2, 2)).toEqual([]);
  });
});
