// Login over a kept connection that the server dropped (fault injection: a raw TCP server that
// answers the first login with keep-alive, then resets the connection when a second request
// arrives on it, as a server whose keep-alive timeout fired just then does). The login must go
// again on a new connection, and a reset of a fresh connection must still fail.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { login } from './http-login.ts';
import type { HttpApi } from './http-api.ts';

const servers: net.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A server answering each connection's first request; a later request on it, or any if `resetAll`, is reset. */
async function fakeServer(resetAll = false): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    let requests = 0;
    socket.on('data', (chunk) => {
      if (!chunk.toString().includes('\r\n\r\n')) return;
      requests++;
      if (resetAll || requests > 1) {
        socket.resetAndDestroy();
        return;
      }
      const body = JSON.stringify({ token: `t${connections}` });
      socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: keep-alive\r\n\r\n${body}`);
    });
    socket.on('error', () => {});
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { url: `http://127.0.0.1:${port}`, connections: () => connections };
}

const api = (baseUrl: string): HttpApi => ({ baseUrl, label: 'vu-test', timeoutMs: 5_000 }) as HttpApi;

describe('login over node:http', () => {
  it('sends a login again on a new connection when the kept one was reset', async () => {
    const server = await fakeServer();
    expect(await login(api(server.url), 'a', undefined)).toBe('t1');
    expect(await login(api(server.url), 'b', undefined)).toBe('t2');
    expect(server.connections()).toBe(2);
  });

  it('fails a login whose fresh connection is reset, with the words the fleet classifies by', async () => {
    const server = await fakeServer(true);
    await expect(login(api(server.url), 'a', undefined)).rejects.toThrow(/login failed: .*(ECONNRESET|socket hang up)/);
  });
});
