// Pre-encoded media for protocol users that carry media (issue 17, item 2): a VP8 camera in IVF
// and an Opus voice in Ogg, made once by ffmpeg and cached by content hash like the fake camera,
// so no user encodes anything: a sender reads frames (ivf.ts, ogg-opus.ts) and packetises them.
// Key frames every keyframeIntervalS so a receiver that joins late starts decoding within that.
import { cachedFile, contentKey } from '../media-cache.ts';
import { runFfmpeg } from '../ffmpeg.ts';
import type { VideoSpec } from '../generators.ts';

export interface EncodedMediaOptions {
  readonly cacheDir: string;
  readonly camera: VideoSpec;
  /** length of the loop, seconds (default 10) */
  readonly seconds?: number;
  /** seconds between VP8 key frames (default 2) */
  readonly keyframeIntervalS?: number;
  /** VP8 target bitrate (default: ~0.1 bit per pixel per frame, at least 150 kbit/s) */
  readonly videoKbps?: number;
  /** Opus bitrate (default 32 kbit/s, 20 ms packets) */
  readonly audioKbps?: number;
}

export interface EncodedMediaFiles {
  /** VP8 in IVF */
  readonly vp8: string;
  /** Opus in Ogg, 20 ms packets */
  readonly opus: string;
  readonly generated: boolean;
}

export function vp8Args(o: Required<Omit<EncodedMediaOptions, 'cacheDir' | 'audioKbps'>>, out: string): string[] {
  const { width, height, fps } = o.camera;
  const gop = Math.max(1, Math.round(fps * o.keyframeIntervalS));
  // realtime settings, as a WebRTC sender uses: no alt-ref or look-ahead frames (each frame decodes on arrival)
  return ['-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${fps}`, '-t', String(o.seconds), '-c:v', 'libvpx', '-b:v', `${o.videoKbps}k`,
    '-deadline', 'realtime', '-cpu-used', '8', '-g', String(gop), '-keyint_min', String(gop), '-auto-alt-ref', '0', '-lag-in-frames', '0', '-error-resilient', '1', '-f', 'ivf', out];
}

export function opusArgs(seconds: number, audioKbps: number, out: string): string[] {
  return ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', String(seconds), '-c:a', 'libopus', '-b:a', `${audioKbps}k`, '-frame_duration', '20', '-application', 'voip', '-ac', '1', '-f', 'ogg', out];
}

export async function prepareEncodedMedia(options: EncodedMediaOptions): Promise<EncodedMediaFiles> {
  const { width, height, fps } = options.camera;
  const resolved = {
    camera: options.camera,
    seconds: options.seconds ?? 10,
    keyframeIntervalS: options.keyframeIntervalS ?? 2,
    videoKbps: options.videoKbps ?? Math.max(150, Math.round((width * height * fps * 0.1) / 1000)),
  };
  const audioKbps = options.audioKbps ?? 32;
  const [vp8, opus] = await Promise.all([
    cachedFile(options.cacheDir, `camera-vp8-${width}x${height}-${fps}`, 'ivf', contentKey({ kind: 'vp8', ...resolved }), (tmp) => runFfmpeg(vp8Args(resolved, tmp))),
    cachedFile(options.cacheDir, 'mic-opus', 'ogg', contentKey({ kind: 'opus', seconds: resolved.seconds, audioKbps }), (tmp) => runFfmpeg(opusArgs(resolved.seconds, audioKbps, tmp))),
  ]);
  return { vp8: vp8.path, opus: opus.path, generated: vp8.generated || opus.generated };
}
