// The one metric catalogue (DESIGN.md style 5): every name the fleet records, its kind,
// unit, the tags it may carry and what it means. Recording a name that is not here is a bug
// (counted and dropped); a threshold naming one is a configuration error (exit 2).
// Tags are low-cardinality only. Every series also carries run, shard and phase; every per-user
// series carries its user's journey and driver (and network, when the plan gives users networks) (browser, protocol or a plan's own), so reports
// keep what browser users felt apart from the load protocol users made.
import type { MetricKind } from './types.ts';

export interface MetricDefinition {
  readonly kind: MetricKind;
  readonly unit: 'ms' | 'count' | 'percent' | 'ratio' | 'kbps' | 'mbps' | 'bytes' | 'MB' | 'fps' | 'px' | 'mos' | 'dB';
  readonly tags: readonly string[];
  readonly meaning: string;
}

const media = ['journey', 'driver', 'kind', 'direction'] as const; // kind: audio | video | screen; direction: inbound | outbound; journey and driver: whose user's page it is

export const catalogue = {
  // users and journeys
  'users.active': { kind: 'gauge', unit: 'count', tags: ['journey', 'driver'], meaning: 'virtual users running now' },
  'users.started': { kind: 'counter', unit: 'count', tags: ['journey', 'driver'], meaning: 'virtual users started' },
  'users.schedule_lag_ms': { kind: 'trend', unit: 'ms', tags: ['journey', 'driver'], meaning: 'how late a user started against its planned start' },
  'journey.duration_ms': { kind: 'trend', unit: 'ms', tags: ['journey', 'driver'], meaning: 'time from a user starting an iteration of its journey to its end; completed iterations only' },
  'journey.completed': { kind: 'counter', unit: 'count', tags: ['journey', 'driver'], meaning: 'iterations of a journey that completed (the default gate wants at least one per journey)' },
  'journey.errors': { kind: 'rate', unit: 'ratio', tags: ['journey', 'driver'], meaning: 'share of journeys that failed (a critical step failed or the user crashed)' },
  'step.duration_ms': { kind: 'trend', unit: 'ms', tags: ['journey', 'driver', 'step'], meaning: 'duration of a named journey step that succeeded (failures never enter latency)' },
  'step.failed_duration_ms': { kind: 'trend', unit: 'ms', tags: ['journey', 'driver', 'step', 'reason'], meaning: 'time until a step failed, by failure reason (timeout, network, target_error, assertion, ...)' },
  'step.errors': { kind: 'rate', unit: 'ratio', tags: ['journey', 'driver', 'step'], meaning: 'share of step runs that failed' },
  // a client's connection to the target, for drivers that report it (WaddleClient.onConnection: the protocol driver)
  'connection.drops': { kind: 'counter', unit: 'count', tags: ['journey', 'driver'], meaning: 'connections the target or the network closed under a user (the client then reconnects with the web client\'s backoff); the built-in gate wants none' },
  'connection.reconnects': { kind: 'counter', unit: 'count', tags: ['journey', 'driver'], meaning: 'reconnections after a drop that succeeded (the user\'s waddle and channel joined again)' },
  'connection.protocol_errors': { kind: 'counter', unit: 'count', tags: ['journey', 'driver'], meaning: 'frames from the target that break its protocol (not JSON, not an object with a type, or malformed for its type), dropped; the built-in gate wants none' },
  // chat
  'chat.messages_sent': { kind: 'counter', unit: 'count', tags: ['journey', 'driver'], meaning: 'chat messages acked by the server' },
  'chat.messages_received': { kind: 'counter', unit: 'count', tags: ['journey', 'driver'], meaning: 'chat messages displayed at receivers' },
  'chat.send_ack_ms': { kind: 'trend', unit: 'ms', tags: ['journey', 'driver'], meaning: 'from send to the server ack, at the sender' },
  'chat.delivery_ms': { kind: 'trend', unit: 'ms', tags: ['journey', 'driver'], meaning: 'from send at the sender to display at each receiver (same-host clocks)' },
  'presence.propagation_ms': { kind: 'trend', unit: 'ms', tags: ['journey', 'driver'], meaning: 'from a user joining to another member seeing it online' },
  'reactions.sent': { kind: 'counter', unit: 'count', tags: ['journey', 'driver'], meaning: 'reactions added' },
  // long histories (the volume plan): chatFlood seeds them, historyBrowsing reads them
  'chat.history_messages': { kind: 'trend', unit: 'count', tags: ['journey', 'driver'], meaning: 'messages a long channel held on the server when a user opened it (historyBrowsing) or finished filling it (chatFlood): the volume actually tested' },
  'chat.history_load_ms': { kind: 'trend', unit: 'ms', tags: ['journey', 'driver'], meaning: 'from asking for a channel (click, request) until its latest page of history was shown (browser: the painting frame) or received (protocol)' },
  'chat.history_page_ms': { kind: 'trend', unit: 'ms', tags: ['journey', 'driver'], meaning: 'scrolling up: from the request for an older page until it was shown (browser) or received (protocol)' },
  'chat.history_pages': { kind: 'counter', unit: 'count', tags: ['journey', 'driver'], meaning: 'older pages of history loaded by scrolling up' },
  'chat.scroll_frame_ms': { kind: 'trend', unit: 'ms', tags: ['journey', 'driver'], meaning: 'intervals between animation frames while scrolling up through history (browser users; 16.7 ms at 60 Hz)' },
  'chat.scroll_long_frames': { kind: 'rate', unit: 'ratio', tags: ['journey', 'driver'], meaning: 'share of animation frames over 50 ms while scrolling up through history: visible stutter (browser users)' },
  // voice, video, screen
  'voice.join_ms': { kind: 'trend', unit: 'ms', tags: ['journey', 'driver'], meaning: 'from clicking join to being in the voice channel' },
  'media.first_remote_ms': { kind: 'trend', unit: 'ms', tags: ['journey', 'driver', 'kind'], meaning: 'from joining/enabling to the first decoded remote media of that kind' },
  // uploads
  'upload.duration_ms': { kind: 'trend', unit: 'ms', tags: ['journey', 'driver'], meaning: 'whole chunked upload, first chunk to verified completion' },
  'upload.throughput_mbps': { kind: 'trend', unit: 'mbps', tags: ['journey', 'driver'], meaning: 'upload payload megabits per second' },
  'upload.bytes': { kind: 'counter', unit: 'bytes', tags: ['journey', 'driver'], meaning: 'bytes uploaded and verified' },
  'download.duration_ms': { kind: 'trend', unit: 'ms', tags: ['journey', 'driver'], meaning: 'attachment download' },
  'download.verify_errors': { kind: 'rate', unit: 'ratio', tags: ['journey', 'driver'], meaning: 'share of downloads whose sha-256 did not match the upload' },
  // WebRTC, from the in-page probe (one sample per connection and track per probe interval)
  'webrtc.bitrate_kbps': { kind: 'trend', unit: 'kbps', tags: media, meaning: 'RTP payload bitrate over the probe interval' },
  'webrtc.packets': { kind: 'counter', unit: 'count', tags: media, meaning: 'RTP packets sent (outbound) or received (inbound); the seed\'s voice packets per minute are kind:audio' },
  'webrtc.packets_lost_pct': { kind: 'trend', unit: 'percent', tags: media, meaning: 'packets lost over the interval, of expected (inbound; outbound from remote-inbound-rtp)' },
  'webrtc.jitter_ms': { kind: 'trend', unit: 'ms', tags: media, meaning: 'RTP interarrival jitter' },
  'webrtc.rtt_ms': { kind: 'trend', unit: 'ms', tags: media, meaning: 'round-trip time (remote-inbound-rtp, else the candidate pair)' },
  'webrtc.fps': { kind: 'trend', unit: 'fps', tags: media, meaning: 'frames per second decoded (inbound) or encoded (outbound)' },
  'webrtc.frame_height_px': { kind: 'trend', unit: 'px', tags: media, meaning: 'video frame height' },
  'webrtc.video.freeze_count': { kind: 'counter', unit: 'count', tags: media, meaning: 'freezes (inbound video freezeCount delta)' },
  'webrtc.video.freeze_ms': { kind: 'trend', unit: 'ms', tags: media, meaning: 'freeze time over the interval (totalFreezesDuration delta)' },
  'webrtc.audio.concealed_pct': { kind: 'trend', unit: 'percent', tags: media, meaning: 'concealed audio samples over the interval, of received samples' },
  'webrtc.jitter_buffer_ms': { kind: 'trend', unit: 'ms', tags: media, meaning: 'average jitter buffer delay over the interval' },
  'webrtc.audio.mos': { kind: 'trend', unit: 'mos', tags: media, meaning: 'E-model MOS estimate from RTT, jitter and loss (ITU-T G.107)' },
  'webrtc.quality_limited_cpu': { kind: 'rate', unit: 'ratio', tags: media, meaning: 'share of outbound video samples with qualityLimitationReason = cpu' },
  'webrtc.quality_limited_bandwidth': { kind: 'rate', unit: 'ratio', tags: media, meaning: 'share of outbound video samples with qualityLimitationReason = bandwidth' },
  'webrtc.first_frame_ms': { kind: 'trend', unit: 'ms', tags: ['journey', 'driver', 'kind'], meaning: 'from setRemoteDescription to the first decoded remote frame' },
  'webrtc.connection_failures': { kind: 'counter', unit: 'count', tags: ['journey', 'driver'], meaning: 'peer connections that reached state failed' },
  // glass-to-glass and quality against the known source (in-page/media-marks.ts, fleet/pool/quality-score.ts); receivers' pages
  'media.video_e2e_ms': { kind: 'trend', unit: 'ms', tags: ['journey', 'driver', 'stage'], meaning: 'glass-to-glass video: from a camera frame reaching the sender page (its capture timestamp on the wall clock, stamped into the frame) to that frame shown at a receiver (requestVideoFrameCallback expectedDisplayTime; stage:displayed) or, when no element shows the track, decoded (stage:decoded). Includes stamping, encode, network, jitter buffer, decode, render. Same-machine clocks; across shards add their NTP offset' },
  'media.audio_e2e_ms': { kind: 'trend', unit: 'ms', tags: ['journey', 'driver'], meaning: 'mouth to ear: from a 2 kHz burst the sender puts in its mic every 2 s on the wall clock to its onset on the remote audio track (encode, network, jitter buffer, decode; not the output device buffer)' },
  'media.video_psnr_db': { kind: 'trend', unit: 'dB', tags: ['journey', 'driver'], meaning: 'luma PSNR of a decoded remote frame (drawn at the fake camera size) against the same source frame of the fake camera file, code strips excluded; every few seconds per receiver. Lower: blur, blocking, downscaling' },
  'media.video_ssim': { kind: 'trend', unit: 'ratio', tags: ['journey', 'driver'], meaning: 'luma SSIM (8x8 windows, 0..1) of a decoded remote frame against the same source frame, code strips excluded' },
  'webrtc.connections': { kind: 'gauge', unit: 'count', tags: [], meaning: 'open peer connections seen by the probe' },
  'webrtc.bytes': { kind: 'counter', unit: 'bytes', tags: media, meaning: 'RTP payload bytes sent (outbound) or received (inbound): bytesSent/bytesReceived deltas, summing to the page\'s getStats totals' },
  'webrtc.frames': { kind: 'counter', unit: 'count', tags: media, meaning: 'video frames encoded (outbound) or decoded (inbound): framesEncoded/framesDecoded deltas, summing to the page\'s getStats totals' },
  'webrtc.idle_streams': { kind: 'counter', unit: 'count', tags: media, meaning: 'RTP streams that ended (connection closed, page left or released, stream removed) without ever carrying media (no payload byte, no frame), e.g. an idle screen-share transceiver; they are kept out of every quality metric (fps, bitrate, loss, jitter, RTT, freezes, frame height, concealment, MOS) but their packets and bytes still count' },
  // the generator watches itself
  'generator.cpu_pct': { kind: 'gauge', unit: 'percent', tags: [], meaning: 'CPU of the fleet (node + browsers), as % of the whole machine' },
  'generator.node_cpu_pct': { kind: 'gauge', unit: 'percent', tags: [], meaning: 'CPU of the fleet Node process, % of one core' },
  'generator.browser_cpu_pct': { kind: 'gauge', unit: 'percent', tags: [], meaning: 'CPU of all browser process trees, % of one core' },
  'generator.memory_mb': { kind: 'gauge', unit: 'MB', tags: [], meaning: 'memory of the fleet: node RSS + browser processes PSS (shared pages counted once)' },
  'generator.node_heap_mb': { kind: 'gauge', unit: 'MB', tags: [], meaning: 'V8 heap used by the fleet Node process\'s main thread' },
  'generator.worker_heap_mb': { kind: 'gauge', unit: 'MB', tags: [], meaning: 'V8 heap used by the protocol worker threads, summed (each worker\'s latest, reported once a second; with node_heap_mb, all the JavaScript heap inside memory_mb); only in runs with --protocol-workers' },
  'generator.gc_pause_ms': { kind: 'trend', unit: 'ms', tags: ['kind', 'thread'], meaning: 'garbage-collection pauses of the fleet Node process: per monitor sample, the longest pause of each kind (minor: scavenge, major: mark-compact, incremental: a marking step, weakcb: weak callbacks) on the main thread (thread:main) or on any protocol worker (thread:worker); its max over an interval is the interval\'s longest pause. A pause stops that thread\'s event loop (and its users\' timings) for as long' },
  'generator.system_cpu_pct': { kind: 'gauge', unit: 'percent', tags: [], meaning: 'machine CPU busy, %' },
  'generator.system_memory_pct': { kind: 'gauge', unit: 'percent', tags: [], meaning: 'machine memory used, %' },
  'generator.event_loop_delay_ms': { kind: 'trend', unit: 'ms', tags: [], meaning: 'event-loop delay of the fleet Node process, p99 per monitor sample: its latest thread (the main one or a protocol worker)' },
  'generator.browsers': { kind: 'gauge', unit: 'count', tags: [], meaning: 'browser processes running' },
  'generator.contexts': { kind: 'gauge', unit: 'count', tags: [], meaning: 'browser contexts (users) open' },
  'generator.cpu_wait_pct': { kind: 'gauge', unit: 'percent', tags: [], meaning: 'share of the fleet threads\' runnable time (node + browsers) spent waiting for a CPU, % (behind other processes or behind each other)' },
  'generator.cpu_starved_pct': { kind: 'gauge', unit: 'percent', tags: [], meaning: 'share of the fleet threads\' runnable time spent waiting while other processes held the CPU: min(wait, machine busy - fleet CPU) / (run + wait), %; 0 below a quarter core wanted; its median over 10 s above 50% marks the run saturated' },
  // the target, when it offers /metrics
  'target.ws_connections': { kind: 'gauge', unit: 'count', tags: [], meaning: 'open WebSocket connections at the target' },
  'target.cpu_pct': { kind: 'gauge', unit: 'percent', tags: [], meaning: 'target process CPU, % of one core' },
  'target.memory_mb': { kind: 'gauge', unit: 'MB', tags: [], meaning: 'target process RSS' },
  'target.messages_per_s': { kind: 'gauge', unit: 'count', tags: [], meaning: 'chat messages the target received per second' },
  'target.event_loop_delay_ms': { kind: 'gauge', unit: 'ms', tags: [], meaning: 'target event-loop delay' },
  // the target's media server, when the reference Waddle runs calls through one (--media sfu: Janus)
  'target.sfu_cpu_pct': { kind: 'gauge', unit: 'percent', tags: [], meaning: 'media server (Janus) process CPU, % of one core, from /proc' },
  'target.sfu_cpu_limit_pct': { kind: 'gauge', unit: 'percent', tags: [], meaning: 'media server CPU limit (a cgroup quota: reference Waddle --sfu-cpu-limit), % of one core; 0 = none. target_sfu_cpu judges target.sfu_cpu_pct against it' },
  'target.sfu_cpu_throttled_pct': { kind: 'gauge', unit: 'percent', tags: [], meaning: 'share of CFS periods in which the kernel throttled the media server at its CPU limit, %' },
  'target.sfu_memory_mb': { kind: 'gauge', unit: 'MB', tags: [], meaning: 'media server (Janus) process RSS, from /proc' },
  'target.sfu_rooms': { kind: 'gauge', unit: 'count', tags: [], meaning: 'SFU rooms created (one per voice channel used)' },
  'target.sfu_publishers': { kind: 'gauge', unit: 'count', tags: [], meaning: 'call participants publishing to the SFU' },
  'target.sfu_subscribers': { kind: 'gauge', unit: 'count', tags: [], meaning: 'SFU subscriptions (one per receiver and publisher)' },
  'target.sfu_peer_connections': { kind: 'gauge', unit: 'count', tags: [], meaning: 'SFU PeerConnections with ICE and DTLS up' },
  'target.sfu_errors_total': { kind: 'gauge', unit: 'count', tags: [], meaning: 'requests to the SFU that failed or timed out since the target started' },
  'target.sfu_packets_in_per_s': { kind: 'gauge', unit: 'count', tags: [], meaning: 'RTP packets the SFU received per second (its admin API)' },
  'target.sfu_packets_out_per_s': { kind: 'gauge', unit: 'count', tags: [], meaning: 'RTP packets the SFU forwarded per second (its admin API)' },
  'target.sfu_kbps_in': { kind: 'gauge', unit: 'kbps', tags: [], meaning: 'media bitrate the SFU received' },
  'target.sfu_kbps_out': { kind: 'gauge', unit: 'kbps', tags: [], meaning: 'media bitrate the SFU forwarded' },
  'target.sfu_forwarded_packets_total': { kind: 'gauge', unit: 'count', tags: [], meaning: 'RTP packets the SFU sent on subscriptions that have ended, since the target started (its admin API, read before each detach)' },
} as const satisfies Record<string, MetricDefinition>;

