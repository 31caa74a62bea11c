// The guard proxy against real servers on loopback: 127.0.0.1 is allowed (one port), 127.0.0.2
// is the forbidden host. Each server counts what it received, so "refused" means "never arrived".
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuardProxy, type ProxyRefusal } from './guard-proxy.ts';

interface Counting {
  server: http.Server;
  port: number;
  hits: string[];
}

async function countingServer(host: string, handler?: http.RequestListener): Promise<Counting> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    if (handler) return handler(req, res);
    res.setHeader('set-cookie', ['a=1', 'b=2']);
    req.on('data', () => {});
    req.on('end', () => res.end(`hello from ${host}`));
  });
  server.on('connect', (_req, socket: net.Socket) => {
    hits.push('CONNECT');
    socket.end();
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { server, port: (server.address() as net.AddressInfo).port, hits };
}

/** Sends raw text to the proxy on one connection and collects everything that comes back. */
function raw(port: number, text: string, waitMs = 150): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    let out = '';
    socket.on('data', (d) => (out += d.toString()));
    socket.on('error', reject);
    setTimeout(() => (socket.destroy(), resolve(out)), waitMs);
  });
}

// one proxy and its servers for the whole file: the tests run in order and share the counts
let allowed: Counting;
let forbidden: Counting;
let otherLoopbackPort: Counting;
let proxy: GuardProxy;
let proxyPort: number;
const refusals: ProxyRefusal[] = [];

beforeAll(async () => {
  forbidden = await countingServer('127.0.0.2');
  otherLoopbackPort = await countingServer('127.0.0.1');
  allowed = await countingServer('127.0.0.1', (req, res) => {
    if (req.url === '/redirect') return void res.writeHead(302, { location: `http://127.0.0.2:${forbidden.port}/after-redirect?x=1` }).end();
    if (req.url === '/redirect-tls') return void res.writeHead(301, { location: `https://127.0.0.2:${forbidden.port}/` }).end();
    if (req.url === '/echo') return void req.pipe(res);
    res.setHeader('set-cookie', ['a=1', 'b=2']);
    res.end('hello from the target');
  });
  proxy = await GuardProxy.start({ isAllowed: (host, port) => host === '127.0.0.1' && port === String(allowed.port), onRefused: (r) => refusals.push(r) });
  proxyPort = Number(new URL(proxy.url('page')).port);
});
afterAll(async () => {
  await proxy.close();
  for (const s of [allowed, forbidden, otherLoopbackPort]) s.server.close();
});

