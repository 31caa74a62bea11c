// A browser user's HTTP and WebSocket bytes through its shaped listener and the real guard proxy,
// to a real server on loopback (no browser needed: the listener sees bytes, whoever sends them).
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GuardProxy } from '../fleet/guard/guard-proxy.ts';
import { messageLink } from './message-link.ts';
import { startShapedListener } from './shaped-listener.ts';

let server: http.Server;
let echo: net.Server;
let proxy: GuardProxy;
beforeAll(async () => {
  server = http.createServer((_req, res) => res.end('hello'));
  echo = net.createServer((s) => s.pipe(s)); // stands in for a WebSocket server: bytes back at once
  await Promise.all([server, echo].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
  proxy = await GuardProxy.start({ isAllowed: () => true, onRefused: () => {} });
});
afterAll(async () => {
  await proxy.close();
  await Promise.all([server, echo].map((s) => new Promise((r) => s.close(r))));
});

const get = (proxyUrl: string, target: string) => new Promise<number>((resolve, reject) => {
  const started = performance.now();
  const p = new URL(proxyUrl);
  http.get({ host: p.hostname, port: p.port, path: target, agent: false }, (res) => {
    res.resume();
    res.on('end', () => resolve(performance.now() - started));
  }).on('error', reject);
});

/** A CONNECT tunnel (how Chromium sends WebSockets through a proxy), then one echo round trip. */
const tunnelRoundTrip = (proxyUrl: string, port: number) => new Promise<number>((resolve, reject) => {
  const p = new URL(proxyUrl);
  const s = net.connect(Number(p.port), p.hostname, () => s.write(`CONNECT 127.0.0.1:${port} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n\r\n`));
  let started = 0;
  s.on('data', (d) => {
    if (d.toString().startsWith('HTTP/1.1 200')) {
      started = performance.now();
      s.write('ping');
    } else if (d.toString() === 'ping') {
      resolve(performance.now() - started);
      s.destroy();
    }
  });
  s.on('error', reject);
});

it('delays a user\'s HTTP requests and tunnelled (WebSocket) bytes by its profile, both ways, through the guard proxy', async () => {
  const target = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`;
  const echoPort = (echo.address() as net.AddressInfo).port;
  const direct = await get(proxy.url('page'), target);
  const shaped = await startShapedListener(proxy.url('page'), messageLink({ name: 'slow', up: { delayMs: 60 }, down: { delayMs: 90 } }, 1));
  try {
    const slow = await get(shaped.url, target);
    // the request crosses up once and the answer down once (a new connection: its handshake is local to the listener)
    expect(slow).toBeGreaterThanOrEqual(148); // 60 + 90 ms (a timer may fire up to 1 ms early)
    expect(slow - direct).toBeLessThan(400);
    const rtt = await tunnelRoundTrip(shaped.url, echoPort);
    expect(rtt).toBeGreaterThanOrEqual(148);
    expect(rtt).toBeLessThan(400);
  } finally {
    await shaped.close();
  }
});
