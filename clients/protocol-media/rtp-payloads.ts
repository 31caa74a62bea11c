// Pre-encoded frames cut into RTP payloads ONCE per profile and process (every user shares
// them): VP8 per RFC 7741 (a 1-byte payload descriptor: S=1 on a frame's first packet, PID 0;
// werift exports VP8 depacketizing only, no packetizer) and Opus one packet per RTP packet
// (RFC 7587). A sender then only adds its own RTP header (SSRC, sequence, timestamp, marker).
import type { EncodedAudio, EncodedVideo } from '../../fake-media/encoded-media.ts';

/** Payload bytes per RTP packet: under a 1200-byte packet after RTP header, extensions and SRTP tag. */
export const MAX_PAYLOAD_BYTES = 1100;
export const VIDEO_CLOCK_HZ = 90_000;
export const AUDIO_CLOCK_HZ = 48_000;

export interface PayloadTrack {
  /** per frame, its packets' payloads; the last packet of a frame carries the marker bit */
  readonly frames: readonly (readonly Buffer[])[];
  /** RTP timestamp step between frames, in the clock of the codec */
  readonly timestampStep: number;
  /** ms between frames */
  readonly frameMs: number;
  readonly kind: 'audio' | 'video';
  /** the last packet of a frame carries the marker (video: end of frame; Opus: never) */
  readonly markLast: boolean;
}

/** VP8 frame → payloads: descriptor 0x10 (S=1, partition 0) on the first, 0x00 on the rest. */
export function vp8Payloads(frame: Buffer, maxPayload = MAX_PAYLOAD_BYTES): Buffer[] {
  const chunk = maxPayload - 1;
  const count = Math.max(1, Math.ceil(frame.length / chunk));
  // one allocation per frame, sliced into its packets' payloads
  const all = Buffer.allocUnsafe(frame.length + count);
  const out: Buffer[] = [];
  let from = 0;
  let at = 0;
  for (let i = 0; i < count; i++) {
    const take = Math.min(chunk, frame.length - from);
    all[at] = i === 0 ? 0x10 : 0x00;
    frame.copy(all, at + 1, from, from + take);
    out.push(all.subarray(at, at + 1 + take));
    at += 1 + take;
    from += take;
  }
  return out;
}

const videoTracks = new WeakMap<EncodedVideo, PayloadTrack>();
const audioTracks = new WeakMap<EncodedAudio, PayloadTrack>();

export function videoPayloads(video: EncodedVideo): PayloadTrack {
  let track = videoTracks.get(video);
  if (!track) {
    track = { kind: 'video', frames: video.frames.map((f) => vp8Payloads(f)), timestampStep: Math.round(VIDEO_CLOCK_HZ / video.fps), frameMs: 1000 / video.fps, markLast: true };
    videoTracks.set(video, track);
  }
  return track;
}

export function audioPayloads(audio: EncodedAudio, frameMs: number): PayloadTrack {
  let track = audioTracks.get(audio);
  if (!track) {
    track = { kind: 'audio', frames: audio.packets.map((p) => [p]), timestampStep: (AUDIO_CLOCK_HZ * frameMs) / 1000, frameMs, markLast: false };
    audioTracks.set(audio, track);
  }
  return track;
}
