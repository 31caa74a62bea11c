// Uploads in progress. Three bounds keep one user from exhausting the server:
// - at most maxOpenUploadsPerUser open uploads per user (429 too_many_uploads past it);
// - an upload with no chunk for uploadIdleTimeoutMs expires and its partial file is removed;
// - no file descriptor is held between chunks: each chunk opens the file, writes at its offset
//   and closes it, so abandoned uploads cost a small record and a hash state, not a descriptor
//   (with one descriptor each, 400 abandoned uploads under `ulimit -n 256` broke new WebSockets).
import { createHash, type Hash } from 'node:crypto';
import { open, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HttpError } from './http-util.ts';
import type { ServerMetrics } from './server-metrics.ts';
import type { TextChannel } from './state.ts';

export interface UploadLimits {
  readonly maxOpenUploadsPerUser: number;
  readonly uploadIdleTimeoutMs: number;
}

/** What a client declares when it creates an upload. */
export interface UploadDeclaration {
  readonly owner: string;
  readonly channel: TextChannel;
  readonly name: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly contentType: string;
}

export interface OpenUpload extends UploadDeclaration {
  readonly id: string;
  readonly path: string;
  readonly hash: Hash;
  offset: number;
  /** a chunk is being written: a second one for the same upload is refused, not interleaved */
  busy: boolean;
  readonly idleTimer: NodeJS.Timeout;
}

/** Expired ids remembered so a late chunk hears "expired", not "never existed"; bounded. */
const EXPIRED_REMEMBERED = 1024;

export class OpenUploads {
  private readonly uploads = new Map<string, OpenUpload>();
  private readonly openPerUser = new Map<string, number>();
  private readonly expired = new Map<string, string>(); // id → owner
  private counter = 0;

  constructor(
    private readonly limits: UploadLimits,
    private readonly dataDir: string,
    private readonly metrics: ServerMetrics,
  ) {}

  /** Creates the (empty) file and registers the upload; 429 past the per-user limit. */
  async open(declared: UploadDeclaration): Promise<OpenUpload> {
    const mine = this.openPerUser.get(declared.owner) ?? 0;
    if (mine >= this.limits.maxOpenUploadsPerUser) {
      throw new HttpError(429, 'too_many_uploads', `user ${declared.owner} has ${mine} uploads in progress, the per-user limit (maxOpenUploadsPerUser); complete them, or leave them idle ${this.idleText()} to expire`);
    }
    this.counter += 1;
    const id = `u${this.counter.toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    const path = join(this.dataDir, id);
    this.openPerUser.set(declared.owner, mine + 1); // count before the await: parallel creates see it
    try {
      await writeFile(path, '', { flag: 'wx' });
    } catch (error) {
      this.release(declared.owner);
      throw error;
    }
    const idleTimer = setTimeout(() => this.expire(id), this.limits.uploadIdleTimeoutMs);
    idleTimer.unref();
    const upload: OpenUpload = { ...declared, id, path, hash: createHash('sha256'), offset: 0, busy: false, idleTimer };
    this.uploads.set(id, upload);
    this.metrics.uploadsInFlight += 1;
    return upload;
  }

  /** The caller's upload, or 404 saying whether it expired. */
  find(id: string, owner: string): OpenUpload {
    const upload = this.uploads.get(id);
    if (upload && upload.owner === owner) return upload;
    if (this.expired.get(id) === owner) throw new HttpError(404, 'not_found', `upload ${id} expired: no chunk came for ${this.idleText()} and it was discarded; start a new one`);
    throw new HttpError(404, 'not_found', `no upload ${id} of yours in progress (it may be completed, failed, expired or never created)`);
  }

  /** Writes one in-order chunk: open, write at the offset, close. */
  async append(upload: OpenUpload, data: Buffer): Promise<void> {
    upload.idleTimer.refresh();
    const file = await open(upload.path, 'r+');
    try {
      await file.write(data, 0, data.length, upload.offset);
    } finally {
      await file.close();
    }
    upload.hash.update(data);
    upload.offset += data.length;
    upload.idleTimer.refresh();
  }

  /** Takes the upload out of progress (completed or failed); its file stays for the caller. */
  close(upload: OpenUpload): void {
    if (!this.uploads.delete(upload.id)) return;
    clearTimeout(upload.idleTimer);
    this.release(upload.owner);
    this.metrics.uploadsInFlight -= 1;
  }

  async discard(upload: OpenUpload): Promise<void> {
    this.close(upload);
    await rm(upload.path, { force: true });
  }

  private expire(id: string): void {
    const upload = this.uploads.get(id);
    if (!upload) return;
    if (upload.busy) {
      upload.idleTimer.refresh(); // a chunk is being written right now: not idle
      return;
    }
    this.expired.set(id, upload.owner);
    if (this.expired.size > EXPIRED_REMEMBERED) this.expired.delete(this.expired.keys().next().value ?? '');
    void this.discard(upload).catch(() => {});
  }

  private release(owner: string): void {
    const left = (this.openPerUser.get(owner) ?? 1) - 1;
    if (left > 0) this.openPerUser.set(owner, left);
    else this.openPerUser.delete(owner);
  }

  private idleText(): string {
    const ms = this.limits.uploadIdleTimeoutMs;
    return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
  }

  /** Server stop: forget every upload (the data dir is the caller's to keep or remove). */
  closeAll(): void {
    for (const upload of this.uploads.values()) clearTimeout(upload.idleTimer);
    this.uploads.clear();
    this.openPerUser.clear();
  }
}
