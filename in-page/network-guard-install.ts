// The host guard's init script (bundled by fleet/guard-init-script.ts, added with
// context.addInitScript by HostGuard.attach): guards WebSocket, WebTransport and RTCPeerConnection in every
// frame before app code runs, and reports each refusal to Node at once (refusals are rare).
import { GUARD_BINDING, GUARD_CONFIG_GLOBAL, type GuardConfig, type GuardReport, type InPageBlockedKind } from './guard-protocol.ts';
import { guardPeerConnections, guardWebSockets, guardWebTransport } from './network-guard.ts';

(function installNetworkGuard(): void {
  const w = globalThis as typeof globalThis & Record<string, unknown>;
  const installed = `${GUARD_CONFIG_GLOBAL}Installed`;
  if (w[installed]) return; // once per realm
  w[installed] = true;
  const config = w[GUARD_CONFIG_GLOBAL] as GuardConfig | undefined;
  if (!config) return;
  const report = (kind: InPageBlockedKind, url: string) => {
    try {
      const send = w[GUARD_BINDING];
      if (typeof send === 'function') void (send as (r: GuardReport) => Promise<unknown>)({ kind, url })?.catch?.(() => {});
    } catch {}
  };
  try {
    guardWebSockets(config.allowedHosts, report);
  } catch {}
  try {
    guardWebTransport(config.allowedHosts, report);
  } catch {}
  try {
    guardPeerConnections(config, report);
  } catch {}
})();
