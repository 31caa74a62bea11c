// The contract between the in-page WebRTC probe and the Node side (fleet/probe-bridge.ts).
// Pure types and constants: imported by both the page bundle and Node.

/** The page calls window[PROBE_BINDING](batch); the pool exposes it with context.exposeBinding. */
export const PROBE_BINDING = '__waddleFleetProbe';
/** The init script sets window[PROBE_CONFIG_GLOBAL] before the probe bundle runs. */
export const PROBE_CONFIG_GLOBAL = '__waddleFleetProbeConfig';
/**
 * window[PROBE_FLUSH_GLOBAL]() takes a final snapshot of every connection and reports it; the
 * promise settles once Node has the batch. The pool calls it before closing a user's context, so
 * counters end where the page's own getStats totals end. Streams that never carried media are
 * counted (idle_stream events) at the first final snapshot; later snapshots keep counting deltas.
 */
export const PROBE_FLUSH_GLOBAL = '__waddleFleetProbeFlush';

export interface ProbeConfig {
  readonly intervalMs: number;
  /** hosts (optionally host:port) that ICE servers and WebSockets may point to */
  readonly allowedHosts: readonly string[];
  /** when set, getDisplayMedia returns a canvas stream of slides at this size and fps */
  readonly screen?: { readonly width: number; readonly height: number; readonly fps: number; readonly label?: string };
  /** false: getUserMedia asks for the mic without echo cancellation, noise suppression and AGC (in-page/fake-mic.ts) */
  readonly audioProcessing?: boolean;
  /** give up measuring the first decoded frame after this long (default 60000) */
  readonly firstFrameTimeoutMs?: number;
  /** glass-to-glass marks and quality samples (in-page/media-marks.ts); absent: off */
  readonly marks?: MarksConfig;
}

export interface MarksConfig {
  /** stamp the camera's frames / mix tone bursts into the mic at the sender */
  readonly video: boolean;
  readonly audio: boolean;
  /** read a remote video frame's stamp this often (default 250) */
  readonly sampleEveryMs?: number;
  /** send a decoded frame's luma to Node for PSNR/SSIM this often per remote video track; 0: never (default 5000) */
  readonly qualityEveryMs?: number;
  /** the fake camera file's size: quality samples are drawn at it (default: the decoded size) */
  readonly source?: { readonly width: number; readonly height: number };
}

/** A decoded remote frame's luma for the quality score (Node compares it with the source file). */
export interface QualityFrame {
  readonly width: number;
  readonly height: number;
  /** luma plane, width x height bytes, base64 */
  readonly luma: string;
}

/** What the marks measured since the last batch. */
export interface MarksReport {
  /** sender stamp to the frame shown by a media element (requestVideoFrameCallback expectedDisplayTime) */
  readonly videoDisplayedMs: readonly number[];
  /** sender stamp to the frame decoded (no element showed the track: read from the track) */
  readonly videoDecodedMs: readonly number[];
  /** burst instant to its onset on the remote audio track */
  readonly audioMs: readonly number[];
  readonly frames: readonly QualityFrame[];
  /** camera frames and mic chunks the sender dropped: its page fell behind the device (starved) */
  readonly senderDropped?: number;
}

export type MediaKind = 'audio' | 'video' | 'screen';
export type Direction = 'inbound' | 'outbound';

/** One RTP stream over one probe interval. Absent fields were not available in getStats. */
export interface StreamSample {
  /** probe-local id of the peer connection ("pc3"): detail only, never a metric tag */
  readonly connectionId: string;
  readonly ssrc: number;
  readonly kind: MediaKind;
  readonly direction: Direction;
  readonly intervalMs: number;
  readonly bitrateKbps?: number;
  readonly packetsLostPct?: number;
  /** RTP packets sent (outbound) or received (inbound) since the previous sample (a new stream counts from zero) */
  readonly packets?: number;
  /** RTP payload bytes sent or received since the previous sample (bytesSent/bytesReceived deltas) */
  readonly bytes?: number;
  /** video frames encoded (outbound) or decoded (inbound) since the previous sample */
  readonly frames?: number;
  /**
   * the stream has carried no media yet (no payload byte, no frame: e.g. an idle screen-share
   * transceiver that only saw a padding packet). Such a sample holds counters only (packets,
   * bytes, frames), never quality fields, so idle streams never pull fps or bitrate to 0.
   */
  readonly idle?: true;
  readonly jitterMs?: number;
  readonly rttMs?: number;
  readonly fps?: number;
  readonly frameHeightPx?: number;
  readonly freezeCountDelta?: number;
  readonly freezeMsDelta?: number;
  readonly concealedPct?: number;
  readonly jitterBufferMs?: number;
  readonly qualityLimitationReason?: string;
  readonly mos?: number;
}

export type ProbeEvent =
  | { readonly type: 'connection_state'; readonly connectionId: string; readonly state: string; readonly atMs: number }
  | { readonly type: 'first_frame'; readonly connectionId: string; readonly kind: MediaKind; readonly ms: number }
  | { readonly type: 'blocked'; readonly what: 'ice_server' | 'websocket'; readonly url: string }
  /** a stream ended (connection closed, page left or flushed, stream removed) without ever carrying media */
  | { readonly type: 'idle_stream'; readonly connectionId: string; readonly kind: MediaKind; readonly direction: Direction }
  | { readonly type: 'probe_error'; readonly message: string };

export interface ProbeBatch {
  readonly v: 1;
  /** page epoch ms when the batch was made */
  readonly atMs: number;
  /** peer connections open (not closed) now */
  readonly openConnections: number;
  readonly streams: readonly StreamSample[];
  readonly events: readonly ProbeEvent[];
  /** glass-to-glass and quality samples, when marks are on and something was measured */
  readonly marks?: MarksReport;
}
