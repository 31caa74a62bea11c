// Turns two getStats() snapshots of one peer connection into per-stream samples over the
// interval between them. Pure (plain Maps of plain objects), so it is unit-testable in Node.
//
// Counters are exact: a stream the previous snapshot did not have counts from zero (its first
// packets are in the sum), and a counter that went backwards (a reset) counts from zero again,
// so the samples of a stream sum to the page's own getStats totals. Rates (bitrate, fps) need
// a known interval of some length: they are left out of a stream's first sample and of a final
// snapshot taken moments after a periodic one (one frame more or less in 60 ms reads 0 or 33 fps).
import { estimateMos } from './e-model.ts';
import type { Direction, MediaKind, StreamSample } from './probe-protocol.ts';

export type Stat = { readonly id: string; readonly type: string; readonly timestamp: number } & Readonly<Record<string, unknown>>;
export type StatsMap = ReadonlyMap<string, Stat>;

export interface SampleContext {
  readonly connectionId: string;
  /** track ids known to be screen captures (our getDisplayMedia, or displaySurface set) */
  readonly screenTrackIds: ReadonlySet<string>;
  /** mids whose remote m-section says a=content:slides (RFC 4796), from the SDP the app gave setRemoteDescription */
  readonly screenMids: ReadonlySet<string>;
}

type Fields = Partial<Record<keyof StreamSample, unknown>>;

