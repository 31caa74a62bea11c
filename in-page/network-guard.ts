// In-page half of the host guard. The guard proxy (fleet/guard-proxy.ts) sees every HTTP request
// and WebSocket, but not WebRTC: ICE servers and remote candidates are UDP/TCP the browser opens
// itself, so they are checked here, before any packet leaves. WebSockets are also checked here
// (in the page's own realm) so a refusal carries the full URL; the proxy still catches the rest
// (workers, frames the init script missed).
import { isCandidateAllowed, isHostAllowed, isIceUrlAllowed, parseCandidate } from './hosts.ts';

export type BlockedReport = (what: 'ice_server' | 'websocket', url: string) => void;

/** A copy of an RTCConfiguration without ICE server URLs whose host is not allowed. */
export function stripIceServers(config: RTCConfiguration | undefined, allowed: readonly string[], report: BlockedReport): RTCConfiguration | undefined {
  if (!config || !Array.isArray(config.iceServers)) return config;
  try {
    const iceServers: RTCIceServer[] = [];
    for (const server of config.iceServers) {
      const urls = typeof server.urls === 'string' ? [server.urls] : Array.from(server.urls ?? []);
      const kept = urls.filter((url) => {
        const ok = isIceUrlAllowed(url, allowed);
        if (!ok) report('ice_server', url);
        return ok;
      });
      if (kept.length) iceServers.push({ ...server, urls: kept });
    }
    return { ...config, iceServers };
  } catch {
    // never throw into the app, and never let an unchecked server through
    return { ...config, iceServers: [] };
  }
}

/** Wraps window.WebSocket so a connection to a host not allowed fails with SecurityError. */
export function guardWebSockets(allowed: readonly string[], report: BlockedReport): void {
  const Native = globalThis.WebSocket;
  if (!Native) return;
  class GuardedWebSocket extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      let parsed: URL | undefined;
      try {
        parsed = new URL(String(url), location.href);
      } catch {}
      if (parsed) {
        const port = parsed.port || (parsed.protocol === 'wss:' || parsed.protocol === 'https:' ? '443' : '80');
        if (!isHostAllowed(parsed.hostname, port, allowed)) {
          report('websocket', parsed.href);
          // the standard error for a connection the page may not make (as CSP does)
          throw new DOMException(`waddle-fleet host guard: WebSocket to ${parsed.host} is not in allowedHosts`, 'SecurityError');
        }
      }
      super(url, protocols);
    }
  }
  Object.defineProperty(GuardedWebSocket, 'name', { value: 'WebSocket' });
  Object.defineProperty(globalThis, 'WebSocket', { value: GuardedWebSocket, writable: true, configurable: true, enumerable: false });
}

export type CandidateReport = (what: 'ice_candidate', url: string) => void;

/** "udp://127.0.0.2:5000" for a candidate line: what a refusal is reported as. */
export function candidateUrl(line: string): string {
  const c = parseCandidate(line);
  if (!c) return line;
  return `${c.protocol}://${c.address.includes(':') ? `[${c.address}]` : c.address}:${c.port}`;
}

/** The SDP without the a=candidate lines whose address may not be contacted. */
export function stripRemoteCandidates(sdp: string, addresses: readonly string[], report: CandidateReport): string {
  return sdp.replace(/^a=candidate:[^\r\n]*(?:\r?\n)?/gm, (line) => {
    if (isCandidateAllowed(line, addresses)) return line;
    report('ice_candidate', candidateUrl(line));
    return '';
  });
}

export interface PeerConnectionRules {
  readonly iceHosts: readonly string[];
  readonly candidateAddresses: readonly string[];
  readonly relay?: RTCIceServer;
}

/**
 * The page's configuration with the fleet's relay as its only ICE server and relay candidates
 * only: then every packet of the user's media passes the relay, which applies its network
 * profile, whatever the other side offers (its host candidates are reached from the relay).
 */
export function throughRelay(config: RTCConfiguration | undefined, relay: RTCIceServer | undefined): RTCConfiguration | undefined {
  if (!relay) return config;
  return { ...config, iceServers: [relay], iceTransportPolicy: 'relay' };
}

type Callback = (...a: unknown[]) => void;

