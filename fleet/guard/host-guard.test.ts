import { describe, expect, it } from 'vitest';
import { BlockedTally, hostOfBlockedUrl } from './blocked-tally.ts';
import { checkAllowedHosts, HostGuard, isUrlAllowed, runAllowList } from './host-guard.ts';

describe('host guard', () => {
  const allowed = ['127.0.0.1', 'localhost:8080'];
  it('lets loopback targets and local schemes through, refuses the rest', () => {
    expect(isUrlAllowed('http://127.0.0.1:5555/x', allowed)).toBe(true);
    expect(isUrlAllowed('ws://localhost:8080/ws', allowed)).toBe(true);
    expect(isUrlAllowed('ws://localhost:8081/ws', allowed)).toBe(false);
    expect(isUrlAllowed('data:text/plain,hi', allowed)).toBe(true);
    expect(isUrlAllowed('http://example.invalid/', allowed)).toBe(false);
    expect(isUrlAllowed('https://10.0.0.1/', allowed)).toBe(false);
    expect(isUrlAllowed('ftp://127.0.0.1/', allowed)).toBe(false);
    expect(isUrlAllowed('not a url', allowed)).toBe(false);
  });
  it('refuses non-loopback allowed hosts unless explicitly allowed', () => {
    expect(() => checkAllowedHosts(['127.0.0.1', '[::1]', 'localhost:3000'])).not.toThrow();
    expect(() => checkAllowedHosts(['127.0.0.1', 'waddle.example.com'])).toThrow(/non-loopback hosts \(waddle.example.com\)/);
    expect(() => checkAllowedHosts(['waddle.example.com'], true)).not.toThrow();
    expect(() => checkAllowedHosts([])).toThrow(/allowedHosts is empty/);
  });
  it('builds the run allow list from the target origin (explicit port) and --allow-host', () => {
    expect(runAllowList('http://127.0.0.1:8080/app')).toEqual(['127.0.0.1:8080']);
    expect(runAllowList('https://waddle.example.com', ['cdn.example.com', '127.0.0.1:9000'])).toEqual(['waddle.example.com:443', 'cdn.example.com', '127.0.0.1:9000']);
    expect(runAllowList('http://[::1]/')).toEqual(['[::1]:80']);
    // a local InfluxDB on another port of the target host is not in the list
    expect(isUrlAllowed('http://127.0.0.1:8086/write', runAllowList('http://127.0.0.1:8080'))).toBe(false);
    expect(() => runAllowList('ftp://x', ['http://cdn.example.com', 'a:99999', ''])).toThrow(
      /target 'ftp:\/\/x' is not an http\(s\) URL.*--allow-host 'http:\/\/cdn.example.com' is not a host or host:port.*--allow-host 'a:99999'.*--allow-host ''/,
    );
  });
});

describe('blocked tally', () => {
  it('counts page attempts per host and kind with the first distinct URLs, the browser\'s own apart', () => {
    const tally = new BlockedTally();
    for (let i = 0; i < 3; i++) tally.add({ kind: 'redirect', url: 'http://127.0.0.2:5000/x', host: '127.0.0.2:5000', source: 'page' });
    tally.add({ kind: 'websocket', url: 'ws://127.0.0.2:5000/ws', host: '127.0.0.2:5000', source: 'page' });
    tally.add({ kind: 'request', url: 'http://127.0.0.1:8086/write', host: '127.0.0.1:8086', source: 'page' });
    for (let i = 0; i < 12; i++) tally.add({ kind: 'request', url: `http://127.0.0.3/${i}`, host: '127.0.0.3:80', source: 'page' });
    tally.add({ kind: 'tunnel', url: 'update.googleapis.com:443', host: 'update.googleapis.com:443', source: 'browser' });
    const s = tally.summary();
    expect(s.total).toBe(17);
    expect(s.byHost).toEqual({ '127.0.0.2:5000': 4, '127.0.0.1:8086': 1, '127.0.0.3:80': 12 });
    expect(s.byKind).toEqual({ redirect: 3, websocket: 1, request: 13 });
    // a few URLs of each kind: twelve requests to 127.0.0.3 do not push the WebSocket out
    expect(s.examples).toEqual(['redirect http://127.0.0.2:5000/x', 'websocket ws://127.0.0.2:5000/ws', 'request http://127.0.0.1:8086/write', 'request http://127.0.0.3/0', 'request http://127.0.0.3/1']);
    expect(s.browser).toEqual({ total: 1, byHost: { 'update.googleapis.com:443': 1 }, examples: ['tunnel update.googleapis.com:443'] });
  });
  it('finds the host:port of every kind of refused URL', () => {
    expect(hostOfBlockedUrl('ws://127.0.0.2/ws')).toBe('127.0.0.2:80');
    expect(hostOfBlockedUrl('wss://[::1]/ws')).toBe('[::1]:443');
    expect(hostOfBlockedUrl('stun:127.0.0.2:3478')).toBe('127.0.0.2:3478');
    expect(hostOfBlockedUrl('turn:turn.example.com?transport=tcp')).toBe('turn.example.com');
    expect(hostOfBlockedUrl('udp://127.0.0.2:5000')).toBe('127.0.0.2:5000');
    expect(hostOfBlockedUrl('tcp://[fd00::9]:9')).toBe('[fd00::9]:9');
  });
  it('lets pages reach allowed host:port entries direct and sends everything else through the proxy', async () => {
    const guard = await HostGuard.start({ allowedHosts: ['127.0.0.1:8080', '127.0.0.1', '[::1]:9000'] });
    try {
      // a bare host stays proxied: with "127.0.0.1" in the list Playwright would drop "<-loopback>"
      expect(guard.contextProxy()).toEqual({ server: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), bypass: '127.0.0.1:8080,[::1]:9000' });
      expect(guard.launchProxy()).toEqual({ server: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) }); // the browser's own: never direct
    } finally {
      await guard.close();
    }
  });
});
