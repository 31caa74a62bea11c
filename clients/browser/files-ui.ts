// Files on the real web UI: upload through the file input (the app verifies the sha-256 and shows
// the attachment), download inside the page (downloadScript) so the bytes cross the page's network.
import { stat } from 'node:fs/promises';
import type { Locator } from 'playwright-core';
import type { DownloadResult, UploadResult } from '../waddle-client.ts';
import { downloadScript } from './page-scripts.ts';
import type { PageUi } from './page-ui.ts';
import { cssEscape, sha256OfFile } from './util.ts';

/** Throughput assumed when bounding an upload's wait: slower than this is a failure, not a hang. */
const MIN_UPLOAD_BYTES_PER_MS = 500; // 0.5 MB/s

type Data = Record<string, string | undefined>;

export async function upload(ui: PageUi, filePath: string): Promise<UploadResult> {
  const { page, timeoutMs } = ui;
  const { size } = await stat(filePath);
  const localSha256 = await sha256OfFile(filePath);
  const status = page.getByTestId('upload-status');
  const previousStart = (await status.getAttribute('data-started-at', { timeout: timeoutMs })) ?? '';
  const chooser = page.getByLabel('Upload file');
  const choose = (field: Locator) => field.setInputFiles(filePath, { timeout: timeoutMs });
  await ui.act(`choosing ${filePath} in the file input`, chooser, choose, 'attached');
  const waitMs = timeoutMs + size / MIN_UPLOAD_BYTES_PER_MS;
  const ended = `[data-started-at]:not([data-started-at="${cssEscape(previousStart)}"]):is([data-state="done"], [data-state="error"])`;
  const finished = status.and(page.locator(ended));
  await ui.step(`the upload of ${size} bytes to finish`, () => finished.waitFor({ timeout: waitMs, state: 'attached' }), waitMs);
  const attrs = await finished.evaluate((el: { dataset: Data }) => ({ ...el.dataset }));
  if (attrs.state !== 'done') throw ui.error(`upload of ${filePath} failed in the UI: ${attrs.error ?? 'unknown error'}`);
  const attachmentId = attrs.attachmentId ?? '';
  if (attrs.sha256 !== localSha256) throw ui.error(`server verified sha-256 ${attrs.sha256} but ${filePath} hashes to ${localSha256}`);
  await ui.waitFor(`attachment ${attachmentId} to show in the channel`, ui.byData('attachment', 'attachment-id', attachmentId).first());
  return { attachmentId, bytes: Number(attrs.bytes), sha256: localSha256, durationMs: Number(attrs.finishedAt) - Number(attrs.startedAt) };
}

export async function download(ui: PageUi, attachmentId: string): Promise<DownloadResult> {
  const what = `download of attachment ${attachmentId}`;
  const result = (await ui.evaluate(downloadScript(attachmentId), ui.timeoutMs * 4, what)) as DownloadResult & { error?: string };
  if (result.error) throw ui.error(`${what} failed: ${result.error}`);
  return { bytes: result.bytes, sha256: result.sha256, durationMs: result.durationMs };
}