/**
 * Replaces window.RTCPeerConnection with a subclass that drops ICE servers and remote
 * candidates whose host is not allowed. A dropped candidate resolves like an added one (the
 * app goes on; ICE simply never tries that address). Works whether the probe's wrapper is
 * installed before or after (each subclasses whatever window.RTCPeerConnection is then).
 */
export function guardPeerConnections(rules: PeerConnectionRules, report: (what: 'ice_server' | 'ice_candidate', url: string) => void): void {
  const Native = globalThis.RTCPeerConnection;
  if (!Native) return;
  // refusals are counted first; the page's allowed servers then give way to the relay, if any
  const servers = (config?: RTCConfiguration) => throughRelay(stripIceServers(config, rules.iceHosts, (_what, url) => report('ice_server', url)), rules.relay);
  const description = (d: unknown): unknown => {
    const desc = d as RTCSessionDescriptionInit | null | undefined;
    if (!desc || typeof desc !== 'object' || typeof desc.sdp !== 'string') return d;
    try {
      const sdp = stripRemoteCandidates(desc.sdp, rules.candidateAddresses, report);
      return sdp === desc.sdp ? d : { type: desc.type, sdp };
    } catch {
      return d;
    }
  };
  const refusedCandidate = (c: unknown): string | undefined => {
    const line = c && typeof c === 'object' ? (c as { candidate?: unknown }).candidate : undefined;
    // "" is end-of-candidates; unparsable lines go to Chromium, which rejects them itself
    if (typeof line !== 'string' || !parseCandidate(line) || isCandidateAllowed(line, rules.candidateAddresses)) return undefined;
    return line;
  };
  class GuardedRTCPeerConnection extends Native {
    constructor(configuration?: RTCConfiguration) {
      super(servers(configuration) ?? throughRelay({}, rules.relay));
    }
    override setConfiguration(configuration?: RTCConfiguration): void {
      return super.setConfiguration(servers(configuration));
    }
    override setRemoteDescription(...args: unknown[]): Promise<void> {
      args[0] = description(args[0]);
      return (super.setRemoteDescription as (...a: unknown[]) => Promise<void>).apply(this, args);
    }
    override addIceCandidate(...args: unknown[]): Promise<void> {
      const refused = refusedCandidate(args[0]);
      if (refused === undefined) return (super.addIceCandidate as (...a: unknown[]) => Promise<void>).apply(this, args);
      report('ice_candidate', candidateUrl(refused));
      if (typeof args[1] === 'function') (args[1] as Callback)(); // legacy (candidate, success, failure)
      return Promise.resolve();
    }
  }
  Object.defineProperty(GuardedRTCPeerConnection, 'name', { value: 'RTCPeerConnection' });
  for (const name of ['RTCPeerConnection', 'webkitRTCPeerConnection']) {
    if (name in globalThis) Object.defineProperty(globalThis, name, { value: GuardedRTCPeerConnection, writable: true, configurable: true, enumerable: false });
  }
}

/**
 * Wraps window.WebTransport like WebSocket. Chromium does not send WebTransport (HTTP/3 over
 * UDP) through a proxy: under the guard proxy it fails even to an allowed host, and without this
 * wrapper a refused one would fail silently, uncounted.
 */
export function guardWebTransport(allowed: readonly string[], report: (what: 'webtransport', url: string) => void): void {
  const Native = (globalThis as { WebTransport?: new (url: string | URL, options?: unknown) => object }).WebTransport;
  if (!Native) return;
  class GuardedWebTransport extends Native {
    constructor(url: string | URL, options?: unknown) {
      let parsed: URL | undefined;
      try {
        parsed = new URL(String(url), location.href);
      } catch {}
      if (parsed && !isHostAllowed(parsed.hostname, parsed.port || '443', allowed)) {
        report('webtransport', parsed.href);
        throw new DOMException(`waddle-fleet host guard: WebTransport to ${parsed.host} is not in allowedHosts`, 'SecurityError');
      }
      super(url, options);
    }
  }
  Object.defineProperty(GuardedWebTransport, 'name', { value: 'WebTransport' });
  Object.defineProperty(globalThis, 'WebTransport', { value: GuardedWebTransport, writable: true, configurable: true, enumerable: false });
}