describe('guard proxy: HTTP requests', () => {
  it('forwards an allowed request with its headers and body, and refuses other hosts and ports', async () => {
    const ok = await raw(proxyPort, `POST http://127.0.0.1:${allowed.port}/echo HTTP/1.1\r\nHost: 127.0.0.1:${allowed.port}\r\nProxy-Connection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`);
    expect(ok).toMatch(/^HTTP\/1.1 200/);
    expect(ok).toContain('hello');
    const cookies = await raw(proxyPort, `GET http://127.0.0.1:${allowed.port}/ HTTP/1.1\r\nHost: 127.0.0.1:${allowed.port}\r\n\r\n`);
    expect(cookies.match(/set-cookie: [ab]=\d/gi)).toHaveLength(2);
    const refused = await raw(proxyPort, `GET http://127.0.0.1:${otherLoopbackPort.port}/query HTTP/1.1\r\nHost: 127.0.0.1:${otherLoopbackPort.port}\r\nSec-Fetch-Dest: empty\r\n\r\n`);
    expect(refused).toMatch(/^HTTP\/1.1 403/);
    expect(otherLoopbackPort.hits).toEqual([]);
    expect(refusals.at(-1)).toEqual({ source: 'page', kind: 'request', url: `http://127.0.0.1:${otherLoopbackPort.port}/query`, host: `127.0.0.1:${otherLoopbackPort.port}` });
  });

  it('judges every request of a kept-alive connection on its own', async () => {
    const before = allowed.hits.length;
    const both = await raw(
      proxyPort,
      `GET http://127.0.0.1:${allowed.port}/first HTTP/1.1\r\nHost: 127.0.0.1:${allowed.port}\r\n\r\n` + `GET http://127.0.0.2:${forbidden.port}/second HTTP/1.1\r\nHost: 127.0.0.2:${forbidden.port}\r\n\r\n`,
    );
    expect(both.match(/HTTP\/1.1 \d+/g)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 403']);
    expect(allowed.hits.slice(before)).toEqual(['GET /first']);
    expect(forbidden.hits).toEqual([]);
  });

  it('calls a refused hop after a relayed redirect a redirect, and classifies by Sec-Fetch-Dest', async () => {
    refusals.length = 0;
    const first = await raw(proxyPort, `GET http://127.0.0.1:${allowed.port}/redirect HTTP/1.1\r\nHost: 127.0.0.1:${allowed.port}\r\n\r\n`);
    expect(first).toMatch(/^HTTP\/1.1 302/);
    await raw(proxyPort, `GET http://127.0.0.2:${forbidden.port}/after-redirect?x=1 HTTP/1.1\r\nHost: 127.0.0.2:${forbidden.port}\r\nSec-Fetch-Dest: empty\r\n\r\n`);
    for (const [dest, kind] of [
      ['document', 'navigation'],
      ['iframe', 'iframe'],
      ['sharedworker', 'worker'],
      ['image', 'request'],
    ]) {
      await raw(proxyPort, `GET http://127.0.0.2:${forbidden.port}/${dest} HTTP/1.1\r\nHost: 127.0.0.2:${forbidden.port}\r\nSec-Fetch-Dest: ${dest}\r\n\r\n`);
      expect(refusals.at(-1)?.kind).toBe(kind);
    }
    expect(refusals[0]).toMatchObject({ kind: 'redirect', url: `http://127.0.0.2:${forbidden.port}/after-redirect?x=1` });
    expect(forbidden.hits).toEqual([]);
  });
});

describe('guard proxy: tunnels and listeners', () => {
  it('tunnels CONNECT to an allowed host:port and refuses the rest', async () => {
    refusals.length = 0;
    const ok = await raw(proxyPort, `CONNECT 127.0.0.1:${allowed.port} HTTP/1.1\r\nHost: 127.0.0.1:${allowed.port}\r\n\r\nGET /inside HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(ok).toMatch(/^HTTP\/1.1 200 Connection Established\r\n\r\nHTTP\/1.1 200/);
    expect(allowed.hits.at(-1)).toBe('GET /inside');
    const refused = await raw(proxyPort, `CONNECT 127.0.0.2:${forbidden.port} HTTP/1.1\r\nHost: 127.0.0.2:${forbidden.port}\r\n\r\n`);
    expect(refused).toMatch(/^HTTP\/1.1 403/);
    expect(forbidden.hits).toEqual([]);
    expect(refusals).toEqual([{ source: 'page', kind: 'tunnel', url: `127.0.0.2:${forbidden.port}`, host: `127.0.0.2:${forbidden.port}` }]);
    // an https redirect: the next tunnel to that host:port is the redirect hop, the one after is not
    await raw(proxyPort, `GET http://127.0.0.1:${allowed.port}/redirect-tls HTTP/1.1\r\nHost: 127.0.0.1:${allowed.port}\r\n\r\n`);
    await raw(proxyPort, `CONNECT 127.0.0.2:${forbidden.port} HTTP/1.1\r\n\r\n`);
    await raw(proxyPort, `CONNECT 127.0.0.2:${forbidden.port} HTTP/1.1\r\n\r\n`);
    expect(refusals.slice(1).map((r) => r.kind)).toEqual(['redirect', 'tunnel']);
  });

  it('tells the browser listener apart and answers non-proxy requests with 400', async () => {
    refusals.length = 0;
    const browserPort = Number(new URL(proxy.url('browser')).port);
    await raw(browserPort, 'CONNECT update.googleapis.com:443 HTTP/1.1\r\nHost: update.googleapis.com:443\r\n\r\n');
    expect(refusals).toEqual([{ source: 'browser', kind: 'tunnel', url: 'update.googleapis.com:443', host: 'update.googleapis.com:443' }]);
    expect(await raw(proxyPort, 'GET /relative HTTP/1.1\r\nHost: x\r\n\r\n')).toMatch(/^HTTP\/1.1 400/);
  });
});
