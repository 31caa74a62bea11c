// Node side: the in-page host guard (in-page/network-guard-install.ts) as an init script, prefixed
// with its config; bundled like the probe (in-page/bundle.ts).
import { initScript } from '../../in-page/bundle.ts';
import { GUARD_CONFIG_GLOBAL, type GuardConfig } from '../../in-page/guard-protocol.ts';

/** The init script: config first, then the guard. */
export function guardInitScript(config: GuardConfig): Promise<string> {
  return initScript('network-guard-install.ts', GUARD_CONFIG_GLOBAL, config);
}
