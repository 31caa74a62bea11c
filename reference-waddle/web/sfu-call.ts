// A call through the media server (the server's voice.joined says media: 'sfu'): one sending
// RTCPeerConnection to the SFU with the same three fixed transceivers as a mesh peer (0 mic,
// 1 camera, 2 screen; camera and screen on/off is replaceTrack, no renegotiation), and one
// receiving connection per published participant, shown in the same tile as in mesh mode.
// All signalling is Waddle frames on the page's own WebSocket (sfu.publish / sfu.subscribe /
// sfu.start): the page never talks to the media server's port. Candidates travel inside the
// SDP (gathering on loopback with no STUN takes milliseconds), so there is no trickle.
import type { ServerFrame, VoiceParticipant } from '../protocol.ts';
import type { Connection } from './connection.ts';
import { KINDS, newTile, showTrack, type Kind } from './voice-tiles.ts';

interface Subscription {
  readonly pc: RTCPeerConnection;
  readonly tile: HTMLElement;
  closed: boolean;
}

const GATHER_TIMEOUT_MS = 3000;

export class SfuCall {
  private readonly publisher = new RTCPeerConnection({ iceServers: [] });
  private readonly subscriptions = new Map<string, Subscription>();
  private closed = false;

  constructor(
    private readonly conn: Connection,
    private readonly tiles: HTMLElement,
    private readonly myPeerId: string,
    private readonly reportError: (message: string) => void,
  ) {}

  /** Sends the local tracks (null ones too: their m-lines are there for later replaceTrack). */
  async publish(localTrack: (index: number) => MediaStreamTrack | null): Promise<void> {
    const stream = new MediaStream();
    for (let i = 0; i < KINDS.length; i++) {
      const transceiver = this.publisher.addTransceiver(i === 0 ? 'audio' : 'video', { direction: 'sendonly', streams: [stream] });
      await transceiver.sender.replaceTrack(localTrack(i));
    }
    await this.publisher.setLocalDescription();
    await gathered(this.publisher);
    const sdp = this.publisher.localDescription?.sdp;
    if (!sdp) throw new Error('the browser made no offer to publish');
    const answer = await this.conn.request({ type: 'sfu.publish', sdp }, 20_000);
    if (answer.type !== 'sfu.answer') throw new Error(`unexpected answer ${answer.type} to sfu.publish`);
    if (this.closed) return;
    await this.publisher.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
  }

  async replace(index: number, track: MediaStreamTrack | null): Promise<void> {
    if (this.closed) return;
    await this.publisher.getTransceivers()[index]?.sender.replaceTrack(track);
  }

  tileOf(peerId: string): HTMLElement | undefined {
    return this.subscriptions.get(peerId)?.tile;
  }

  /** Subscribes to every published participant not yet received; drops those who left. */
  sync(participants: readonly VoiceParticipant[]): void {
    if (this.closed) return;
    const published = new Map(participants.filter((p) => p.published && p.peerId !== this.myPeerId).map((p) => [p.peerId, p]));
    for (const peerId of [...this.subscriptions.keys()]) if (!published.has(peerId)) this.drop(peerId);
    for (const p of published.values()) {
      if (this.subscriptions.has(p.peerId)) continue;
      const sub: Subscription = { pc: new RTCPeerConnection({ iceServers: [] }), tile: newTile(p.peerId, p.username), closed: false };
      this.subscriptions.set(p.peerId, sub);
      this.tiles.append(sub.tile);
      this.subscribe(p, sub).catch((error: Error) => {
        // a participant who left meanwhile is not an error (their tile is already gone)
        if (sub.closed || this.closed) return;
        this.drop(p.peerId);
        this.reportError(`Could not receive ${p.username}'s media: ${error.message}`);
      });
    }
  }

  close(): void {
    this.closed = true;
    this.publisher.close();
    for (const peerId of [...this.subscriptions.keys()]) this.drop(peerId);
  }

  private async subscribe(p: VoiceParticipant, sub: Subscription): Promise<void> {
    sub.pc.onconnectionstatechange = () => (sub.tile.dataset.connection = sub.pc.connectionState);
    const offer: ServerFrame = await this.conn.request({ type: 'sfu.subscribe', peerId: p.peerId }, 20_000);
    if (offer.type !== 'sfu.offer') throw new Error(`unexpected answer ${offer.type} to sfu.subscribe`);
    if (sub.closed) return;
    const kinds = new Map<string, Kind>(offer.streams.map((s) => [s.mid, s.kind]));
    sub.pc.ontrack = (event) => {
      const kind = kinds.get(event.transceiver.mid ?? '');
      if (kind) showTrack(sub.tile, kind, event.track);
    };
    await sub.pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
    await sub.pc.setLocalDescription();
    await gathered(sub.pc);
    const sdp = sub.pc.localDescription?.sdp;
    if (sub.closed || !sdp) return;
    await this.conn.request({ type: 'sfu.start', peerId: p.peerId, sdp }, 20_000);
  }

  private drop(peerId: string): void {
    const sub = this.subscriptions.get(peerId);
    if (!sub) return;
    sub.closed = true;
    sub.pc.close();
    sub.tile.remove();
    this.subscriptions.delete(peerId);
  }
}

/** Resolves when the connection has gathered its candidates (or after a bound: send what there is). */
function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, GATHER_TIMEOUT_MS);
    function done(): void {
      clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', check);
      resolve();
    }
    function check(): void {
      if (pc.iceGatheringState === 'complete') done();
    }
    pc.addEventListener('icegatheringstatechange', check);
  });
}
