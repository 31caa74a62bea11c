// Pre-encoded media for protocol users that carry real RTP (clients/protocol-media/): VP8 in IVF
// and Opus in Ogg, made by ffmpeg ONCE per profile and kept in the content-hash cache, then read
// into memory once per process and shared by every user of that process. No user encodes: each
// only packetizes these frames into RTP, which is what keeps hundreds of senders per core possible.
import { readFile } from 'node:fs/promises';
import { runFfmpeg } from './ffmpeg.ts';
import { cachedFile, contentKey, defaultMediaCacheDir } from './media-cache.ts';
import type { VideoSpec } from './generators.ts';

/** How long the files loop: long enough that a looped pattern is not the norm, short to make. */
export const ENCODED_SECONDS = 10;
/** Opus frames are 20 ms: 50 a second, 960 samples at 48 kHz each. */
export const OPUS_FRAME_MS = 20;

export interface EncodedVideo {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  /** frame payloads in decode order; frame 0 is a keyframe, so a loop restarts cleanly */
  readonly frames: readonly Buffer[];
  readonly keyframes: readonly boolean[];
}

export interface EncodedAudio {
  /** Opus packets of OPUS_FRAME_MS each */
  readonly packets: readonly Buffer[];
}

/** ffmpeg arguments for the VP8 camera file: testsrc2 (moving, like the fake camera), realtime VP8, a keyframe every 2 s. */
export function vp8Args(spec: VideoSpec, seconds: number, out: string): string[] {
  // ~0.2 bit per pixel, capped at what a call's camera sends (Chromium's default VP8 ceiling is 2.5 Mb/s)
  const kbps = Math.min(2_500, Math.max(150, Math.round((spec.width * spec.height * spec.fps) / 5_000)));
  return [
    '-f', 'lavfi', '-i', `testsrc2=size=${spec.width}x${spec.height}:rate=${spec.fps}:duration=${seconds}`,
    '-vf', 'format=yuv420p',
    // no alt-ref or lookahead frames: every frame is shown, so frames received = frames sent
    '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', `${kbps}k`, '-g', String(Math.max(1, spec.fps * 2)),
    '-auto-alt-ref', '0', '-lag-in-frames', '0', '-error-resilient', '1',
    '-f', 'ivf', out,
  ];
}

/** ffmpeg arguments for the Opus mic file: a voiced tone at 32 kb/s in 20 ms frames. */
export function opusArgs(seconds: number, out: string): string[] {
  return [
    '-f', 'lavfi', '-i', `sine=frequency=190:sample_rate=48000:duration=${seconds}`,
    '-c:a', 'libopus', '-b:a', '32k', '-frame_duration', String(OPUS_FRAME_MS), '-application', 'voip', '-ac', '1',
    '-f', 'ogg', out,
  ];
}

/** IVF: 32-byte file header ('DKIF', fourcc, size, rate), then a 12-byte header per frame (size, pts). */
export function parseIvf(data: Buffer, where: string): { fourcc: string; width: number; height: number; frames: Buffer[] } {
  if (data.length < 32 || data.toString('ascii', 0, 4) !== 'DKIF') throw new Error(`${where}: not an IVF file (no DKIF signature); delete it so it is made again`);
  const headerSize = data.readUInt16LE(6);
  const fourcc = data.toString('ascii', 8, 12);
  const frames: Buffer[] = [];
  let at = headerSize;
  while (at + 12 <= data.length) {
    const size = data.readUInt32LE(at);
    if (at + 12 + size > data.length) throw new Error(`${where}: IVF frame at byte ${at} runs past the end (truncated file); delete it so it is made again`);
    frames.push(data.subarray(at + 12, at + 12 + size));
    at += 12 + size;
  }
  return { fourcc, width: data.readUInt16LE(12), height: data.readUInt16LE(14), frames };
}

/** Ogg pages ('OggS', 27-byte header, segment table); packets are laced over segments of 255. The first two Opus packets are OpusHead and OpusTags. */
export function parseOggPackets(data: Buffer, where: string): Buffer[] {
  const packets: Buffer[] = [];
  let pending: Buffer[] = [];
  let at = 0;
  while (at + 27 <= data.length) {
    if (data.toString('ascii', at, at + 4) !== 'OggS') throw new Error(`${where}: no Ogg page at byte ${at}; delete the file so it is made again`);
    const segments = data[at + 26]!;
    let body = at + 27 + segments;
    for (let i = 0; i < segments; i++) {
      const len = data[at + 27 + i]!;
      pending.push(data.subarray(body, body + len));
      body += len;
      if (len < 255) {
        packets.push(pending.length === 1 ? pending[0]! : Buffer.concat(pending));
        pending = [];
      }
    }
    at = body;
  }
  return packets;
}

/** VP8 keyframe: bit 0 of the first byte is 0 (RFC 6386 §9.1). */
export function isVp8Keyframe(frame: Buffer): boolean {
  return frame.length > 0 && (frame[0]! & 0x01) === 0;
}

const videoCache = new Map<string, Promise<EncodedVideo>>();
let audioCache: Promise<EncodedAudio> | undefined;

/** The VP8 file of this profile, made once (cache folder) and read once per process. */
export function encodedVideo(spec: VideoSpec, cacheDir = defaultMediaCacheDir()): Promise<EncodedVideo> {
  const key = contentKey({ kind: 'vp8-ivf', spec, seconds: ENCODED_SECONDS, args: vp8Args(spec, ENCODED_SECONDS, 'out') });
  let cached = videoCache.get(key);
  if (!cached) {
    cached = (async () => {
      const { path } = await cachedFile(cacheDir, `vp8-${spec.width}x${spec.height}@${spec.fps}`, 'ivf', key, (tmp) => runFfmpeg(vp8Args(spec, ENCODED_SECONDS, tmp)));
      const ivf = parseIvf(await readFile(path), path);
      if (ivf.fourcc !== 'VP80') throw new Error(`${path}: IVF holds ${ivf.fourcc}, not VP8; delete it so it is made again`);
      if (!ivf.frames[0] || !isVp8Keyframe(ivf.frames[0])) throw new Error(`${path}: the first frame is not a VP8 keyframe; delete it so it is made again`);
      return { width: ivf.width, height: ivf.height, fps: spec.fps, frames: ivf.frames, keyframes: ivf.frames.map(isVp8Keyframe) };
    })();
    cached.catch(() => videoCache.delete(key)); // a failed make is tried again by the next user
    videoCache.set(key, cached);
  }
  return cached;
}

/** The Opus file, made once and read once per process. */
export function encodedAudio(cacheDir = defaultMediaCacheDir()): Promise<EncodedAudio> {
  if (!audioCache) {
    const key = contentKey({ kind: 'opus-ogg', seconds: ENCODED_SECONDS, args: opusArgs(ENCODED_SECONDS, 'out') });
    const made = (async () => {
      const { path } = await cachedFile(cacheDir, 'opus-mic', 'ogg', key, (tmp) => runFfmpeg(opusArgs(ENCODED_SECONDS, tmp)));
      const packets = parseOggPackets(await readFile(path), path);
      if (packets[0]?.toString('ascii', 0, 8) !== 'OpusHead') throw new Error(`${path}: no OpusHead packet: not an Ogg Opus file; delete it so it is made again`);
      return { packets: packets.slice(2) };
    })();
    made.catch(() => (audioCache = undefined));
    audioCache = made;
  }
  return audioCache;
}
