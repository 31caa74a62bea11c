// Turns two getStats() snapshots of one peer connection into per-stream samples over the
// interval between them. Pure (plain Maps of plain objects), so it is unit-testable in Node.
import { estimateMos } from './e-model.ts';
import type { MediaKind, StreamSample } from './probe-protocol.ts';

export type Stat = { readonly id: string; readonly type: string; readonly timestamp: number } & Readonly<Record<string, unknown>>;
export type StatsMap = ReadonlyMap<string, Stat>;

export interface SampleContext {
  readonly connectionId: string;
  /** track ids known to be screen captures (our getDisplayMedia, or displaySurface set) */
  readonly screenTrackIds: ReadonlySet<string>;
  /** mids whose remote m-section says a=content:slides (RFC 4796), from the SDP the app gave setRemoteDescription */
  readonly screenMids: ReadonlySet<string>;
}

function num(s: Stat | undefined, key: string): number | undefined {
  const v = s?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
function str(s: Stat | undefined, key: string): string | undefined {
  const v = s?.[key];
  return typeof v === 'string' ? v : undefined;
}
function delta(cur: Stat, prev: Stat | undefined, key: string): number | undefined {
  const a = num(cur, key);
  const b = num(prev, key);
  return a === undefined || b === undefined ? undefined : a - b;
}
const round2 = (x: number) => Math.round(x * 100) / 100;

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

function put<K extends keyof StreamSample>(o: Partial<Record<keyof StreamSample, unknown>>, k: K, v: number | string | undefined): void {
  if (v !== undefined && !(typeof v === 'number' && !Number.isFinite(v))) o[k] = typeof v === 'number' ? round2(v) : v;
}

export function sampleStreams(prev: StatsMap | undefined, cur: StatsMap, ctx: SampleContext): StreamSample[] {
  if (!prev) return [];
  const out: StreamSample[] = [];
  const pairRttMs = candidatePairRttMs(cur);
  const remoteInboundByLocal = new Map<string, Stat>();
  for (const s of cur.values()) if (s.type === 'remote-inbound-rtp' && typeof s['localId'] === 'string') remoteInboundByLocal.set(s['localId'], s);
  const prevRemoteInboundByLocal = new Map<string, Stat>();
  for (const s of prev.values()) if (s.type === 'remote-inbound-rtp' && typeof s['localId'] === 'string') prevRemoteInboundByLocal.set(s['localId'], s);

  for (const s of cur.values()) {
    if (s.type !== 'outbound-rtp' && s.type !== 'inbound-rtp') continue;
    const p = prev.get(s.id);
    if (!p) continue; // deltas need two snapshots
    const dtMs = s.timestamp - p.timestamp;
    if (!(dtMs > 0)) continue;
    const isVideo = s['kind'] === 'video';
    const o: Partial<Record<keyof StreamSample, unknown>> = {};
    let kind: MediaKind = isVideo ? 'video' : 'audio';

    if (s.type === 'outbound-rtp') {
      const source = typeof s['mediaSourceId'] === 'string' ? cur.get(s['mediaSourceId']) : undefined;
      const trackId = str(source, 'trackIdentifier');
      if (isVideo && ((trackId && ctx.screenTrackIds.has(trackId)) || s['contentType'] === 'screenshare')) kind = 'screen';
      const bytes = delta(s, p, 'bytesSent');
      if (bytes !== undefined) put(o, 'bitrateKbps', Math.max(0, (bytes * 8) / dtMs));
      const remote = remoteInboundByLocal.get(s.id);
      const rtt = num(remote, 'roundTripTime');
      const rttMs = rtt !== undefined ? rtt * 1000 : pairRttMs;
      put(o, 'rttMs', rttMs);
      const jitter = num(remote, 'jitter');
      put(o, 'jitterMs', jitter === undefined ? undefined : jitter * 1000);
      const lost = remote ? delta(remote, prevRemoteInboundByLocal.get(s.id), 'packetsLost') : undefined;
      const sent = delta(s, p, 'packetsSent');
      put(o, 'packets', sent === undefined ? undefined : Math.max(0, sent));
      let lossPct: number | undefined;
      if (lost !== undefined && sent !== undefined && sent > 0) lossPct = Math.min(100, Math.max(0, (lost / sent) * 100));
      else if (remote && num(remote, 'fractionLost') !== undefined) lossPct = (num(remote, 'fractionLost') ?? 0) * 100;
      put(o, 'packetsLostPct', lossPct);
      if (isVideo) {
        const frames = delta(s, p, 'framesEncoded');
        put(o, 'fps', frames !== undefined ? Math.max(0, (frames * 1000) / dtMs) : num(s, 'framesPerSecond'));
        put(o, 'frameHeightPx', num(s, 'frameHeight'));
        put(o, 'qualityLimitationReason', str(s, 'qualityLimitationReason'));
      } else if (rttMs !== undefined) {
        put(o, 'mos', estimateMos({ rttMs, lossPct: lossPct ?? 0, jitterMs: jitter === undefined ? 0 : jitter * 1000 }));
      }
    } else {
      const trackId = str(s, 'trackIdentifier');
      const mid = str(s, 'mid');
      // contentType comes in-band (the video-content-type RTP header extension Chromium offers by
      // default) from a sender whose track is a screen capture or has contentHint detail/text:
      // it survives replaceTrack without renegotiation, which SDP marks cannot
      if (isVideo && ((trackId && ctx.screenTrackIds.has(trackId)) || (mid !== undefined && ctx.screenMids.has(mid)) || s['contentType'] === 'screenshare')) kind = 'screen';
      const bytes = delta(s, p, 'bytesReceived');
      if (bytes !== undefined) put(o, 'bitrateKbps', Math.max(0, (bytes * 8) / dtMs));
      const lost = delta(s, p, 'packetsLost');
      const received = delta(s, p, 'packetsReceived');
      put(o, 'packets', received === undefined ? undefined : Math.max(0, received));
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
      const jbDelay = delta(s, p, 'jitterBufferDelay');
      const jbCount = delta(s, p, 'jitterBufferEmittedCount');
      const jitterBufferMs = jbDelay !== undefined && jbCount !== undefined && jbCount > 0 ? (jbDelay / jbCount) * 1000 : undefined;
      put(o, 'jitterBufferMs', jitterBufferMs);
      if (isVideo) {
        const frames = delta(s, p, 'framesDecoded');
        put(o, 'fps', frames !== undefined ? Math.max(0, (frames * 1000) / dtMs) : num(s, 'framesPerSecond'));
        put(o, 'frameHeightPx', num(s, 'frameHeight'));
        put(o, 'freezeCountDelta', delta(s, p, 'freezeCount'));
        const freezeS = delta(s, p, 'totalFreezesDuration');
        put(o, 'freezeMsDelta', freezeS === undefined ? undefined : freezeS * 1000);
      } else {
        const concealed = delta(s, p, 'concealedSamples');
        const samples = delta(s, p, 'totalSamplesReceived');
        if (concealed !== undefined && samples !== undefined && samples > 0) put(o, 'concealedPct', Math.min(100, Math.max(0, (concealed / samples) * 100)));
        if (pairRttMs !== undefined) put(o, 'mos', estimateMos({ rttMs: pairRttMs, lossPct: lossPct ?? 0, jitterMs, jitterBufferMs }));
      }
    }
    out.push({
      ...(o as Partial<StreamSample>),
      connectionId: ctx.connectionId,
      ssrc: num(s, 'ssrc') ?? 0,
      kind,
      direction: s.type === 'outbound-rtp' ? 'outbound' : 'inbound',
      intervalMs: Math.round(dtMs),
    });
  }
  return out;
}

// moved to sdp-marks.ts with the marking side; re-exported for existing importers
export { slidesMids } from './sdp-marks.ts';
