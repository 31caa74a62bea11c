// Reading an IVF file (the container ffmpeg writes VP8 into: a 32-byte header, then per frame a
// 12-byte header and the frame), so a protocol user can send pre-encoded VP8 frame by frame in RTP
// without encoding anything (issue 17, item 2). Layout: https://wiki.multimedia.cx/index.php/IVF
export interface IvfFrame {
  /** the encoded frame (a VP8 frame: what one RTP frame's payloads carry, split by the packetiser) */
  readonly data: Buffer;
  /** presentation time in timebase units */
  readonly pts: number;
  /** VP8 key frame (frame tag bit 0 is 0): where a receiver can start decoding */
  readonly keyframe: boolean;
}

export interface IvfFile {
  readonly fourcc: string;
  readonly width: number;
  readonly height: number;
  /** seconds per pts unit = timebaseNumerator / timebaseDenominator */
  readonly timebaseNumerator: number;
  readonly timebaseDenominator: number;
  readonly frames: readonly IvfFrame[];
}

export function parseIvf(file: Buffer, where = 'IVF'): IvfFile {
  if (file.length < 32 || file.toString('latin1', 0, 4) !== 'DKIF') throw new Error(`${where}: not an IVF file (no DKIF signature); make it with ffmpeg -c:v libvpx -f ivf`);
  const headerBytes = file.readUInt16LE(6);
  const fourcc = file.toString('latin1', 8, 12);
  const header = { fourcc, width: file.readUInt16LE(12), height: file.readUInt16LE(14), timebaseDenominator: file.readUInt32LE(16), timebaseNumerator: file.readUInt32LE(20) };
  const frames: IvfFrame[] = [];
  let at = headerBytes;
  while (at + 12 <= file.length) {
    const size = file.readUInt32LE(at);
    const pts = Number(file.readBigUInt64LE(at + 4));
    const start = at + 12;
    if (start + size > file.length) throw new Error(`${where}: frame ${frames.length} at byte ${at} claims ${size} bytes but the file ends at ${file.length} (truncated file? delete it to regenerate)`);
    const data = file.subarray(start, start + size);
    frames.push({ data, pts, keyframe: fourcc === 'VP80' && size > 0 && (data[0]! & 0x01) === 0 });
    at = start + size;
  }
  return { ...header, frames };
}
