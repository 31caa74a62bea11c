// What a client's connection went through (WaddleClient.onConnection, optional): every drop,
// reconnection and protocol error counted per journey and driver (connection.drops,
// connection.reconnects, connection.protocol_errors; the built-in gate judges them) and told as a
// 'connection' event; and for the virtual user, whether an iteration ran without a connection.
// A protocol user whose socket the target closed went on "completing" iterations whose every send
// failed as a non-critical step, so a server that dropped everyone passed a loose step gate (issue 19).
import type { ConnectionEvent, WaddleClient } from '../../clients/waddle-client.ts';
import type { MetricsRecorder, RunEvent, Tags } from '../../metrics/types.ts';

export interface ConnectionWatch {
  /** An iteration starts (one that starts while the connection is down has already lost it). */
  startIteration(): void;
  /** Why the iteration since startIteration ran without a connection for a while; undefined when it never did. */
  lostDuringIteration(): string | undefined;
  stop(): void;
}

const metricOf = { lost: 'connection.drops', restored: 'connection.reconnects', protocol_error: 'connection.protocol_errors' } as const;

/** Watch a client that reports its connection; undefined for one that does not. */
export function watchConnection(client: WaddleClient, recorder: MetricsRecorder, tags: Tags, emit: (event: Omit<RunEvent, 'timeMs'>) => void): ConnectionWatch | undefined {
  if (typeof client.onConnection !== 'function') return undefined;
  // a zero for each, so the gate sees "none" rather than "no data" for a user that had no trouble
  for (const metric of Object.values(metricOf)) recorder.record(metric, 0, tags);
  let connected = true;
  let lost: string | undefined;
  const off = client.onConnection((event: ConnectionEvent) => {
    recorder.record(metricOf[event.kind], 1, tags);
    emit({ type: 'connection', ...(event.kind === 'restored' ? {} : { reason: event.kind === 'lost' ? 'network' : 'target_error' }), message: event.message, tags, data: { kind: event.kind } });
    if (event.kind === 'lost') {
      connected = false;
      lost ??= event.message;
    } else if (event.kind === 'restored') {
      connected = true;
    }
  });
  // methods, not arrow properties: one watch per user, and under tsx (esbuild keepNames) each
  // named arrow also gets its own property storage (~250 bytes); methods of a literal do not
  return {
    startIteration() {
      lost = connected ? undefined : 'the connection to the target was still down when the iteration started (reconnecting)';
    },
    lostDuringIteration() {
      return lost;
    },
    stop: off,
  };
}
