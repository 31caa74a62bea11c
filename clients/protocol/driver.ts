// The built-in protocol driver: the reference Waddle's own protocol (HTTP + one WebSocket), no
// browser. Thousands of users per process make the load; they join calls and signal, but decode no
// media (no 'media' capability): their wait_remote_* steps wait for the other side's signalling.
import { defineDriver } from '../driver.ts';
import { protocolCapabilities, ProtocolWaddleClient } from './protocol-waddle-client.ts';

export const protocolDriver = defineDriver({
  name: 'protocol',
  kind: 'protocol',
  description: "the reference Waddle's own protocol over HTTP and one WebSocket, no browser (load; thousands per process)",
  capabilities: protocolCapabilities,
  create: ({ target, username, network }) => new ProtocolWaddleClient({ baseUrl: target, username, ...(network ? { network } : {}) }),
});
