// HTTP and WebSocket of an impaired browser user: its context's proxy is a listener of its own that
// passes every byte to the host guard's proxy (fleet/guard/guard-proxy.ts, which still judges
// every request) through the user's link, chunk by chunk: the browser→fleet direction crosses the
// `up` link, the other `down` (network/message-link.ts: delay, jitter, rate; a loss is a TCP
// retransmission delay, never lost bytes). Browser users that share a context share its proxy, so
// an impaired user gets a context of its own (fleet/pool/browser-pool.ts). A chunk is what the
// socket read (up to 64 KiB), so loss is drawn per chunk, not per TCP segment.
import net from 'node:net';
import type { MessageLink } from './message-link.ts';

export interface ShapedListener {
  /** "http://127.0.0.1:PORT": the context's proxy server */
  readonly url: string;
  close(): Promise<void>;
}

export async function startShapedListener(proxyUrl: string, link: MessageLink): Promise<ShapedListener> {
  const target = new URL(proxyUrl);
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true }, (client) => {
    const upstream = net.connect({ host: target.hostname, port: Number(target.port), noDelay: true });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.once('close', () => sockets.delete(s));
    }
    // order is kept by the link; an end waits behind the data before it
    client.on('data', (chunk: Buffer) => link.up(chunk.length, () => upstream.destroyed || upstream.write(chunk)));
    upstream.on('data', (chunk: Buffer) => link.down(chunk.length, () => client.destroyed || client.write(chunk)));
    client.once('end', () => link.up(0, () => upstream.end()));
    upstream.once('end', () => link.down(0, () => client.end()));
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => link.down(0, () => client.destroy()));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
