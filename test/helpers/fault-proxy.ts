// A FAULT-INJECTING fake target for tests: a loopback proxy in front of a real reference Waddle
// that passes HTTP and WebSocket traffic through unchanged, except for the faults it is told to
// inject — raw frames sent to each client after the server's hello (e.g. `null`, `42`, `"hi"`),
// or every client socket closed a fixed time after it opened (a server that drops everyone).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

export interface FaultProxyOptions {
  /** the real target, e.g. http://127.0.0.1:8080 */
  readonly upstream: string;
  /** raw text frames sent to every client right after the upstream's first frame (its hello) */
  readonly injectAfterHello?: readonly string[];
  /** close every client WebSocket this long after it opened (code 1001, as a server going away) */
  readonly closeAfterMs?: number;
  /** close only the first this many sockets that way (default: every one) */
  readonly closeFirst?: number;
  /** answer GET /metrics with 404, as a target without a Prometheus endpoint */
  readonly hideMetrics?: boolean;
}

export interface FaultProxy {
  readonly url: string;
  /** what the proxy did, for the test to compare with what the fleet counted */
  readonly stats: { sockets: number; injected: number; closedByFault: number; metricsRequests: number };
  stop(): Promise<void>;
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const upstream = new URL(options.upstream);
  const stats = { sockets: 0, injected: 0, closedByFault: 0, metricsRequests: 0 };
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/metrics')) stats.metricsRequests++;
    if (options.hideMetrics && req.url?.startsWith('/metrics')) return void res.writeHead(404).end('not found');
    const forward = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', (e) => res.headersSent ? res.destroy() : res.writeHead(502).end(`fault proxy: upstream failed: ${e.message}`));
    req.pipe(forward);
  });
  const wss = new WebSocketServer({ noServer: true });
  const timers = new Set<NodeJS.Timeout>();
  server.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (client) => {
      stats.sockets++;
      const headers = req.headers.authorization ? { authorization: req.headers.authorization } : undefined;
      const up = new WebSocket(`ws://${upstream.host}${req.url ?? '/ws'}`, { ...(headers ? { headers } : {}), perMessageDeflate: false });
      const early: string[] = [];
      let helloSeen = false;
      up.on('open', () => early.splice(0).forEach((m) => up.send(m)));
      up.on('message', (data: Buffer) => {
        if (client.readyState !== WebSocket.OPEN) return;
        client.send(data.toString());
        if (!helloSeen) {
          helloSeen = true;
          for (const frame of options.injectAfterHello ?? []) {
            client.send(frame);
            stats.injected++;
          }
        }
      });
      client.on('message', (data: Buffer) => (up.readyState === WebSocket.OPEN ? up.send(data.toString()) : early.push(data.toString())));
      client.on('close', () => up.close());
      up.on('close', () => client.close());
      up.on('error', () => client.terminate());
      client.on('error', () => up.terminate());
      if (options.closeAfterMs !== undefined && stats.sockets <= (options.closeFirst ?? Infinity)) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (client.readyState !== WebSocket.OPEN) return;
          stats.closedByFault++;
          client.close(1001, 'fault injection: the target drops every connection');
        }, options.closeAfterMs);
        timers.add(timer);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    stop: async () => {
      for (const t of timers) clearTimeout(t);
      for (const c of wss.clients) c.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