function num(s: Stat | undefined, key: string): number | undefined {
  const v = s?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
function str(s: Stat | undefined, key: string): string | undefined {
  const v = s?.[key];
  return typeof v === 'string' ? v : undefined;
}
/** Difference of a value that may go either way (packetsLost can fall with duplicates); from zero when there is no previous one. */
function delta(cur: Stat, prev: Stat | undefined, key: string): number | undefined {
  const a = num(cur, key);
  if (a === undefined) return undefined;
  return a - (num(prev, key) ?? 0);
}
/** Growth of a cumulative counter: from zero for a new stream, and from zero again after a reset. */
function counterDelta(cur: Stat, prev: Stat | undefined, key: string): number | undefined {
  const a = num(cur, key);
  if (a === undefined) return undefined;
  const b = num(prev, key);
  return b === undefined || a < b ? a : a - b;
}
const round2 = (x: number) => Math.round(x * 100) / 100;
/** the shortest interval a rate is computed over: the probe's own shortest period */
export const MIN_RATE_INTERVAL_MS = 250;

/** RTT of the selected candidate pair, ms. */
export function candidatePairRttMs(stats: StatsMap): number | undefined {
  let pair: Stat | undefined;
  for (const s of stats.values()) {
    if (s.type === 'transport' && typeof s['selectedCandidatePairId'] === 'string') pair = stats.get(s['selectedCandidatePairId']);
  }
  if (!pair) for (const s of stats.values()) if (s.type === 'candidate-pair' && s['nominated'] === true && s['state'] === 'succeeded') pair = s;
  const rtt = num(pair, 'currentRoundTripTime');
  return rtt === undefined ? undefined : rtt * 1000;
}

function put<K extends keyof StreamSample>(o: Fields, k: K, v: number | string | undefined): void {
  if (v !== undefined && !(typeof v === 'number' && !Number.isFinite(v))) o[k] = typeof v === 'number' ? round2(v) : v;
}

const isRtp = (s: Stat) => s.type === 'outbound-rtp' || s.type === 'inbound-rtp';
const directionOf = (s: Stat): Direction => (s.type === 'outbound-rtp' ? 'outbound' : 'inbound');
const keys = (s: Stat) =>
  s.type === 'outbound-rtp' ? { bytes: 'bytesSent', packets: 'packetsSent', frames: 'framesEncoded' } : { bytes: 'bytesReceived', packets: 'packetsReceived', frames: 'framesDecoded' };

/** audio, video, or screen (by track, SDP mark or the in-band contentType, which survives replaceTrack). */
export function streamKind(s: Stat, stats: StatsMap, ctx: SampleContext): MediaKind {
  if (s['kind'] !== 'video') return 'audio';
  if (s['contentType'] === 'screenshare') return 'screen';
  if (s.type === 'outbound-rtp') {
    const source = typeof s['mediaSourceId'] === 'string' ? stats.get(s['mediaSourceId']) : undefined;
    const trackId = str(source, 'trackIdentifier');
    return trackId && ctx.screenTrackIds.has(trackId) ? 'screen' : 'video';
  }
  const trackId = str(s, 'trackIdentifier');
  const mid = str(s, 'mid');
  return (trackId && ctx.screenTrackIds.has(trackId)) || (mid !== undefined && ctx.screenMids.has(mid)) ? 'screen' : 'video';
}

/**
 * Has this stream ever carried media? Payload bytes or frames, not packets: an idle video
 * transceiver receives a padding packet from the peer's bandwidth probing (packetsReceived 1,
 * bytesReceived 0). Only when neither is reported do packets decide.
 */
export function hasCarriedMedia(s: Stat): boolean {
  const k = keys(s);
  const bytes = num(s, k.bytes);
  const frames = num(s, k.frames);
  if (bytes === undefined && frames === undefined) return (num(s, k.packets) ?? 0) > 0;
  return (bytes ?? 0) > 0 || (frames ?? 0) > 0;
}

function outboundFields(o: Fields, s: Stat, p: Stat | undefined, cur: StatsMap, prev: StatsMap | undefined, pairRttMs: number | undefined): void {
  const remote = [...cur.values()].find((r) => r.type === 'remote-inbound-rtp' && r['localId'] === s.id);
  const prevRemote = remote && prev?.get(remote.id);
  const rtt = num(remote, 'roundTripTime');
  const rttMs = rtt !== undefined ? rtt * 1000 : pairRttMs;
  put(o, 'rttMs', rttMs);
  const jitter = num(remote, 'jitter');
  put(o, 'jitterMs', jitter === undefined ? undefined : jitter * 1000);
  const lost = remote ? delta(remote, prevRemote, 'packetsLost') : undefined;
  const sent = counterDelta(s, p, 'packetsSent');
  let lossPct: number | undefined;
  if (lost !== undefined && sent !== undefined && sent > 0) lossPct = Math.min(100, Math.max(0, (lost / sent) * 100));
  else if (remote && num(remote, 'fractionLost') !== undefined) lossPct = (num(remote, 'fractionLost') ?? 0) * 100;
  put(o, 'packetsLostPct', lossPct);
  if (s['kind'] === 'video') {
    put(o, 'frameHeightPx', num(s, 'frameHeight'));
    put(o, 'qualityLimitationReason', str(s, 'qualityLimitationReason'));
  } else if (rttMs !== undefined) {
    put(o, 'mos', estimateMos({ rttMs, lossPct: lossPct ?? 0, jitterMs: jitter === undefined ? 0 : jitter * 1000 }));
  }
}

function inboundFields(o: Fields, s: Stat, p: Stat | undefined, pairRttMs: number | undefined): void {
  const lost = delta(s, p, 'packetsLost');
  const received = counterDelta(s, p, 'packetsReceived');
  let lossPct: number | undefined;
  if (lost !== undefined && received !== undefined) {
    const expected = Math.max(0, lost) + received;
    lossPct = expected > 0 ? Math.min(100, (Math.max(0, lost) / expected) * 100) : 0;
  }
  put(o, 'packetsLostPct', lossPct);
  const jitter = num(s, 'jitter');
  const jitterMs = jitter === undefined ? undefined : jitter * 1000;
  put(o, 'jitterMs', jitterMs);
  put(o, 'rttMs', pairRttMs);
  const jbDelay = counterDelta(s, p, 'jitterBufferDelay');
  const jbCount = counterDelta(s, p, 'jitterBufferEmittedCount');
  const jitterBufferMs = jbDelay !== undefined && jbCount !== undefined && jbCount > 0 ? (jbDelay / jbCount) * 1000 : undefined;
  put(o, 'jitterBufferMs', jitterBufferMs);
  if (s['kind'] === 'video') {
    put(o, 'frameHeightPx', num(s, 'frameHeight'));
    put(o, 'freezeCountDelta', counterDelta(s, p, 'freezeCount'));
    const freezeS = counterDelta(s, p, 'totalFreezesDuration');
    put(o, 'freezeMsDelta', freezeS === undefined ? undefined : freezeS * 1000);
  } else {
    const concealed = counterDelta(s, p, 'concealedSamples');
    const samples = counterDelta(s, p, 'totalSamplesReceived');
    if (concealed !== undefined && samples !== undefined && samples > 0) put(o, 'concealedPct', Math.min(100, Math.max(0, (concealed / samples) * 100)));
    if (pairRttMs !== undefined) put(o, 'mos', estimateMos({ rttMs: pairRttMs, lossPct: lossPct ?? 0, jitterMs, jitterBufferMs }));
  }
}

/** bitrate and fps over the interval; only when the interval is known (not a stream's first sample) */
function rateFields(o: Fields, s: Stat, p: Stat, dtMs: number): void {
  const k = keys(s);
  const bytes = counterDelta(s, p, k.bytes);
  if (bytes !== undefined) put(o, 'bitrateKbps', (bytes * 8) / dtMs);
  if (s['kind'] === 'video') {
    const frames = counterDelta(s, p, k.frames);
    put(o, 'fps', frames !== undefined ? (frames * 1000) / dtMs : num(s, 'framesPerSecond'));
  }
}

function sampleOf(s: Stat, p: Stat | undefined, cur: StatsMap, prev: StatsMap | undefined, ctx: SampleContext, dtMs: number): StreamSample {
  const k = keys(s);
  const o: Fields = {};
  put(o, 'packets', counterDelta(s, p, k.packets));
  put(o, 'bytes', counterDelta(s, p, k.bytes));
  if (s['kind'] === 'video') put(o, 'frames', counterDelta(s, p, k.frames));
  if (!hasCarriedMedia(s)) {
    o.idle = true; // counters only: an idle stream says nothing about quality
  } else {
    const pairRttMs = candidatePairRttMs(cur);
    if (p && dtMs >= MIN_RATE_INTERVAL_MS) rateFields(o, s, p, dtMs);
    if (s.type === 'outbound-rtp') outboundFields(o, s, p, cur, prev, pairRttMs);
    else inboundFields(o, s, p, pairRttMs);
  }
  return { ...(o as Partial<StreamSample>), connectionId: ctx.connectionId, ssrc: num(s, 'ssrc') ?? 0, kind: streamKind(s, cur, ctx), direction: directionOf(s), intervalMs: Math.max(0, Math.round(dtMs)) };
}

/** The snapshot's time: every stat of one Chromium report carries the same timestamp. */
function snapshotTime(stats: StatsMap | undefined): number | undefined {
  for (const s of stats?.values() ?? []) return s.timestamp;
  return undefined;
}

export function sampleStreams(prev: StatsMap | undefined, cur: StatsMap, ctx: SampleContext): StreamSample[] {
  const out: StreamSample[] = [];
  const prevAt = snapshotTime(prev);
  for (const s of cur.values()) {
    if (!isRtp(s)) continue;
    const p = prev?.get(s.id);
    if (p && !(s.timestamp - p.timestamp > 0)) continue; // the same snapshot again (Chromium caches reports for 50 ms)
    // a new stream: counted from zero; its interval began at most at the previous snapshot
    const dtMs = p ? s.timestamp - p.timestamp : prevAt !== undefined ? s.timestamp - prevAt : 0;
    out.push(sampleOf(s, p, cur, prev, ctx, dtMs));
  }
  return out;
}

export interface IdleStream {
  /** the stats id: unique per stream within a connection */
  readonly id: string;
  readonly kind: MediaKind;
  readonly direction: Direction;
}

/**
 * Streams that end without ever having carried media: those the previous snapshot had and this
 * one lost (transceiver stopped, renegotiated away) and, when this snapshot is final (connection
 * closing, page leaving, flush), every idle stream it holds.
 */
export function endedIdleStreams(prev: StatsMap | undefined, cur: StatsMap, ctx: SampleContext, final: boolean): IdleStream[] {
  const out: IdleStream[] = [];
  for (const p of prev?.values() ?? []) {
    if (isRtp(p) && !cur.has(p.id) && !hasCarriedMedia(p)) out.push({ id: p.id, kind: streamKind(p, prev!, ctx), direction: directionOf(p) });
  }
  if (final) for (const s of cur.values()) if (isRtp(s) && !hasCarriedMedia(s)) out.push({ id: s.id, kind: streamKind(s, cur, ctx), direction: directionOf(s) });
  return out;
}

// moved to sdp-marks.ts with the marking side; re-exported for existing importers
export { slidesMids } from './sdp-marks.ts';
