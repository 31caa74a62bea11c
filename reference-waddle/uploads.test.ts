// Chunked uploads over HTTP: in-order chunks, resume by offset, limits, sha-256 at
// completion, the attachment posted into the channel and downloadable by another user.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerFrame, UploadCompleted, UploadCreated } from './protocol.ts';
import { startReferenceWaddle, type ReferenceWaddle } from './server.ts';
import { login, TestSocket } from './test-client.ts';

type Of<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;
const CHUNK = 16 * 1024;
let waddle: ReferenceWaddle;
let token: string;
let uploader: TestSocket;
let watcher: TestSocket;

beforeAll(async () => {
  waddle = await startReferenceWaddle({ port: 0, chunkBytes: CHUNK, maxUploadBytes: 256 * 1024 });
  token = await login(waddle.url, 'uploader');
  uploader = await TestSocket.open(waddle.url, token);
  await uploader.request({ type: 'waddle.join', waddleId: 'hq' });
  watcher = await TestSocket.open(waddle.url, await login(waddle.url, 'watcher'));
  await watcher.request({ type: 'waddle.join', waddleId: 'hq' });
  await watcher.request({ type: 'channel.open', channelId: 'hq-general' });
});
afterAll(async () => {
  await uploader.close();
  await watcher.close();
  await waddle.stop();
});

async function api(method: string, path: string, body?: string | Uint8Array, as = token): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${waddle.url}${path}`, { method, body, headers: { authorization: `Bearer ${as}`, ...(typeof body === 'string' ? { 'content-type': 'application/json' } : {}) } });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function create(bytes: Uint8Array, declaredSha = sha(bytes)): Promise<UploadCreated> {
  const { status, json } = await api('POST', '/api/uploads', JSON.stringify({ channelId: 'hq-general', name: 'data.bin', bytes: bytes.length, sha256: declaredSha }));
  expect(status).toBe(201);
  return json as unknown as UploadCreated;
}

describe('uploads', () => {
  it('takes chunks in order, resumes by offset, verifies sha-256, posts and serves the attachment', async () => {
    const file = randomBytes(100 * 1024 + 123);
    const up = await create(file);
    expect(up).toMatchObject({ chunkBytes: CHUNK, offset: 0 });
    let offset = 0;
    for (let i = 0; offset < file.length; i++) {
      if (i === 2) {
        // out of order: a chunk from the future is refused and the expected offset returned
        const ahead = await api('PUT', `/api/uploads/${up.uploadId}/chunks?offset=${offset + CHUNK}`, file.subarray(offset + CHUNK, offset + 2 * CHUNK));
        expect(ahead).toMatchObject({ status: 409, json: { error: 'offset_mismatch', expectedOffset: offset } });
        // resume point
        expect((await api('GET', `/api/uploads/${up.uploadId}`)).json).toMatchObject({ offset, bytes: file.length });
      }
      const res = await api('PUT', `/api/uploads/${up.uploadId}/chunks?offset=${offset}`, file.subarray(offset, offset + CHUNK));
      expect(res.status).toBe(200);
      offset = res.json.offset as number;
    }
    const metrics = await (await fetch(`${waddle.url}/metrics`)).text();
    expect(metrics).toMatch(/^waddle_uploads_in_flight 1$/m);
    const done = await api('POST', `/api/uploads/${up.uploadId}/complete`);
    expect(done.status).toBe(200);
    const completed = done.json as unknown as UploadCompleted;
    expect(completed.attachment).toMatchObject({ bytes: file.length, sha256: sha(file), name: 'data.bin' });
    const posted = await watcher.next<Of<'chat.message'>>((f) => f.type === 'chat.message' && f.message.attachment !== undefined);
    expect(posted.message).toMatchObject({ id: completed.messageId, author: 'uploader', attachment: { id: completed.attachment.id } });

    const other = await login(waddle.url, 'downloader');
    const res = await fetch(`${waddle.url}/api/attachments/${completed.attachment.id}`, { headers: { authorization: `Bearer ${other}` } });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.status).toBe(200);
    expect(sha(new Uint8Array(await res.arrayBuffer()))).toBe(sha(file));
    expect((await fetch(`${waddle.url}/api/attachments/${completed.attachment.id}`)).status).toBe(401);
  });

  it('refuses oversized chunks and files, and uploads of others', async () => {
    const file = randomBytes(40 * 1024);
    const up = await create(file);
    const big = await api('PUT', `/api/uploads/${up.uploadId}/chunks?offset=0`, randomBytes(CHUNK + 1));
    expect(big).toMatchObject({ status: 413, json: { error: 'too_large' } });
    // the upload is still usable after the refusal
    expect((await api('PUT', `/api/uploads/${up.uploadId}/chunks?offset=0`, file.subarray(0, CHUNK))).json).toMatchObject({ offset: CHUNK });
    const early = await api('POST', `/api/uploads/${up.uploadId}/complete`);
    expect(early).toMatchObject({ status: 409, json: { error: 'incomplete' } });
    const stranger = await login(waddle.url, 'stranger');
    expect((await api('GET', `/api/uploads/${up.uploadId}`, undefined, stranger)).status).toBe(404);
    const huge = await api('POST', '/api/uploads', JSON.stringify({ channelId: 'hq-general', name: 'huge', bytes: 256 * 1024 + 1, sha256: 'a'.repeat(64) }));
    expect(huge).toMatchObject({ status: 413, json: { error: 'too_large' } });
    const badSha = await api('POST', '/api/uploads', JSON.stringify({ channelId: 'hq-general', name: 'x', bytes: 1, sha256: 'nothex' }));
    expect(badSha.status).toBe(400);
    const notMember = await api('POST', '/api/uploads', JSON.stringify({ channelId: 'sandbox-chat', name: 'x', bytes: 1, sha256: 'a'.repeat(64) }));
    expect(notMember).toMatchObject({ status: 403, json: { error: 'not_member' } });
    expect((await api('POST', '/api/uploads', '{not json')).status).toBe(400);
  });

  it('discards an upload whose bytes do not match the declared sha-256', async () => {
    const file = randomBytes(20 * 1024);
    const up = await create(file, sha(randomBytes(8)));
    for (let offset = 0; offset < file.length; offset += CHUNK) {
      expect((await api('PUT', `/api/uploads/${up.uploadId}/chunks?offset=${offset}`, file.subarray(offset, offset + CHUNK))).status).toBe(200);
    }
    const done = await api('POST', `/api/uploads/${up.uploadId}/complete`);
    expect(done).toMatchObject({ status: 422, json: { error: 'hash_mismatch' } });
    expect((await api('GET', `/api/attachments/${up.uploadId}`)).status).toBe(404);
    expect((await api('GET', `/api/uploads/${up.uploadId}`)).status).toBe(404);
  });
});
