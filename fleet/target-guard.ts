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
