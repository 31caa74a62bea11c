// Start-up, health, metrics and authentication of the reference Waddle on a free port.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startReferenceWaddle, type ReferenceWaddle } from './server.ts';
import { login, TestSocket } from './test-client.ts';
import { SESSIONS_PER_USER } from './state.ts';
import { existsSync } from 'node:fs';

let waddle: ReferenceWaddle;
beforeAll(async () => {
  waddle = await startReferenceWaddle({ port: 0 });
});
afterAll(() => waddle.stop());

describe('reference Waddle server', () => {
  it('binds loopback on a free port and answers /healthz', async () => {
    expect(waddle.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(waddle.port).toBeGreaterThan(0);
    const res = await fetch(`${waddle.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true });
  });

  it('serves the web client page and its bundle', async () => {
    const html = await (await fetch(`${waddle.url}/`)).text();
    expect(html).toContain('data-testid="login-form"');
    const js = await fetch(`${waddle.url}/app.js`);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(await js.text()).toContain('composer-input');
  });

  it('exposes Prometheus metrics that follow live connections', async () => {
    const token = await login(waddle.url, 'metrics-user');
    const socket = await TestSocket.open(waddle.url, token);
    const text = await (await fetch(`${waddle.url}/metrics`)).text();
    expect(text).toMatch(/^# TYPE waddle_ws_connections gauge$/m);
    expect(Number(/^waddle_ws_connections (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(1);
    for (const name of ['waddle_ws_messages_received_total', 'waddle_ws_messages_sent_per_second', 'waddle_uploads_in_flight', 'waddle_upload_bytes_total', 'waddle_voice_rooms', 'waddle_voice_participants', 'waddle_event_loop_delay_p99_ms', 'process_cpu_percent', 'process_resident_memory_bytes']) {
      expect(text).toMatch(new RegExp(`^${name} [\\d.]+$`, 'm'));
    }
    await socket.close();
  });

  it('requires a session for the API and the WebSocket', async () => {
    expect((await fetch(`${waddle.url}/api/waddles`)).status).toBe(401);
    expect((await fetch(`${waddle.url}/api/waddles`, { headers: { authorization: 'Bearer forged' } })).status).toBe(401);
    const token = await login(waddle.url, 'api-user');
    const res = await fetch(`${waddle.url}/api/waddles`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as { waddles: { id: string; voiceChannels: unknown[] }[] };
    expect(body.waddles.map((w) => w.id)).toEqual(['hq', 'sandbox']);
    expect(body.waddles[0]?.voiceChannels).toHaveLength(10);
    const refused = new WebSocket(`${waddle.url.replace('http', 'ws')}/ws?token=forged`);
    const status = await new Promise<number>((resolve) => refused.on('unexpected-response', (_req, r) => resolve(r.statusCode ?? 0)).on('error', () => resolve(-1)));
    expect(status).toBe(401);
  });

  it('keeps a bounded number of sessions per user: a login past it ends the oldest', async () => {
    const api = (token: string) => fetch(`${waddle.url}/api/waddles`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    const tokens: string[] = [];
    for (let i = 0; i <= SESSIONS_PER_USER; i++) tokens.push(await login(waddle.url, 'relogger'));
    expect(await api(tokens[0]!)).toBe(401); // the oldest, evicted
    expect(await api(tokens[1]!)).toBe(200);
    expect(await api(tokens.at(-1)!)).toBe(200);
  });

  it('checks passwords once a name has one, and validates usernames', async () => {
    await login(waddle.url, 'carol', 's3cret');
    await expect(login(waddle.url, 'carol', 'wrong')).rejects.toThrow(/401/);
    await expect(login(waddle.url, 'carol')).rejects.toThrow(/401/);
    await login(waddle.url, 'carol', 's3cret');
    await expect(login(waddle.url, 'no spaces allowed')).rejects.toThrow(/400/);
  });

  it('removes its temp data dir on stop, and stop is idempotent', async () => {
    const other = await startReferenceWaddle({ port: 0, voiceChannels: 3, textChannels: 5 });
    expect(existsSync(other.dataDir)).toBe(true);
    const token = await login(other.url, 'shape');
    const { waddles } = (await (await fetch(`${other.url}/api/waddles`, { headers: { authorization: `Bearer ${token}` } })).json()) as { waddles: { textChannels: { name: string }[]; voiceChannels: unknown[] }[] };
    expect(waddles[0]?.textChannels.map((c) => c.name)).toEqual(['general', 'random', 'load-test', 'chat-4', 'chat-5']);
    expect(waddles[0]?.voiceChannels).toHaveLength(3);
    await Promise.all([other.stop(), other.stop()]);
    expect(existsSync(other.dataDir)).toBe(false);
  });

  it('refuses invalid options with every problem at once', async () => {
    await expect(startReferenceWaddle({ port: -1, voiceChannels: 1.5 })).rejects.toThrow(/port: .*\n.*voiceChannels/s);
  });
});
