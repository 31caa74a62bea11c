// Uploads under bad or abusive input: a content type that cannot be a header is refused at
// create, a user holds a bounded number of open uploads, and idle uploads expire (file removed).
// That no descriptor is held between chunks is upload-fd-limit.test.ts.
import { createHash, randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UploadCompleted, UploadCreated } from './protocol.ts';
import { startReferenceWaddle, type ReferenceWaddle } from './server.ts';
import { login, TestSocket } from './test-client.ts';

const IDLE_MS = 1000;
const PER_USER = 3;
let waddle: ReferenceWaddle;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  waddle = await startReferenceWaddle({ port: 0, chunkBytes: 1024, maxOpenUploadsPerUser: PER_USER, uploadIdleTimeoutMs: IDLE_MS });
});
afterAll(async () => {
  await Promise.all(sockets.map((s) => s.close()));
  await waddle.stop();
});

/** Logs in and joins hq over a WebSocket (uploading needs the waddle joined); returns the token. */
async function member(name: string): Promise<string> {
  const token = await login(waddle.url, name);
  const socket = await TestSocket.open(waddle.url, token);
  sockets.push(socket);
  await socket.request({ type: 'waddle.join', waddleId: 'hq' });
  return token;
}

async function api(token: string, method: string, path: string, body?: string | Uint8Array): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${waddle.url}${path}`, { method, body, headers: { authorization: `Bearer ${token}`, ...(typeof body === 'string' ? { 'content-type': 'application/json' } : {}) } });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const createBody = (bytes: Uint8Array, extra: Record<string, unknown> = {}): string => JSON.stringify({ channelId: 'hq-general', name: 'f.bin', bytes: bytes.length, sha256: sha(bytes), ...extra });
const inFlight = async (): Promise<number> => Number(/^waddle_uploads_in_flight (\d+)$/m.exec(await (await fetch(`${waddle.url}/metrics`)).text())?.[1]);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function uploadWhole(token: string, bytes: Uint8Array, extra: Record<string, unknown> = {}): Promise<UploadCompleted> {
  const created = await api(token, 'POST', '/api/uploads', createBody(bytes, extra));
  expect(created.status).toBe(201);
  const { uploadId, chunkBytes } = created.json as unknown as UploadCreated;
  for (let offset = 0; offset < bytes.length; offset += chunkBytes) {
    expect((await api(token, 'PUT', `/api/uploads/${uploadId}/chunks?offset=${offset}`, bytes.subarray(offset, offset + chunkBytes))).status).toBe(200);
  }
  const done = await api(token, 'POST', `/api/uploads/${uploadId}/complete`);
  expect(done.status).toBe(200);
  return done.json as unknown as UploadCompleted;
}

describe('upload content type', () => {
  it('refuses a content type with CR/LF (or otherwise not a media type) at create, with a message', async () => {
    const token = await member('ct-user');
    const file = randomBytes(10);
    for (const contentType of ['text/plain\r\nx-injected: 1', 'text/plain\n', 'no slash', 'x'.repeat(200) + '/y', 42]) {
      const res = await api(token, 'POST', '/api/uploads', createBody(file, { contentType }));
      expect(res, JSON.stringify(contentType)).toMatchObject({ status: 400, json: { error: 'bad_request' } });
      expect(res.json.message).toMatch(/"contentType" must be a media type/);
    }
    expect(await inFlight()).toBe(0);
  });

  it('serves a valid content type back on download, and octet-stream when none was given', async () => {
    const token = await member('ct-good');
    const file = randomBytes(3000);
    const typed = await uploadWhole(token, file, { contentType: 'text/plain; charset=utf-8' });
    const res = await fetch(`${waddle.url}/api/attachments/${typed.attachment.id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(sha(new Uint8Array(await res.arrayBuffer()))).toBe(sha(file));
    const untyped = await uploadWhole(token, file);
    const plain = await fetch(`${waddle.url}/api/attachments/${untyped.attachment.id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(plain.headers.get('content-type')).toBe('application/octet-stream');
    await plain.arrayBuffer();
  });
});

describe('open uploads per user', () => {
  it(`refuses the ${PER_USER + 1}th open upload of a user with 429 too_many_uploads; others and completed ones are not counted`, async () => {
    const token = await member('hoarder');
    const file = randomBytes(10);
    const ids: string[] = [];
    for (let i = 0; i < PER_USER; i++) {
      const res = await api(token, 'POST', '/api/uploads', createBody(file));
      expect(res.status).toBe(201);
      ids.push(String(res.json.uploadId));
    }
    const refused = await api(token, 'POST', '/api/uploads', createBody(file));
    expect(refused).toMatchObject({ status: 429, json: { error: 'too_many_uploads' } });
    expect(refused.json.message).toMatch(new RegExp(`${PER_USER} uploads in progress.*limit`));
    // another user is not affected
    const other = await member('bystander');
    expect((await api(other, 'POST', '/api/uploads', createBody(file))).status).toBe(201);
    // finishing one frees its slot
    expect((await api(token, 'PUT', `/api/uploads/${ids[0]}/chunks?offset=0`, file)).status).toBe(200);
    expect((await api(token, 'POST', `/api/uploads/${ids[0]}/complete`)).status).toBe(200);
    expect((await api(token, 'POST', '/api/uploads', createBody(file))).status).toBe(201);
  });
});

describe('idle uploads', () => {
  it('expire after the idle timeout: 404, in-flight gauge down, partial file removed, slot freed', async () => {
    await sleep(IDLE_MS * 2); // let the uploads of earlier tests expire
    expect(await inFlight()).toBe(0);
    const token = await member('idler');
    const file = randomBytes(4096);
    const ids: string[] = [];
    for (let i = 0; i < PER_USER; i++) {
      const { json } = await api(token, 'POST', '/api/uploads', createBody(file));
      ids.push(String(json.uploadId));
      expect((await api(token, 'PUT', `/api/uploads/${json.uploadId}/chunks?offset=0`, file.subarray(0, 1024))).status).toBe(200);
    }
    expect(await inFlight()).toBe(PER_USER);
    expect(await readdir(waddle.dataDir)).toEqual(expect.arrayContaining(ids));
    await sleep(IDLE_MS * 2.5);
    expect(await inFlight()).toBe(0);
    const gone = await api(token, 'GET', `/api/uploads/${ids[0]}`);
    expect(gone).toMatchObject({ status: 404, json: { error: 'not_found' } });
    expect(gone.json.message).toMatch(/expired/);
    const left = await readdir(waddle.dataDir);
    for (const id of ids) expect(left).not.toContain(id);
    expect((await api(token, 'POST', '/api/uploads', createBody(file))).status).toBe(201);
  });

  it('do not expire while chunks keep coming', async () => {
    const token = await member('steady');
    const file = randomBytes(8 * 1024);
    const { json } = await api(token, 'POST', '/api/uploads', createBody(file));
    // one chunk every IDLE_MS/4: the whole upload takes 2 × IDLE_MS but is never idle for IDLE_MS
    for (let offset = 0; offset < file.length; offset += 1024) {
      await sleep(IDLE_MS / 4);
      expect((await api(token, 'PUT', `/api/uploads/${json.uploadId}/chunks?offset=${offset}`, file.subarray(offset, offset + 1024))).status).toBe(200);
    }
    expect(await api(token, 'POST', `/api/uploads/${json.uploadId}/complete`)).toMatchObject({ status: 200 });
  });
});
