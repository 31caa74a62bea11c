// The Node half of the host guard (RELIABILITY.md, safety of the target): every request a
// context makes is matched against allowedHosts and refused before it leaves when it is not
// there. context.route does not see WebSockets or ICE servers; in-page/network-guard.ts
// refuses those inside the page and reports them through the probe.
import type { BrowserContext } from 'playwright-core';
import { isHostAllowed, isLoopbackHost, parseHostEntry } from '../in-page/hosts.ts';

export type BlockedKind = 'request' | 'websocket' | 'ice_server';

/** Schemes that never leave the machine. */
const localSchemes = new Set(['data:', 'blob:', 'about:', 'chrome:', 'chrome-error:', 'devtools:']);

export function isUrlAllowed(rawUrl: string, allowedHosts: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return false;
  }
  if (localSchemes.has(url.protocol)) return true;
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) return false;
  const port = url.port || (url.protocol === 'https:' || url.protocol === 'wss:' ? '443' : '80');
  return isHostAllowed(url.hostname, port, allowedHosts);
}

/** Throws when allowedHosts is empty or names a non-loopback host without the explicit opt-in. */
export function checkAllowedHosts(allowedHosts: readonly string[], allowNonLoopbackHosts = false): void {
  if (allowedHosts.length === 0) {
    throw new Error('BrowserPool: allowedHosts is empty; name the target host (e.g. ["127.0.0.1"]) so the host guard knows what may pass');
  }
  const remote = allowedHosts.filter((h) => !isLoopbackHost(parseHostEntry(h).host));
  if (remote.length && !allowNonLoopbackHosts) {
    throw new Error(
      `BrowserPool: allowedHosts contains non-loopback hosts (${remote.join(', ')}); waddle-fleet only sends traffic to loopback ` +
        'unless allowNonLoopbackHosts: true is set (the operator\'s explicit "this target is mine", e.g. --allow-remote-target)',
    );
  }
}

/** Aborts every request of `context` whose host is not allowed, and reports it. */
export async function installHostGuard(context: BrowserContext, allowedHosts: readonly string[], onBlocked: (kind: BlockedKind, url: string) => void): Promise<void> {
  await context.route(
    (url) => !isUrlAllowed(url.href, allowedHosts),
    async (route) => {
      onBlocked('request', route.request().url());
      await route.abort('blockedbyclient').catch(() => {});
    },
  );
}
