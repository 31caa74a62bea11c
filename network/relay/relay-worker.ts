// The relay's own thread: the TURN server runs here so the fleet's main event loop (pages,
// metrics, hundreds of users) never delays a packet. Messages: network/relay/relay.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { TurnServer } from './turn-server.ts';
import type { FromRelay, ToRelay } from './relay.ts';

const { peerPrefixes } = workerData as { peerPrefixes: string[] };
const port = parentPort!;
const server = await TurnServer.start({ isPeerAllowed: (address) => peerPrefixes.some((p) => address === p || (p.endsWith('.') && address.startsWith(p))) });
const post = (m: FromRelay) => port.postMessage(m);
port.on('message', (m: ToRelay) => {
  if (m.type === 'add') server.addUser(m.user);
  else if (m.type === 'remove') server.removeUser(m.username);
  // the main thread's epoch instant → this thread's monotonic clock (both are timeOrigin + now)
  else if (m.type === 'loadStart') server.setLoadStart(m.epochMs - performance.timeOrigin);
  else if (m.type === 'counts') post({ type: 'counts', id: m.id, counts: server.counts(), activeMs: performance.eventLoopUtilization().active });
  else if (m.type === 'close') void server.close().then(() => post({ type: 'closed' }));
});
post({ type: 'ready', port: server.port });
