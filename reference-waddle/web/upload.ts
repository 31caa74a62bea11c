// Chunked, resumable upload of one file with progress, into the open channel.
import type { UploadCompleted, UploadCreated } from '../protocol.ts';
import { h, pageNowMs } from './dom.ts';

export class UploadPanel {
  readonly input = h('input', { type: 'file', 'data-testid': 'upload-input', 'aria-label': 'Upload file' });
  readonly progress = h('progress', { 'data-testid': 'upload-progress', 'aria-label': 'Upload progress', max: 1, value: 0 });
  readonly status = h('span', { 'data-testid': 'upload-status', 'data-state': 'idle', role: 'status' });
  readonly el = h('div', { class: 'upload' }, this.input, this.progress, this.status);

  constructor(
    private readonly token: string,
    private readonly channelId: () => string | undefined,
  ) {
    this.input.addEventListener('change', () => {
      const file = this.input.files?.[0];
      if (file) void this.upload(file).finally(() => (this.input.value = ''));
    });
  }

  private setState(state: string, text: string, extra: Record<string, string> = {}): void {
    this.status.dataset.state = state;
    this.status.textContent = text;
    Object.assign(this.status.dataset, extra);
  }

  async upload(file: File): Promise<void> {
    const channelId = this.channelId();
    for (const key of ['attachmentId', 'sha256', 'bytes', 'error', 'finishedAt']) delete this.status.dataset[key];
    if (!channelId) {
      this.setState('error', 'Open a text channel first', { error: 'no channel open' });
      return;
    }
    const startedAtMs = pageNowMs();
    this.status.dataset.startedAt = String(startedAtMs);
    try {
      this.setState('hashing', `Hashing ${file.name}…`);
      const sha256 = hex(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()));
      this.setState('uploading', `Uploading ${file.name}…`);
      const created = await this.api<UploadCreated>('POST', '/api/uploads', JSON.stringify({ channelId, name: file.name, bytes: file.size, sha256, contentType: file.type || 'application/octet-stream' }));
      let offset = created.offset;
      let failures = 0;
      while (offset < file.size) {
        const chunk = file.slice(offset, offset + created.chunkBytes);
        try {
          offset = (await this.api<{ offset: number }>('PUT', `/api/uploads/${created.uploadId}/chunks?offset=${offset}`, chunk)).offset;
          failures = 0;
        } catch (error) {
          // resume: ask the server where it stands, then go on from there
          failures += 1;
          if (failures > 3) throw error;
          offset = (await this.api<{ offset: number }>('GET', `/api/uploads/${created.uploadId}`)).offset;
        }
        this.progress.value = file.size === 0 ? 1 : offset / file.size;
      }
      const done = await this.api<UploadCompleted>('POST', `/api/uploads/${created.uploadId}/complete`);
      this.progress.value = 1;
      this.setState('done', `Uploaded ${file.name}`, {
        attachmentId: done.attachment.id,
        sha256: done.attachment.sha256,
        bytes: String(done.attachment.bytes),
        finishedAt: String(pageNowMs()),
      });
    } catch (error) {
      this.setState('error', `Upload failed: ${(error as Error).message}`, { error: (error as Error).message, finishedAt: String(pageNowMs()) });
    }
  }

  private async api<T>(method: string, path: string, body?: BodyInit): Promise<T> {
    const res = await fetch(path, { method, body, headers: { authorization: `Bearer ${this.token}`, ...(typeof body === 'string' ? { 'content-type': 'application/json' } : {}) } });
    const json = (await res.json()) as T & { error?: string; message?: string };
    if (!res.ok) throw new Error(`${json.error ?? res.status}: ${json.message ?? res.statusText}`);
    return json;
  }
}

function hex(buffer: ArrayBuffer): string {
  return [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
