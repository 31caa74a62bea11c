// A remote participant's tile in the voice panel: the same DOM in mesh and SFU mode (drivers
// find remote-audio / remote-video / remote-screen in a voice-tile), whatever carried the track.
import { h } from './dom.ts';

export const KINDS = ['audio', 'video', 'screen'] as const;
export type Kind = (typeof KINDS)[number];

export function newTile(peerId: string, username: string): HTMLElement {
  const tile = h('div', { class: 'tile', 'data-testid': 'voice-tile', 'data-peer-id': peerId, 'data-username': username }, h('div', { text: username }));
  for (const kind of KINDS) {
    const media = kind === 'audio' ? h('audio', { autoplay: true }) : h('video', { autoplay: true, playsinline: true, muted: true });
    if (media instanceof HTMLVideoElement) media.muted = true;
    media.dataset.testid = `remote-${kind}`;
    media.dataset.kind = kind;
    media.setAttribute('aria-label', `${kind} from ${username}`);
    tile.append(media);
  }
  return tile;
}

/** Plays a received track in the tile's element of that kind. */
export function showTrack(tile: HTMLElement, kind: Kind, track: MediaStreamTrack): void {
  const media = tile.querySelector<HTMLMediaElement>(`[data-kind="${kind}"]`);
  if (!media) return;
  media.srcObject = new MediaStream([track]);
  // the remote track is muted until packets arrive; expose that for observers
  const mark = (): void => void (media.dataset.trackMuted = String(track.muted));
  track.addEventListener('mute', mark);
  track.addEventListener('unmute', mark);
  mark();
  media.play().catch((error: Error) => (media.dataset.playError = error.name));
}
