// Outgoing SDP marked (RFC 4796 a=content:slides) on the m=video sections whose sender has a
// screen, so the other page's probe knows the section is a screen whatever the app signals.
import type { MediaKinds } from './media-kinds.ts';
import type { ProbeEvents } from './probe-events.ts';
import { markSlides, screenSectionIndexes } from './sdp-marks.ts';

type Description = RTCSessionDescriptionInit | RTCSessionDescription | null | undefined;

export class DescriptionMarks {
  // the same marked object for the same native one, so pc.localDescription === pc.localDescription holds
  readonly #cache = new WeakMap<RTCSessionDescription, { sdp: string; out: RTCSessionDescription }>();

  constructor(
    private readonly kinds: MediaKinds,
    private readonly events: ProbeEvents,
  ) {}

  /** The description with a=content:slides on the m=video sections whose sender has a screen. */
  marked<D extends Description>(pc: RTCPeerConnection, d: D): D {
    if (!d || typeof d.sdp !== 'string' || !d.sdp || (d.type !== 'offer' && d.type !== 'answer' && d.type !== 'pranswer')) return d;
    try {
      const transceivers = pc.getTransceivers().map((tr) => ({
        mid: tr.mid,
        screen: this.kinds.kindOfTrack(tr.sender.track) === 'screen',
        stopped: tr.currentDirection === 'stopped',
      }));
      const sdp = markSlides(d.sdp, screenSectionIndexes(d.sdp, transceivers));
      if (sdp === d.sdp) return d;
      return (d instanceof RTCSessionDescription ? new RTCSessionDescription({ type: d.type, sdp }) : { ...d, sdp }) as D;
    } catch (err) {
      this.events.error('mark SDP', err);
      return d;
    }
  }

  /** A description the app reads back (localDescription and its kin), marked and stable in identity. */
  markedDescription(pc: RTCPeerConnection, d: RTCSessionDescription | null): RTCSessionDescription | null {
    if (!d) return d;
    const out = this.marked(pc, d);
    if (out === d) return d;
    const hit = this.#cache.get(d);
    if (hit && hit.sdp === out.sdp) return hit.out;
    this.#cache.set(d, { sdp: out.sdp, out });
    return out;
  }
}
