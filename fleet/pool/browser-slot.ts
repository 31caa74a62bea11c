// A browser of the pool and what it carries, and what a plan needs of the pool before load.
import type { BrowserProcess } from './browser-process.ts';
import type { MediaProfile, VideoSize } from './media-profile.ts';
import type { Session } from './session.ts';
import type { SharedContext } from './shared-context.ts';

export interface BrowserSlot {
  readonly id: number;
  readonly profile: MediaProfile;
  readonly key: string;
  /** started by prelaunch, before load */
  readonly prelaunched: boolean;
  state: 'launching' | 'up' | 'closing' | 'dead';
  process?: BrowserProcess;
  readonly sessions: Set<Session>;
  /** users that waited for this browser and will open a session on it */
  reserved: number;
  /** the context its sharing users' pages live in (made by the first of them) */
  shared?: Promise<SharedContext>;
  ready: Promise<void>;
}

/** Browsers of one media profile a run's users will need at once (fleet/pool/prelaunch.ts). */
export interface BrowserNeed {
  readonly media: { readonly camera?: VideoSize; readonly voiceActivity?: number };
  readonly browsers: number;
  /** its users share a context (their driver's isolation: 'page'): that context is opened and warmed too */
  readonly shareContext: boolean;
  /** windows each browser's shared context opens before load for its users (0 without a shared context) */
  readonly windowsPerBrowser: number;
}
