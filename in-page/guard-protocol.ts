// The contract between the in-page half of the host guard (network-guard-install.ts) and the
// Node half (fleet/host-guard.ts). Pure types and constants: imported by the page bundle and Node.

/** The page calls window[GUARD_BINDING](report); HostGuard.attach exposes it with context.exposeBinding. */
export const GUARD_BINDING = '__waddleFleetGuard';
/** The init script sets window[GUARD_CONFIG_GLOBAL] before the guard bundle runs. */
export const GUARD_CONFIG_GLOBAL = '__waddleFleetGuardConfig';

export interface GuardConfig {
  /** host or host:port entries WebSockets may go to (the target's host:port and --allow-host) */
  readonly allowedHosts: readonly string[];
  /** hosts ICE (STUN/TURN) servers may be on: the allowed hosts and their addresses, any port */
  readonly iceHosts: readonly string[];
  /** addresses remote ICE candidates may have: the allowed hosts' and this machine's own */
  readonly candidateAddresses: readonly string[];
  /**
   * the fleet's impairing relay for this user (network/relay/): every peer connection of the page
   * uses only it (iceTransportPolicy 'relay'), so the user's network profile applies to all its media
   */
  readonly relay?: { readonly urls: string; readonly username: string; readonly credential: string };
}

/** What the page refused before anything left it. */
export type InPageBlockedKind = 'websocket' | 'webtransport' | 'ice_server' | 'ice_candidate';

export interface GuardReport {
  readonly kind: InPageBlockedKind;
  /** ws://host:port/path, https://host:port/path (WebTransport), stun:host:port, or udp://address:port for a candidate */
  readonly url: string;
}
