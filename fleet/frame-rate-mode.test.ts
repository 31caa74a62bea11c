import { describe, expect, it } from 'vitest';
import { browserDriver } from '../clients/browser/driver.ts';
import { defineDriver } from '../clients/driver.ts';
import { fullChromiumPath, headlessShellPath } from '../fake-media/chromium-binary.ts';
import { builtInJourneys } from '../journeys/registry.ts';
import { autoFrameRate, frameRateFor } from './frame-rate-mode.ts';

const chat = { driver: browserDriver, journey: builtInJourneys['chatMessaging'] };
const upload = { driver: browserDriver, journey: builtInJourneys['fileUpload'] };

describe('frameRateFor (--frame-rate)', () => {
  it('takes an asked rate or off as given', () => {
    expect(frameRateFor(10, fullChromiumPath, true, [chat]).fps).toBe(10);
    expect(frameRateFor(0, headlessShellPath, false, [chat]).fps).toBe(0);
  });

  it("'auto' paces built-in chat and upload journeys on the built-in client in the headless shell", () => {
    const choice = frameRateFor('auto', headlessShellPath, false, [chat, upload]);
    expect(choice.fps).toBe(autoFrameRate);
    expect(choice.why).toMatch(/--frame-rate auto: chat-only browser users; --frame-rate off draws every frame/);
    expect(frameRateFor('auto', headlessShellPath, false, []).fps).toBe(0); // no browser users
  });

  it("'auto' leaves pages alone where pacing was not shown to save or would move what is measured", () => {
    const off = (...args: Parameters<typeof frameRateFor>) => {
      const choice = frameRateFor(...args);
      expect(choice.fps).toBe(0);
      return choice.why;
    };
    expect(off('auto', fullChromiumPath, false, [chat])).toMatch(/not the headless shell/);
    expect(off('auto', headlessShellPath, true, [chat])).toMatch(/media marks/);
    expect(off('auto', headlessShellPath, false, [chat, { driver: browserDriver, journey: builtInJourneys['voiceCall'] }])).toMatch(/voiceCall needs voice/);
    expect(off('auto', headlessShellPath, false, [{ driver: browserDriver, journey: builtInJourneys['videoCall'] }])).toMatch(/videoCall needs voice, video/);
    expect(off('auto', headlessShellPath, false, [{ driver: browserDriver, journey: builtInJourneys['historyBrowsing'] }])).toMatch(/needs history/);
    // a plan's own journey or driver may click through Playwright itself, which waits for paced frames
    const own = { ...builtInJourneys['chatMessaging']! };
    expect(off('auto', headlessShellPath, false, [{ driver: browserDriver, journey: own }])).toMatch(/journey 'chatMessaging' is the plan's own/);
    const mine = defineDriver({ ...browserDriver, name: 'mine' });
    expect(off('auto', headlessShellPath, false, [{ driver: mine, journey: chat.journey }])).toMatch(/driver 'mine' is not the built-in browser client/);
  });
});
