// Upload payloads: one file per size, seeded random bytes (incompressible, so no transport
// compression flatters the numbers), written once per process to a private temp dir and
// removed when the process exits.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '../common/random.ts';

export interface UploadFile {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

let directory: string | undefined;
const files = new Map<number, UploadFile>();

function uploadDirectory(): string {
  if (!directory) {
    directory = mkdtempSync(join(tmpdir(), 'waddle-fleet-upload-'));
    const dir = directory;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return directory;
}

/** The payload of `sizeBytes` (same bytes for the same size in every run and shard). */
export function uploadFileOfSize(sizeBytes: number): UploadFile {
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes < 1) {
    throw new Error(`fileUpload: sizeBytes must be a whole number ≥ 1, got ${sizeBytes}; set params.sizeBytes in the plan`);
  }
  const cached = files.get(sizeBytes);
  if (cached) return cached;
  const rng = createRng(sizeBytes);
  const buffer = Buffer.allocUnsafe(sizeBytes);
  let offset = 0;
  for (; offset + 4 <= sizeBytes; offset += 4) buffer.writeUInt32LE(Math.floor(rng.next() * 0x1_0000_0000), offset);
  for (; offset < sizeBytes; offset++) buffer[offset] = Math.floor(rng.next() * 256);
  const path = join(uploadDirectory(), `upload-${sizeBytes}.bin`);
  writeFileSync(path, buffer);
  const file = { path, bytes: sizeBytes, sha256: createHash('sha256').update(buffer).digest('hex') };
  files.set(sizeBytes, file);
  return file;
}

/** Remove the generated files now (tests; the process exit hook does it otherwise). */
export function removeUploadFiles(): void {
  if (directory) rmSync(directory, { recursive: true, force: true });
  directory = undefined;
  files.clear();
}
