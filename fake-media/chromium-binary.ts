// Which Chromium the fleet starts when none is named. The headless shell (Debian
// chromium-headless-shell: Chromium's old headless mode as a binary of its own, what Playwright's
// own headless runs use) when it is installed, else the full browser. Measured side by side
// (`npm run bench:density`, README "The headless shell"): 2–11% less CPU per user (within the
// runs' spread) and about a third less memory (PSS per chat user 140 → 88 MB at 10 users, per video
// user 224 → 160 at 4), so a machine whose memory runs out before its CPU holds a third more users.
import { existsSync } from 'node:fs';

// the binary itself: /usr/bin/chromium-headless-shell is a script that runs it as its child
export const headlessShellPath = '/usr/lib/chromium/chromium-headless-shell';
export const fullChromiumPath = '/usr/bin/chromium';

/** The headless shell if installed, else the full browser (whose absence preflight reports). */
export function defaultChromiumPath(): string {
  return existsSync(headlessShellPath) ? headlessShellPath : fullChromiumPath;
}
