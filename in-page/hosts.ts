// Which hosts traffic may go to. Pure: used in the page (ICE servers, WebSockets) and in
// Node (fleet/host-guard.ts), so both sides decide the same way.

/** "[::1]" → "::1", lower case. */
export function normalizeHost(host: string): string {
  const h = host.trim().toLowerCase();
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

export function isLoopbackHost(host: string): boolean {
  const h = normalizeHost(host);
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '0:0:0:0:0:0:0:1';
}

/** Splits an allowed-host entry into host and optional port: "127.0.0.1:8080", "[::1]:80", "::1", "localhost". */
export function parseHostEntry(entry: string): { host: string; port?: string } {
  const e = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(e);
  if (bracketed) return { host: normalizeHost(bracketed[1] ?? ''), ...(bracketed[2] ? { port: bracketed[2] } : {}) };
  const colons = e.split(':').length - 1;
  if (colons === 1) {
    const [host, port] = e.split(':');
    return { host: normalizeHost(host ?? ''), ...(port ? { port } : {}) };
  }
  return { host: normalizeHost(e) }; // a bare IPv6 address or a plain host name
}

/** True when host (and port, if the entry names one) matches an allowed entry. */
export function isHostAllowed(host: string, port: string | undefined, allowed: readonly string[]): boolean {
  const h = normalizeHost(host);
  return allowed.some((entry) => {
    const a = parseHostEntry(entry);
    return a.host === h && (a.port === undefined || a.port === (port ?? ''));
  });
}

/** Host and port of a stun:/turn:/turns: URL ("turn:host:3478?transport=udp", "stun:[::1]:19302"). */
export function iceUrlHost(url: string): { host: string; port?: string } | undefined {
  const m = /^(?:stuns?|turns?):(\[[^\]]+\]|[^:?/]+)(?::(\d+))?/i.exec(url.trim());
  if (!m || !m[1]) return undefined;
  return { host: normalizeHost(m[1]), ...(m[2] ? { port: m[2] } : {}) };
}

export function isIceUrlAllowed(url: string, allowed: readonly string[]): boolean {
  const parsed = iceUrlHost(url);
  // ICE ports differ from the web ports the operator named, so only the host is checked here
  return parsed !== undefined && allowed.some((entry) => parseHostEntry(entry).host === parsed.host);
}

/** The fields of an ICE candidate line ("candidate:1 1 udp 2122 192.0.2.2 5000 typ host ..."), with or without "a=". */
export function parseCandidate(line: string): { address: string; port: string; protocol: string; type: string } | undefined {
  const m = /^(?:a=)?candidate:\S+\s+\d+\s+(\S+)\s+\d+\s+(\S+)\s+(\d+)\s+typ\s+(\S+)/i.exec(line.trim());
  if (!m) return undefined;
  return { protocol: (m[1] ?? '').toLowerCase(), address: normalizeHost(m[2] ?? ''), port: m[3] ?? '', type: (m[4] ?? '').toLowerCase() };
}

/**
 * True when a remote ICE candidate may be contacted: its address is one of `addresses` (the
 * allowed hosts' addresses and this machine's own, where the fleet's other pages live). Any
 * port: ICE ports are picked at random. A name (mDNS "x.local" or any host name) is refused
 * unless named exactly, because it resolves outside our control.
 */
export function isCandidateAllowed(line: string, addresses: readonly string[]): boolean {
  const c = parseCandidate(line);
  if (!c) return false;
  return addresses.some((a) => normalizeHost(a) === c.address);
}
