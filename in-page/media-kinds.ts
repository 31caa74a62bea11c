// Which tracks are screens: those the fake (or watched) getDisplayMedia made, any whose settings
// or content hint say so, and on the receiving side the m-sections the sender marked
// a=content:slides (sdp-marks.ts).
import type { MediaKind } from './probe-protocol.ts';
import { slidesMids } from './sdp-marks.ts';
import type { Tracked } from './stats-loop.ts';

export class MediaKinds {
  /** ids of the local tracks known to be screens */
  readonly screenTrackIds = new Set<string>();

  kindOfTrack(track: MediaStreamTrack | null): MediaKind | undefined {
    if (!track) return undefined;
    if (track.kind === 'audio') return 'audio';
    if (this.screenTrackIds.has(track.id)) return 'screen';
    let surface: unknown;
    try {
      surface = (track.getSettings() as { displaySurface?: unknown }).displaySurface;
    } catch {}
    if (surface || track.contentHint === 'detail' || track.contentHint === 'text') {
      this.screenTrackIds.add(track.id);
      return 'screen';
    }
    return 'video';
  }

  /** The mids the other side marked as screens. */
  screenMidsOf(t: Tracked, pc: RTCPeerConnection): Set<string> {
    // other browsers may keep the mark in remoteDescription; Chromium does not
    const mids = slidesMids(pc.remoteDescription?.sdp);
    for (const mid of t.remoteSlidesMids) mids.add(mid);
    return mids;
  }
}