export type MetricName = keyof typeof catalogue;

/** A plan's own metric: under `custom.`, so it never shadows a built-in one (a plan's `metrics`). */
export type CustomMetricName = `custom.${string}`;
/** A name a recorder takes: one of the catalogue's, or a plan's own metric declared in its `metrics`. */
export type RecordableMetric = MetricName | CustomMetricName;
/** How a plan declares its own metric: as the catalogue's entries; `journey` and `driver` are always allowed tags. */
export interface CustomMetricSpec {
  readonly kind: MetricDefinition['kind'];
  readonly unit: MetricDefinition['unit'];
  /** low-cardinality tags of its own, besides journey and driver (DESIGN.md rule 5) */
  readonly tags?: readonly string[];
  readonly meaning: string;
}

/** The plans' own metrics declared in this process (custom-metrics.ts declareMetrics). */
const declared = new Map<string, MetricDefinition>();

/** Adds a plan's own metric; the checks are in custom-metrics.ts. */
export function addDeclaredMetric(name: CustomMetricName, definition: MetricDefinition): void {
  declared.set(name, definition);
}

/** The definition of a built-in or declared metric. */
export function definitionOf(name: RecordableMetric): MetricDefinition {
  const def: MetricDefinition | undefined = isMetricName(name) ? catalogue[name] : declared.get(name);
  if (!def) throw new Error(`metric "${name}" is neither in the catalogue nor declared by the plan`);
  return def;
}

/**
 * The tags a metric may carry: its own, and `network` (the user's network profile name, or 'none';
 * network/README.md) on every per-user one (those tagged with journey). Only runs where some user
 * has a network tag their users' metrics with it.
 */
export function tagsOf(name: RecordableMetric): readonly string[] {
  const own: readonly string[] = definitionOf(name).tags;
  return own.includes('journey') ? [...own, 'network'] : own;
}

export function isMetricName(name: string): name is MetricName {
  return Object.prototype.hasOwnProperty.call(catalogue, name);
}

/** In the catalogue, or declared by the plan (its `metrics`). */
export function isKnownMetric(name: string): name is RecordableMetric {
  return isMetricName(name) || declared.has(name);
}
