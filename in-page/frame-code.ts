// Machine-readable codes in video frames: black/white blocks in a strip across the frame, read
// back after encoding, network, decoding and scaling. Pure (no DOM), so Node (the quality scorer,
// the ffmpeg generator) and the page share one definition.
//
// A strip is two rows of `cols` blocks: row 0 holds the bits (white = 1), row 1 the same bits
// inverted. A bit is read by comparing the two blocks one above the other, so it survives
// brightness and contrast changes, and a pair that is not clearly different (blur at a low
// bitrate, a frame cut mid-strip) rejects the whole code instead of guessing. The last 4 bits
// are a checksum (the sum of the value's nibbles, mod 16) on top.
// Block sizes are fractions of the frame, so a frame downscaled by the sender (scaleResolutionDownBy)
// or drawn at another size reads the same; block centres are sampled, edges (ringing) are not.

export interface StripLayout {
  /** blocks per row; value bits = cols - 4 */
  readonly cols: number;
  /** height of one row as a fraction of the frame height */
  readonly rowFraction: number;
  /** where the strip is: the top of the frame (the sender's stamp) or the bottom (the source index) */
  readonly at: 'top' | 'bottom';
}

/** The sender's capture stamp: wall-clock ms mod 2^20 (17 min: an e2e delay is far shorter). */
export const STAMP: StripLayout = { cols: 24, rowFraction: 1 / 20, at: 'top' };
/** The fake camera file's frame index (burned in by ffmpeg, fake-media/generators.ts): 12 bits, 4096 frames. */
export const SOURCE_INDEX: StripLayout = { cols: 16, rowFraction: 1 / 20, at: 'bottom' };

export const LUMA_BLACK = 16;
export const LUMA_WHITE = 235;
/** a bit pair whose luma differs by less than this is unreadable */
export const MIN_PAIR_CONTRAST = 48;

export const valueBits = (l: StripLayout): number => l.cols - 4;

export function checksum(value: number, bits: number): number {
  let sum = 0;
  for (let shift = 0; shift < bits; shift += 4) sum += Math.floor(value / 2 ** shift) % 16;
  return sum % 16;
}

/** The strip's bits, bit 0 first: the value's bits, then its checksum's. */
export function codeBits(value: number, l: StripLayout): number[] {
  const n = valueBits(l);
  const v = value % 2 ** n;
  const c = checksum(v, n);
  const bits: number[] = [];
  for (let k = 0; k < n; k++) bits.push(Math.floor(v / 2 ** k) % 2);
  for (let k = 0; k < 4; k++) bits.push(Math.floor(c / 2 ** k) % 2);
  return bits;
}

/** Rows of the strip in a frame of `height` rows: [first, end). */
export function stripRows(l: StripLayout, height: number): { first: number; end: number } {
  const h = Math.round(2 * l.rowFraction * height);
  return l.at === 'top' ? { first: 0, end: h } : { first: height - h, end: height };
}

/** Block `col` of row `row` (0 bits, 1 inverted): pixel rectangle in a frame of width x height. */
export function blockRect(l: StripLayout, col: number, row: number, width: number, height: number): { x0: number; x1: number; y0: number; y1: number } {
  const { first } = stripRows(l, height);
  const rowH = l.rowFraction * height;
  return {
    x0: Math.round((col * width) / l.cols),
    x1: Math.round(((col + 1) * width) / l.cols),
    y0: Math.round(first + row * rowH),
    y1: Math.round(first + (row + 1) * rowH),
  };
}

/** Writes the code into a luma plane (I420/NV12 Y: one byte a pixel, `stride` bytes a row). */
export function writeCode(y: Uint8Array, stride: number, width: number, height: number, value: number, l: StripLayout): void {
  const bits = codeBits(value, l);
  for (let col = 0; col < l.cols; col++) {
    for (let row = 0; row < 2; row++) {
      const on = (bits[col] ?? 0) === (row === 0 ? 1 : 0);
      const r = blockRect(l, col, row, width, height);
      for (let py = r.y0; py < r.y1; py++) y.fill(on ? LUMA_WHITE : LUMA_BLACK, py * stride + r.x0, py * stride + r.x1);
    }
  }
}

/**
 * Reads a code from any picture through `luma(x, y)`, a frame of width x height. Each block is
 * sampled over its middle third (a 3x3 grid), away from edges the codec smears. undefined: a
 * pair without contrast or a wrong checksum.
 */
export function readCode(luma: (x: number, y: number) => number, width: number, height: number, l: StripLayout): number | undefined {
  const mean = (col: number, row: number) => {
    const r = blockRect(l, col, row, width, height);
    let sum = 0;
    for (const fy of [1 / 3, 1 / 2, 2 / 3]) for (const fx of [1 / 3, 1 / 2, 2 / 3]) sum += luma(Math.floor(r.x0 + fx * (r.x1 - r.x0)), Math.floor(r.y0 + fy * (r.y1 - r.y0)));
    return sum / 9;
  };
  const n = valueBits(l);
  let value = 0;
  let sum = 0;
  for (let col = 0; col < l.cols; col++) {
    const d = mean(col, 0) - mean(col, 1);
    if (!(Math.abs(d) >= MIN_PAIR_CONTRAST)) return undefined;
    const bit = d > 0 ? 1 : 0;
    if (col < n) value += bit * 2 ** col;
    else sum += bit * 2 ** (col - n);
  }
  return checksum(value, n) === sum ? value : undefined;
}

/** Luma (BT.601 limited range, as in the y4m) of an RGBA pixel drawn from a YUV frame. */
export function lumaOfRgb(r: number, g: number, b: number): number {
  return (66 * r + 129 * g + 25 * b + 128) / 256 + 16;
}

/**
 * The delay from a stamp (ms mod 2^bits) to `nowMs`: the smallest non-negative difference
 * modulo the stamp's range, so the wrap every 17 min does not matter.
 */
export function elapsedSinceStamp(stamp: number, nowMs: number, l: StripLayout = STAMP): number {
  const range = 2 ** valueBits(l);
  const d = (((nowMs - stamp) % range) + range) % range;
  // a stamp slightly in the future (clocks of two shards apart) reads as a small negative delay
  return d > range / 2 ? d - range : d;
}
