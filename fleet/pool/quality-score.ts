// Scores a decoded remote frame against the fake camera file it came from: the file's frames
// carry their index in a bottom strip (fake-media/generators.ts, in-page/frame-code.ts
// SOURCE_INDEX), the receiver's page sends the frame's luma at the file's size, and this reads
// the same frame from the y4m and computes luma PSNR and SSIM. Both code strips (the index and
// the sender's stamp at the top) are left out: they are identical by construction.
// Cost: one 640x360 frame is ~2 ms of Node CPU; a receiver sends one every 5 s.
import { open, type FileHandle } from 'node:fs/promises';
import { readCode, SOURCE_INDEX, STAMP, stripRows } from '../../in-page/frame-code.ts';

export interface Y4mInfo {
  readonly width: number;
  readonly height: number;
  readonly headerBytes: number;
  readonly frameBytes: number;
  readonly frames: number;
}

/** Parses a y4m header (4:2:0 only, what fake-media writes). */
export function parseY4mHeader(head: Buffer, fileBytes: number): Y4mInfo {
  const nl = head.indexOf(0x0a);
  const line = head.subarray(0, nl).toString('latin1');
  if (nl < 0 || !line.startsWith('YUV4MPEG2 ')) throw new Error(`quality score: not a y4m file (header ${JSON.stringify(line.slice(0, 40))}); the fake camera must come from fake-media/prepare-media.ts`);
  const field = (c: string) => line.split(' ').find((f) => f.startsWith(c))?.slice(1);
  const width = Number(field('W'));
  const height = Number(field('H'));
  const chroma = field('C') ?? '420';
  if (!chroma.startsWith('420')) throw new Error(`quality score: y4m chroma ${chroma} is not 4:2:0`);
  const frameBytes = 6 + width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2); // "FRAME\n" + planes
  return { width, height, headerBytes: nl + 1, frameBytes, frames: Math.floor((fileBytes - nl - 1) / frameBytes) };
}

export function psnr(a: Uint8Array, b: Uint8Array, width: number, rows: { first: number; end: number }): number {
  let se = 0;
  for (let i = rows.first * width; i < rows.end * width; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    se += d * d;
  }
  const mse = se / ((rows.end - rows.first) * width);
  return mse === 0 ? 100 : Math.min(100, 10 * Math.log10((255 * 255) / mse));
}

/** Mean SSIM over non-overlapping 8x8 windows (Wang et al. 2004 constants, L = 255). */
export function ssim(a: Uint8Array, b: Uint8Array, width: number, rows: { first: number; end: number }): number {
  const c1 = (0.01 * 255) ** 2;
  const c2 = (0.03 * 255) ** 2;
  let total = 0;
  let windows = 0;
  for (let y0 = rows.first; y0 + 8 <= rows.end; y0 += 8) {
    for (let x0 = 0; x0 + 8 <= width; x0 += 8) {
      let sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
      for (let y = y0; y < y0 + 8; y++) {
        for (let x = x0; x < x0 + 8; x++) {
          const p = a[y * width + x] ?? 0;
          const q = b[y * width + x] ?? 0;
          sa += p; sb += q; saa += p * p; sbb += q * q; sab += p * q;
        }
      }
      const ma = sa / 64, mb = sb / 64;
      const va = saa / 64 - ma * ma, vb = sbb / 64 - mb * mb, cov = sab / 64 - ma * mb;
      total += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
      windows++;
    }
  }
  return windows ? total / windows : 0;
}

/** The rows both frames are compared over: between the stamp strip and the index strip. */
export function scoredRows(height: number): { first: number; end: number } {
  return { first: stripRows(STAMP, height).end, end: stripRows(SOURCE_INDEX, height).first };
}

export type ScoreResult = { readonly psnrDb: number; readonly ssim: number; readonly sourceFrame: number } | { readonly rejected: string };

/** One per fake camera file; frames are read on demand (the file can be hundreds of MB). */
export class SourceVideo {
  #file: Promise<{ fh: FileHandle; info: Y4mInfo }> | undefined;

  constructor(readonly path: string) {}

  #opened(): Promise<{ fh: FileHandle; info: Y4mInfo }> {
    this.#file ??= (async () => {
      const fh = await open(this.path, 'r');
      const head = Buffer.alloc(256);
      await fh.read(head, 0, 256, 0);
      return { fh, info: parseY4mHeader(head, (await fh.stat()).size) };
    })();
    return this.#file;
  }

  async frameLuma(index: number): Promise<Uint8Array> {
    const { fh, info } = await this.#opened();
    const luma = new Uint8Array(info.width * info.height);
    await fh.read(luma, 0, luma.length, info.headerBytes + index * info.frameBytes + 6);
    return luma;
  }

  /** PSNR and SSIM of a received luma plane against the source frame its index strip names. */
  async score(luma: Uint8Array, width: number, height: number): Promise<ScoreResult> {
    const { info } = await this.#opened();
    if (width !== info.width || height !== info.height) return { rejected: `frame is ${width}x${height}, the source ${info.width}x${info.height}` };
    if (luma.length !== width * height) return { rejected: `luma has ${luma.length} bytes for ${width}x${height}` };
    const index = readCode((x, y) => luma[y * width + x] ?? 0, width, height, SOURCE_INDEX);
    if (index === undefined || index >= info.frames) return { rejected: 'source index unreadable' };
    const source = await this.frameLuma(index);
    const rows = scoredRows(height);
    return { psnrDb: Math.round(psnr(luma, source, width, rows) * 100) / 100, ssim: Math.round(ssim(luma, source, width, rows) * 10000) / 10000, sourceFrame: index };
  }

  async close(): Promise<void> {
    const f = this.#file;
    this.#file = undefined;
    if (f) await (await f.catch(() => undefined))?.fh.close();
  }
}
