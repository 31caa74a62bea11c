// ProtocolMediaWaddleClient: the protocol client (clients/protocol/) whose calls carry real media.
// Everything but voice is the protocol client's. Joining voice reads the pre-encoded Opus file
// (fake-media/encoded-media.ts: ffmpeg made it once, this process reads it once for all users);
// the VP8 camera and screen files are read when the camera or screen is first turned on, so a
// voice-only user never waits for video to be made. The screen is the same testsrc2 VP8 as the
// camera, made at the screen profile's size and fps (not slide-like content: an SFU or a peer
// forwards bytes, it does not look at them).
import { encodedAudio, encodedVideo, OPUS_FRAME_MS } from '../../fake-media/encoded-media.ts';
import type { VideoProfile } from '../driver.ts';
import { ProtocolWaddleClient, type ProtocolWaddleClientOptions } from '../protocol/protocol-waddle-client.ts';
import { MediaCall } from './media-call.ts';
import type { Kind } from './media-peer.ts';
import { MediaMeter, type MetricsSink } from './meter.ts';
import { audioPayloads, VIDEO_CLOCK_HZ, videoPayloads, type PayloadTrack } from './rtp-payloads.ts';

/** The camera when neither plan nor journey names one (voiceCall): the benchmark's 640x360@15. */
export const DEFAULT_CAMERA: VideoProfile = { width: 640, height: 360, fps: 15 };
export const DEFAULT_SCREEN: VideoProfile = { width: 1280, height: 720, fps: 5 };

export interface ProtocolMediaWaddleClientOptions extends Omit<ProtocolWaddleClientOptions, 'call'> {
  readonly metrics?: MetricsSink;
  /** tags for every webrtc.* sample (journey, driver) */
  readonly tags?: Readonly<Record<string, string>>;
  readonly media?: { readonly camera?: VideoProfile; readonly screen?: VideoProfile };
  /** where ffmpeg's encoded files are kept (default: the fleet's media cache) */
  readonly cacheDir?: string;
}

/** Nothing to send yet: a kind whose file is not read (it is off until then). */
const silent = (kind: 'audio' | 'video'): PayloadTrack => ({ kind, frames: [[]], timestampStep: VIDEO_CLOCK_HZ, frameMs: 1000, markLast: false });

export class ProtocolMediaWaddleClient extends ProtocolWaddleClient {
  private readonly meter: MediaMeter;
  private readonly tracks: Record<Kind, PayloadTrack>;
  private readonly profiles: { camera: VideoProfile; screen: VideoProfile };
  private readonly cacheDir: string | undefined;

  constructor(options: ProtocolMediaWaddleClientOptions) {
    const meter = new MediaMeter(options.metrics, options.tags ?? { driver: 'protocolMedia' });
    const tracks: Record<Kind, PayloadTrack> = { audio: silent('audio'), video: silent('video'), screen: silent('video') };
    super({ ...options, call: (send, request) => new MediaCall(send, tracks, meter, request) });
    this.meter = meter;
    this.tracks = tracks;
    this.profiles = { camera: options.media?.camera ?? DEFAULT_CAMERA, screen: options.media?.screen ?? DEFAULT_SCREEN };
    this.cacheDir = options.cacheDir;
  }

  override async joinVoice(channelId?: string): Promise<void> {
    this.tracks.audio = audioPayloads(await encodedAudio(this.cacheDir), OPUS_FRAME_MS);
    await super.joinVoice(channelId);
  }

  override async enableVideo(): Promise<void> {
    this.tracks.video = videoPayloads(await encodedVideo(this.profiles.camera, this.cacheDir));
    await super.enableVideo();
  }

  override async startScreenShare(): Promise<void> {
    this.tracks.screen = videoPayloads(await encodedVideo(this.profiles.screen, this.cacheDir));
    await super.startScreenShare();
  }

  override async close(): Promise<void> {
    try {
      await super.close();
    } finally {
      this.meter.close();
    }
  }
}
