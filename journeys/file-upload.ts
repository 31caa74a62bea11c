// fileUpload (seed #57): upload a seeded file of `sizeBytes` into a text channel, download it
// back and compare sha-256 — an upload that corrupts data must not count as fast.
import { openChannelOnce, connectAndJoin, required } from './common.ts';
import { defineJourney } from './define-journey.ts';
import type { JourneyContext } from './types.ts';
import { uploadFileOfSize } from './upload-payloads.ts';

export type FileUploadParams = {
  sizeBytes: number;
  /** download the attachment again and compare its sha-256 */
  verifyDownload: boolean;
  /** time away after each upload (scaled like think time): a person does not upload back to back */
  restMs: number;
};

export const fileUpload = defineJourney<FileUploadParams>({
  name: 'fileUpload',
  description: 'upload an attachment and verify it by downloading it again',
  requires: ['chat', 'upload'],
  defaults: { sizeBytes: 10 * 1024 * 1024, verifyDownload: true, restMs: 0 },
  async run(ctx) {
    const file = uploadFileOfSize(ctx.params.sizeBytes);
    await connectAndJoin(ctx);
    await openChannelOnce(ctx);
    const uploaded = required(await ctx.step('upload', () => ctx.client.upload(file.path), { timeoutMs: 300_000 }), 'upload');
    ctx.metrics.record('upload.duration_ms', uploaded.durationMs);
    ctx.metrics.record('upload.bytes', uploaded.bytes);
    if (uploaded.durationMs > 0) {
      ctx.metrics.record('upload.throughput_mbps', (uploaded.bytes * 8) / 1e6 / (uploaded.durationMs / 1000));
    }
    if (ctx.params.verifyDownload) await downloadAndVerify(ctx, uploaded.attachmentId, file);
    if (ctx.params.restMs > 0) await ctx.think(ctx.params.restMs);
  },
});

async function downloadAndVerify(ctx: JourneyContext<FileUploadParams>, attachmentId: string, file: { sha256: string; bytes: number }): Promise<void> {
  const downloaded = required(
    await ctx.step('download', () => ctx.client.download(attachmentId), { timeoutMs: 300_000 }),
    'download',
  );
  ctx.metrics.record('download.duration_ms', downloaded.durationMs);
  const intact = downloaded.sha256 === file.sha256 && downloaded.bytes === file.bytes;
  ctx.metrics.record('download.verify_errors', intact ? 0 : 1);
  await ctx.step(
    'verify_download',
    async () => {
      if (!intact) {
        throw new Error(
          `downloaded attachment ${attachmentId} differs from the upload: ${downloaded.bytes} bytes sha-256 ${downloaded.sha256}, expected ${file.bytes} bytes sha-256 ${file.sha256}`,
        );
      }
    },
    { critical: false },
  );
}
