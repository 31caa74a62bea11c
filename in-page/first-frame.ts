// The time from the remote description to the first decoded frame of a remote video or screen,
// measured cheaply: getStats is polled only once frames flow.
import type { ProbeEvent, MediaKind } from './probe-protocol.ts';
import type { Tracked } from './stats-loop.ts';

// "Unmuted" is not "frames": Chromium unmutes every video receiver of a connection when the
// peer's bandwidth probing sends padding, so a transceiver with no track on the other side
// (camera off, no screen) looked flowing and was polled with getStats at 20 Hz for a whole
// minute (measured: ~2 such receivers per peer, 0.7-1.5 s of main-thread JS per 50 s per
// page in the smoke plan, plus the native stats work). getSynchronizationSources() is filled
// when a frame is delivered to the track and is a cheap synchronous read, so it gates the
// getStats poll; a getStats every GATED_STATS_MS stays as a net should an implementation
// not report video sources. The first-frame time is still taken when getStats shows
// framesDecoded > 0, on the same 50 ms grid.
const POLL_MS = 50;
const GATED_STATS_MS = 1000;

/** Resolves once RTP arrives on the receiver (its track unmutes), or after timeoutMs. */
function whenFlowing(receiver: RTCRtpReceiver, timeoutMs: number): Promise<void> {
  // Poll getStats only once RTP arrives (the track unmutes): an app with idle transceivers
  // (camera off, no screen share) would otherwise have every page polling at 20 Hz for a
  // minute per peer — measured at ~0.1 core per voice user on 2 cores.
  if (!receiver.track.muted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    receiver.track.addEventListener('unmute', () => resolve(), { once: true });
    setTimeout(resolve, timeoutMs);
  });
}

/** True when a frame reached the track since the last look (or when that cannot be told). */
function framesDelivered(receiver: RTCRtpReceiver): boolean {
  try {
    return receiver.getSynchronizationSources().length > 0;
  } catch {
    return true; // cannot tell: fall back to getStats every poll
  }
}

/** The kind of the first decoded inbound stream in the report, or undefined when none decoded yet. */
function decodedKind(stats: RTCStatsReport, kind: MediaKind): MediaKind | undefined {
  for (const s of stats.values()) {
    if (s.type === 'inbound-rtp' && (s as { framesDecoded?: number }).framesDecoded! > 0) {
      // an app that replaceTracks a screen into a "video" transceiver is only known by contentType
      return (s as { contentType?: string }).contentType === 'screenshare' ? 'screen' : kind;
    }
  }
  return undefined;
}

/** Pushes a first_frame event once the receiver decodes a frame, within timeoutMs of the remote description. */
export function watchFirstFrame(t: Tracked, receiver: RTCRtpReceiver, kind: MediaKind, timeoutMs: number, push: (e: ProbeEvent) => void) {
  const from = t.lastRemoteDescriptionAtMs ?? performance.now();
  const hasSources = typeof receiver.getSynchronizationSources === 'function';
  const poll = async () => {
    await whenFlowing(receiver, timeoutMs);
    let lastStatsAtMs = -Infinity;
    while (performance.now() - from < timeoutMs && !t.closed) {
      if (!hasSources || framesDelivered(receiver) || performance.now() - lastStatsAtMs >= GATED_STATS_MS) {
        lastStatsAtMs = performance.now();
        const decoded = decodedKind(await receiver.getStats(), kind);
        if (decoded) return push({ type: 'first_frame', connectionId: t.id, kind: decoded, ms: Math.round(performance.now() - from) });
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  };
  poll().catch(() => {});
}
