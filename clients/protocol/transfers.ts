// Chunked uploads and verified downloads over the reference Waddle's HTTP API, as its web client
// does them (reference-waddle/web/upload.ts): declare the file with its sha-256, send chunks in
// order at the offset the server expects, and on a failed chunk ask the server where it stands
// (GET /api/uploads/:id, or the expectedOffset of a 409) and resume from there. The server checks
// the sha-256 at completion; downloads are hashed here and checked against x-content-sha256.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { UploadCompleted, UploadCreated } from '../../reference-waddle/protocol.ts';
import type { DownloadResult, UploadResult } from '../waddle-client.ts';
import { fetchFailure, HttpApiError, request, requestJson, type HttpApi } from './http-api.ts';

/** Consecutive failed chunks tolerated (each followed by a resume) before the upload fails. */
const MAX_CHUNK_RETRIES = 3;
/** Throughput assumed when bounding a download's body: slower than this is a failure, not a hang. */
const MIN_DOWNLOAD_BYTES_PER_MS = 500; // 0.5 MB/s, as the browser driver bounds uploads

export async function uploadFile(api: HttpApi, channelId: string, filePath: string): Promise<UploadResult> {
  const startedAtMs = performance.now();
  const { size } = await stat(filePath);
  const sha256 = await sha256OfFile(filePath);
  const name = basename(filePath);
  const created = await requestJson<UploadCreated>(api, { method: 'POST', path: '/api/uploads', what: `creating the upload of ${name} (${size} bytes)`, json: { channelId, name, bytes: size, sha256 } });
  const file = await open(filePath, 'r');
  try {
    let offset = created.offset;
    let failures = 0;
    const buffer = Buffer.allocUnsafe(Math.min(created.chunkBytes, Math.max(1, size)));
    while (offset < size) {
      const { bytesRead } = await file.read(buffer, 0, Math.min(buffer.length, size - offset), offset);
      try {
        offset = (await requestJson<{ offset: number }>(api, { method: 'PUT', path: `/api/uploads/${created.uploadId}/chunks?offset=${offset}`, what: `chunk at ${offset} of ${name}`, bytes: buffer.subarray(0, bytesRead) })).offset;
        failures = 0;
      } catch (error) {
        failures += 1;
        if (failures > MAX_CHUNK_RETRIES) throw error;
        offset = await resumeOffset(api, created.uploadId, error);
      }
    }
  } finally {
    await file.close();
  }
  const done = await requestJson<UploadCompleted>(api, { method: 'POST', path: `/api/uploads/${created.uploadId}/complete`, what: `completing the upload of ${name}` });
  if (done.attachment.sha256 !== sha256) {
    throw new HttpApiError(`${api.label}: the server stored ${name} with sha-256 ${done.attachment.sha256}, but the file hashes to ${sha256}`);
  }
  return { attachmentId: done.attachment.id, bytes: done.attachment.bytes, sha256, durationMs: performance.now() - startedAtMs };
}

/** Where to go on after a failed chunk: the server says so in a 409, or when asked. */
async function resumeOffset(api: HttpApi, uploadId: string, error: unknown): Promise<number> {
  const expected = error instanceof HttpApiError ? error.body?.expectedOffset : undefined;
  if (typeof expected === 'number') return expected;
  return (await requestJson<{ offset: number }>(api, { method: 'GET', path: `/api/uploads/${uploadId}`, what: `the resume offset of upload ${uploadId}` })).offset;
}

export async function downloadAttachment(api: HttpApi, attachmentId: string): Promise<DownloadResult> {
  const startedAtMs = performance.now();
  const what = `download of attachment ${attachmentId}`;
  const controller = new AbortController();
  let limitMs = api.timeoutMs;
  let timer = setTimeout(() => controller.abort(), limitMs);
  try {
    const res = await request(api, { method: 'GET', path: `/api/attachments/${encodeURIComponent(attachmentId)}`, what }, controller.signal).catch((error: unknown) => {
      throw error instanceof HttpApiError ? error : fetchFailure(api, what, limitMs, error);
    });
    // the body may be large: allow it the time its declared size needs at the minimum rate
    const declared = Number(res.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > 0) {
      clearTimeout(timer);
      limitMs = api.timeoutMs + declared / MIN_DOWNLOAD_BYTES_PER_MS;
      timer = setTimeout(() => controller.abort(), limitMs);
    }
    const hash = createHash('sha256');
    let bytes = 0;
    try {
      for await (const chunk of res.body ?? []) {
        hash.update(chunk as Uint8Array);
        bytes += (chunk as Uint8Array).length;
      }
    } catch (error) {
      throw fetchFailure(api, `${what} (reading the body)`, limitMs, error);
    }
    const sha256 = hash.digest('hex');
    const announced = res.headers.get('x-content-sha256');
    if (announced !== null && announced !== sha256) {
      throw new HttpApiError(`${api.label}: ${what}: received ${bytes} bytes hashing to ${sha256}, but the server announced sha-256 ${announced}`);
    }
    return { bytes, sha256, durationMs: performance.now() - startedAtMs };
  } finally {
    clearTimeout(timer);
  }
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
