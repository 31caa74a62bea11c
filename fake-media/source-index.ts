// The fake camera's source-frame index, burned in by ffmpeg: frame n (mod 4096) as a strip of
// 16 black/white block pairs at the bottom, so a receiver's decoded frame names the source frame
// it shows and the fleet can score it against that frame (fleet/pool/quality-score.ts).
// The layout is in-page/frame-code.ts SOURCE_INDEX (fake-media may not import in-page/, so its
// geometry is repeated here; fleet/pool/quality-score.parallel.e2e.test.ts reads every frame of a
// generated file back with frame-code's reader, so the two cannot drift apart unnoticed).
// Row 0 has a white block where the bit is set, row 1 where it is clear; the last 4 bits are a
// checksum (sum of the 12-bit value's nibbles mod 16; ffmpeg's expressions have no xor).

const COLS = 16;
const VALUE_BITS = 12;
/** one row's height as a fraction of the frame's; the strip is two rows */
const ROW_FRACTION = 1 / 20;
/** the sender's stamp strip at the top (in-page/frame-code.ts STAMP): two rows of the same height */
export const STAMP_STRIP_FRACTION = 2 / 20;

/** the first row of the index strip in a frame `height` rows high */
export function indexStripTop(height: number): number {
  return height - Math.round(2 * ROW_FRACTION * height);
}

/** drawbox filters (after format=yuv420p) that write the index of every frame */
export function sourceIndexBoxes(width: number, height: number): string[] {
  const first = indexStripTop(height);
  const v = `mod(n,${2 ** VALUE_BITS})`;
  const nibbles = Array.from({ length: VALUE_BITS / 4 }, (_, k) => `mod(floor(${v}/${16 ** k}),16)`).join('+');
  const bit = (k: number) => (k < VALUE_BITS ? `mod(floor(${v}/${2 ** k}),2)` : `mod(floor(mod(${nibbles},16)/${2 ** (k - VALUE_BITS)}),2)`);
  const boxes = [`drawbox=x=0:y=${first}:w=${width}:h=${height - first}:color=black:t=fill`];
  for (let col = 0; col < COLS; col++) {
    const x0 = Math.round((col * width) / COLS);
    const x1 = Math.round(((col + 1) * width) / COLS);
    for (const row of [0, 1]) {
      const y0 = Math.round(first + row * ROW_FRACTION * height);
      const y1 = Math.round(first + (row + 1) * ROW_FRACTION * height);
      boxes.push(`drawbox=x=${x0}:y=${y0}:w=${x1 - x0}:h=${y1 - y0}:color=white:t=fill:enable='eq(${bit(col)},${row === 0 ? 1 : 0})'`);
    }
  }
  return boxes;
}
