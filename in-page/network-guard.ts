// In-page half of the host guard: context.route (Node side) sees HTTP but not WebSocket
// connections nor WebRTC ICE servers, so those are checked here, before any packet leaves.
import { isHostAllowed, isIceUrlAllowed } from './hosts.ts';

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
