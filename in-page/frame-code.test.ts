// The frame codes read back what was written, reject what was damaged, and survive scaling.
import { describe, expect, it } from 'vitest';
import { checksum, codeBits, elapsedSinceStamp, readCode, SOURCE_INDEX, STAMP, writeCode } from './frame-code.ts';
import { BurstDetector, BurstWriter, burstDelayMs, MediaClock } from './audio-mark.ts';

function plane(width: number, height: number, fill = 100): Uint8Array {
  return new Uint8Array(width * height).fill(fill);
}

describe('frame codes', () => {
  it('read back at the written size and at a quarter of it (nearest-neighbour downscale)', () => {
    for (const value of [0, 1, 123_456, 2 ** 20 - 1]) {
      const y = plane(640, 360);
      writeCode(y, 640, 640, 360, value, STAMP);
      expect(readCode((x, r) => y[r * 640 + x]!, 640, 360, STAMP)).toBe(value % 2 ** 20);
      expect(readCode((x, r) => y[r * 4 * 640 + x * 4]!, 160, 90, STAMP)).toBe(value % 2 ** 20);
    }
  });
  it('reject a blurred pair and a wrong checksum, so a damaged code is never a wrong value', () => {
    const y = plane(320, 180);
    writeCode(y, 320, 320, 180, 777, SOURCE_INDEX);
    const flat = (x: number, r: number) => (x < 40 ? 120 : y[r * 320 + x]!); // block 0 washed out
    expect(readCode(flat, 320, 180, SOURCE_INDEX)).toBeUndefined();
    const bits = codeBits(777, SOURCE_INDEX);
    expect(bits.length).toBe(16);
    expect(checksum(777, 12)).toBe((9 + 0 + 3) % 16);
    // flip value bit 0 in both rows: contrast is fine, the checksum is not
    const flipped = (x: number, r: number) => (x < 20 ? 255 - y[r * 320 + x]! : y[r * 320 + x]!);
    expect(readCode(flipped, 320, 180, SOURCE_INDEX)).toBeUndefined();
  });
  it('turn a stamp into a delay across the 2^20 ms wrap, and a stamp a little ahead into a negative one', () => {
    expect(elapsedSinceStamp(2 ** 20 - 10, 2 ** 20 * 5 + 30)).toBe(40);
    expect(elapsedSinceStamp(1000, 2 ** 20 * 3 + 995)).toBe(-5);
  });
});

describe('audio bursts', () => {
  it('are found where the writer put them, to within a 5 ms window, and not in a plain tone of another pitch', () => {
    const rate = 48_000;
    const writer = new BurstWriter();
    const detector = new BurstDetector();
    const onsets: number[] = [];
    const delayMs = 87;
    // 5 s of a 190 Hz "voice" with noise in 10 ms chunks starting at wall clock 1_000_300 ms
    for (let c = 0; c < 500; c++) {
      const chunk = new Float32Array(480);
      const endMs = 1_000_300 + (c + 1) * 10;
      for (let i = 0; i < 480; i++) chunk[i] = 0.2 * Math.sin((2 * Math.PI * 190 * (c * 480 + i)) / rate) + 0.1 * (Math.random() - 0.5);
      writer.write(chunk, rate, endMs);
      onsets.push(...detector.push(chunk, rate, endMs + delayMs));
    }
    expect(onsets.length).toBe(2); // instants 1_002_000 and 1_004_000 (the first chunk only arms the writer)
    for (const o of onsets) expect(Math.abs(burstDelayMs(o) - delayMs)).toBeLessThanOrEqual(5);
  });
  it('map media timestamps to the wall clock by the least-delayed arrival', () => {
    const clock = new MediaClock();
    const late = [3, 0, 7, 1, 12];
    let last = 0;
    for (let i = 0; i < late.length; i++) last = clock.wallMs(i * 10_000, 5000 + i * 10 + late[i]!);
    expect(last).toBe(5000 + 40); // timestamp 40 ms plus the smallest offset seen (5000 ms)
    // a page starved for 10 s reads every chunk 300 ms late: the clock does not follow
    for (let i = 5; i < 1005; i++) last = clock.wallMs(i * 10_000, 5000 + i * 10 + 300);
    expect(last).toBe(5000 + 10_040);
  });
});
