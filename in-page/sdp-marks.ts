// RFC 4796 content marks in SDP. The sending probe adds `a=content:slides` to the m=video
// section whose sender carries a screen capture; the receiving probe reads it from the SDP the
// app passes to setRemoteDescription. Pure string work, so it is unit-testable in Node.
//
// Measured on Chromium 156: a marked SDP is accepted by setLocalDescription and by the remote
// setRemoteDescription, but Chromium re-serialises descriptions and DROPS the attribute from
// pc.localDescription and pc.remoteDescription. Hence the probe re-marks what the localDescription
// getters return, and the receiver remembers the marks of the SDP it was given.
// Apps that switch tracks with replaceTrack never renegotiate, so the mark only exists when a
// screen was already on its transceiver at offer/answer time; the always-present in-band signal
// is inbound-rtp contentType 'screenshare' (see stats-sampler.ts).

const SLIDES = 'a=content:slides';

/** Splits an SDP into its session part and m-sections (each starting with "m="), keeping line ends. */
function sections(sdp: string): { head: string; media: string[]; eol: string } {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const parts = sdp.split(new RegExp(`(?=${eol === '\r\n' ? '\\r\\n' : '\\n'}m=)`));
  const head = parts.shift() ?? '';
  return { head, media: parts, eol };
}

const midOf = (section: string): string | undefined => /(?:^|\n)a=mid:(\S+)/.exec(section)?.[1];
const isVideo = (section: string): boolean => /^(?:\r?\n)?m=video /.test(section);

/** mids of m-sections with a=content:slides (RFC 4796: the sender marks screen content). */
export function slidesMids(sdp: string | undefined): Set<string> {
  const mids = new Set<string>();
  if (!sdp) return mids;
  for (const section of sections(sdp).media) {
    const mid = midOf(section);
    if (mid && /\na=content:slides\r?(?:\n|$)/.test(section)) mids.add(mid);
  }
  return mids;
}

/**
 * Which m-section indexes (0-based, in SDP order) carry screens. Transceivers with a mid are
 * matched by mid; those without one (a first offer, before setLocalDescription assigns mids) are
 * matched in order to the sections whose mid no transceiver owns — how Chromium lays out new
 * transceivers in an offer.
 */
export function screenSectionIndexes(sdp: string, transceivers: ReadonlyArray<{ readonly mid: string | null; readonly screen: boolean; readonly stopped?: boolean }>): Set<number> {
  const media = sections(sdp).media;
  const out = new Set<number>();
  const byMid = new Map<string, boolean>();
  for (const t of transceivers) if (t.mid !== null) byMid.set(t.mid, t.screen);
  const unmatched = transceivers.filter((t) => t.mid === null && !t.stopped);
  media.forEach((section, i) => {
    const mid = midOf(section);
    if (mid !== undefined && byMid.has(mid)) {
      if (byMid.get(mid)) out.add(i);
    } else if (unmatched.shift()?.screen) out.add(i);
  });
  return out;
}

/**
 * The SDP with `a=content:slides` added to the given m=video sections, right after their a=mid
 * line (or as the section's last line), never twice. It only adds: SDP that Chromium generates
 * never holds the mark (a stopped share is simply not marked on the next negotiation), and a mark
 * the app wrote itself is the app's business. Returns the same string when nothing changes.
 */
export function markSlides(sdp: string, screenIndexes: ReadonlySet<number>): string {
  if (!sdp || !screenIndexes.size) return sdp;
  const { head, media, eol } = sections(sdp);
  let changed = false;
  const out = media.map((section, i) => {
    if (!screenIndexes.has(i) || !isVideo(section) || /\na=content:slides\r?(?:\n|$)/.test(section)) return section;
    changed = true;
    const midLine = /\r?\na=mid:\S+/.exec(section);
    if (midLine) {
      const at = midLine.index + midLine[0].length;
      return `${section.slice(0, at)}${eol}${SLIDES}${section.slice(at)}`;
    }
    return section.endsWith(eol) ? `${section}${SLIDES}${eol}` : `${section}${eol}${SLIDES}`;
  });
  return changed ? head + out.join('') : sdp;
}
