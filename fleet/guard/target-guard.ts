// Load goes only to targets the operator names, and by default only to loopback
// (RELIABILITY.md, safety of the target). A hostname is resolved and every address checked,
// so 'localhost.evil.example' pointing elsewhere is caught too.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export function isLoopbackAddress(address: string): boolean {
  const a = address.replace(/^\[|\]$/g, '').toLowerCase();
  if (a === '::1' || a === '0:0:0:0:0:0:0:1') return true;
  if (a.startsWith('::ffff:')) return isLoopbackAddress(a.slice(7));
  return isIP(a) === 4 && a.split('.')[0] === '127';
}

/** Returns problems (empty when the target is acceptable). */
export async function checkTarget(targetUrl: string, allowRemote: boolean): Promise<string[]> {
  let url: URL;
  try {
    url = new URL(targetUrl);
  } catch {
    return [`--target: '${targetUrl}' is not a URL; give one like http://127.0.0.1:8080`];
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return [`--target: expected an http(s) URL, got '${url.protocol}'`];
  }
  if (url.username || url.password) {
    // fetch and page navigations refuse such URLs, so every check would fail as "not answering"
    return [`--target: ${url.protocol}//***@${url.host}${url.pathname === '/' ? '' : url.pathname} carries credentials, which the fleet cannot send (browsers and fetch refuse URLs with them); give the target without them (the journeys log in as their own users)`];
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((r) => r.address);
  } catch (error) {
    return [`--target: cannot resolve '${host}' (${(error as Error).message}); check the host name`];
  }
  const remote = addresses.filter((a) => !isLoopbackAddress(a));
  if (remote.length > 0 && !allowRemote) {
    return [
      `--target: '${host}' resolves to ${remote.join(', ')}, which is not loopback. ` +
        `waddle-fleet only loads targets you name and own: add --allow-remote-target if this one is yours.`,
    ];
  }
  return [];
}

/**
 * A named target must answer before any browser starts: otherwise every user fails its first
 * step and the run reads as "Waddle is broken" when the URL or the deployment is. Any HTTP
 * answer counts (even 404 or 500); only a network failure does not. Retries for waitMs, so
 * workers started next to the target (compose, Kubernetes) can wait for it to come up.
 * Returns a problem sentence, or undefined when the target answered.
 */
export async function waitForTarget(targetUrl: string, waitMs: number, log: (line: string) => void): Promise<string | undefined> {
  const deadline = Date.now() + waitMs;
  let lastError: string;
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await fetch(targetUrl, { signal: AbortSignal.timeout(Math.max(500, Math.min(5_000, deadline - Date.now()))), redirect: 'manual' });
      await response.body?.cancel();
      return undefined;
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      lastError = cause?.code ?? cause?.message ?? (error as Error).message;
    }
    if (Date.now() >= deadline) break;
    if (attempt === 0) log(`target ${targetUrl} does not answer yet (${lastError}); waiting up to ${Math.round(waitMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, Math.min(1_000, Math.max(0, deadline - Date.now()))));
  }
  return `--target: ${targetUrl} did not answer for ${Math.round(waitMs / 1000)} s (${lastError}); start the target, fix the URL, or give it longer with --target-wait`;
}
