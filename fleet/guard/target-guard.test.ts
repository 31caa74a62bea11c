import { describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkTarget, isLoopbackAddress, waitForTarget } from './target-guard.ts';

describe('target guard', () => {
  it('knows loopback addresses', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackAddress(a)).toBe(true);
    for (const a of ['10.0.0.1', '192.168.1.1', '8.8.8.8', '::2', 'fe80::1', '128.0.0.1']) expect(isLoopbackAddress(a)).toBe(false);
  });

  it('accepts loopback targets and refuses others unless allowed', async () => {
    expect(await checkTarget('http://127.0.0.1:8080', false)).toEqual([]);
    expect(await checkTarget('http://localhost:8080', false)).toEqual([]);
    expect(await checkTarget('http://[::1]:8080', false)).toEqual([]);
    const refused = await checkTarget('http://10.1.2.3:8080', false);
    expect(refused[0]).toMatch(/not loopback.*--allow-remote-target/);
    expect(await checkTarget('http://10.1.2.3:8080', true)).toEqual([]);
    expect((await checkTarget('ftp://127.0.0.1', false))[0]).toMatch(/http\(s\)/);
  });

  it('refuses credentials in the target URL at once, without printing them', async () => {
    const [problem] = await checkTarget('http://admin:s3cret-canary@127.0.0.1:8080', false);
    expect(problem).toMatch(/carries credentials.*give the target without them/);
    expect(problem).not.toContain('s3cret-canary');
    expect(problem).not.toContain('admin');
  });
});

describe('waitForTarget', () => {
  const freePort = async (): Promise<number> => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise((r) => probe.close(r));
    return port;
  };

  it('refuses a target that never answers, saying how to fix it', async () => {
    const port = await freePort();
    const logs: string[] = [];
    const problem = await waitForTarget(`http://127.0.0.1:${port}/`, 1_200, (l) => logs.push(l));
    expect(problem).toMatch(/did not answer for 1 s \(ECONNREFUSED\).*--target-wait/);
    expect(logs[0]).toMatch(/waiting up to 1 s/);
  });

  it('waits for a target that comes up late, and any HTTP status counts as up', async () => {
    const port = await freePort();
    let server: Server | undefined;
    const later = setTimeout(() => {
      server = createServer((_req, res) => res.writeHead(503).end('starting')).listen(port, '127.0.0.1');
    }, 1_000);
    try {
      expect(await waitForTarget(`http://127.0.0.1:${port}/`, 10_000, () => {})).toBeUndefined();
    } finally {
      clearTimeout(later);
      await new Promise((r) => (server ? server.close(r) : r(undefined)));
    }
  });
});
