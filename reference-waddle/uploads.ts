// Chunked, resumable uploads over HTTP, sha-256 checked at completion, then posted into the
// channel as an attachment. Chunks must arrive in order (offset = bytes received so far); a
// client resumes by asking GET /api/uploads/:id for the offset. The uploads in progress, their
// limits and expiry live in open-uploads.ts.
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Hub } from './hub.ts';
import { HttpError, readBody, readJson, sendJson } from './http-util.ts';
import { contentTypeHeader, DEFAULT_CONTENT_TYPE, isMediaType, MAX_CONTENT_TYPE_LENGTH } from './media-type.ts';
import { OpenUploads, type OpenUpload, type UploadDeclaration } from './open-uploads.ts';
import type { ResolvedOptions } from './options.ts';
import type { Attachment, UploadCompleted, UploadCreated } from './protocol.ts';
import type { Directory } from './state.ts';
import type { ServerMetrics } from './server-metrics.ts';

interface StoredAttachment extends Attachment {
  readonly path: string;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export class Uploads {
  private readonly open: OpenUploads;
  readonly attachments = new Map<string, StoredAttachment>();

  constructor(
    private readonly options: ResolvedOptions,
    dataDir: string,
    private readonly directory: Directory,
    private readonly hub: Hub,
    private readonly metrics: ServerMetrics,
  ) {
    this.open = new OpenUploads(options, dataDir, metrics);
  }

  /** Handles /api/uploads/** and /api/attachments/*; returns false when the path is not ours. */
  async route(req: IncomingMessage, res: ServerResponse, url: URL, username: string): Promise<boolean> {
    const parts = url.pathname.split('/').filter(Boolean); // ['api', 'uploads', id, ...]
    if (parts[1] === 'attachments' && parts.length === 3 && req.method === 'GET') {
      this.download(res, parts[2] ?? '');
      return true;
    }
    if (parts[1] !== 'uploads') return false;
    if (parts.length === 2 && req.method === 'POST') return this.create(req, res, username).then(() => true);
    const upload = this.open.find(parts[2] ?? '', username);
    if (parts.length === 3 && req.method === 'GET') {
      sendJson(res, 200, { uploadId: upload.id, offset: upload.offset, bytes: upload.bytes });
      return true;
    }
    if (parts.length === 4 && parts[3] === 'chunks' && req.method === 'PUT') return this.chunk(req, res, upload, url).then(() => true);
    if (parts.length === 4 && parts[3] === 'complete' && req.method === 'POST') return this.complete(res, upload).then(() => true);
    return false;
  }

  private async create(req: IncomingMessage, res: ServerResponse, username: string): Promise<void> {
    const upload = await this.open.open(this.declaration(await readJson(req), username));
    sendJson(res, 201, { uploadId: upload.id, chunkBytes: this.options.chunkBytes, offset: 0 } satisfies UploadCreated);
  }

  /** Checks a create request's body; every refusal says which field and what it must be. */
  private declaration(body: Record<string, unknown>, username: string): UploadDeclaration {
    const { channelId, name, bytes, sha256 } = body;
    const contentType = body.contentType ?? DEFAULT_CONTENT_TYPE;
    if (typeof channelId !== 'string') throw new HttpError(400, 'bad_request', '"channelId" must be a string');
    if (typeof name !== 'string' || name.length === 0 || name.length > 255) throw new HttpError(400, 'bad_request', '"name" must be a file name of 1 to 255 characters');
    if (typeof bytes !== 'number' || !Number.isInteger(bytes) || bytes < 0) throw new HttpError(400, 'bad_request', '"bytes" must be the file size, a non-negative integer');
    if (bytes > this.options.maxUploadBytes) throw new HttpError(413, 'too_large', `file of ${bytes} bytes is over the ${this.options.maxUploadBytes}-byte upload limit`);
    if (typeof sha256 !== 'string' || !SHA256_HEX.test(sha256)) throw new HttpError(400, 'bad_request', '"sha256" must be the file\'s sha-256 as 64 lowercase hex digits');
    if (!isMediaType(contentType)) {
      throw new HttpError(400, 'bad_request', `"contentType" must be a media type such as "image/png" or "text/plain; charset=utf-8" (at most ${MAX_CONTENT_TYPE_LENGTH} characters, no CR/LF), got ${JSON.stringify(contentType).slice(0, 80)}; leave it out for ${DEFAULT_CONTENT_TYPE}`);
    }
    const channel = this.directory.textChannels.get(channelId);
    if (!channel) throw new HttpError(404, 'not_found', `no text channel ${JSON.stringify(channelId)}`);
    if (!channel.waddle.online.has(username)) throw new HttpError(403, 'not_member', `join waddle ${channel.waddle.id} (over the WebSocket) before uploading into ${channelId}`);
    return { owner: username, channel, name, bytes, sha256, contentType };
  }

  private async chunk(req: IncomingMessage, res: ServerResponse, upload: OpenUpload, url: URL): Promise<void> {
    const offset = Number(url.searchParams.get('offset'));
    if (!Number.isInteger(offset) || offset < 0) throw new HttpError(400, 'bad_request', '?offset= must be the byte offset of this chunk');
    if (upload.busy) throw new HttpError(409, 'busy', `upload ${upload.id} is receiving another chunk; send chunks one at a time`);
    if (offset !== upload.offset) {
      sendJson(res, 409, { error: 'offset_mismatch', message: `chunk at offset ${offset}, but upload ${upload.id} expects offset ${upload.offset}; resume from there`, expectedOffset: upload.offset });
      req.resume();
      return;
    }
    upload.busy = true;
    try {
      const data = await readBody(req, this.options.chunkBytes);
      if (upload.offset + data.length > upload.bytes) throw new HttpError(413, 'too_large', `chunk would take upload ${upload.id} past its declared ${upload.bytes} bytes`);
      await this.open.append(upload, data);
      this.metrics.uploadBytes += data.length;
      sendJson(res, 200, { offset: upload.offset });
    } finally {
      upload.busy = false;
    }
  }

  private async complete(res: ServerResponse, upload: OpenUpload): Promise<void> {
    if (upload.busy) throw new HttpError(409, 'busy', `upload ${upload.id} is still receiving a chunk`);
    if (upload.offset !== upload.bytes) throw new HttpError(409, 'incomplete', `upload ${upload.id} has ${upload.offset} of ${upload.bytes} bytes; send the rest from offset ${upload.offset}`);
    const actual = upload.hash.digest('hex');
    if (actual !== upload.sha256) {
      await this.open.discard(upload);
      throw new HttpError(422, 'hash_mismatch', `upload ${upload.id}: received bytes hash to ${actual}, not the declared ${upload.sha256}; the upload is discarded, start a new one`);
    }
    this.open.close(upload);
    const attachment: StoredAttachment = { id: upload.id, name: upload.name, bytes: upload.bytes, sha256: actual, contentType: upload.contentType, path: upload.path };
    this.attachments.set(attachment.id, attachment);
    this.metrics.uploadsCompleted += 1;
    const { path: _path, ...publicAttachment } = attachment;
    const messageId = this.directory.nextMessageId();
    this.hub.postMessage(upload.channel, {
      id: messageId,
      channelId: upload.channel.id,
      author: upload.owner,
      text: upload.name,
      serverTs: Date.now(),
      reactions: {},
      attachment: publicAttachment,
    });
    sendJson(res, 200, { attachment: publicAttachment, messageId } satisfies UploadCompleted);
  }

  private download(res: ServerResponse, id: string): void {
    const attachment = this.attachments.get(id);
    if (!attachment) throw new HttpError(404, 'not_found', `no attachment ${JSON.stringify(id)}`);
    res.writeHead(200, {
      'content-type': contentTypeHeader(attachment.contentType),
      'content-length': attachment.bytes,
      'content-disposition': `attachment; filename="${attachment.name.replace(/[^\w.-]/g, '_')}"`,
      'x-content-sha256': attachment.sha256,
      'cache-control': 'private, no-store',
      // a user's file is served as the type it was stored with, never sniffed into HTML or script
      'x-content-type-options': 'nosniff',
    });
    // the headers are sent: a read error can only cut the response short (the client sees fewer bytes)
    createReadStream(attachment.path)
      .on('error', () => res.destroy())
      .pipe(res);
  }

  closeAll(): void {
    this.open.closeAll();
  }
}
