// A protocolMedia user's call through the media server (voice.joined says media: 'sfu'), signalled
// exactly as the reference web client does (reference-waddle/web/sfu-call.ts): one sending
// connection to the SFU with the three fixed transceivers (0 mic, 1 camera, 2 screen; on/off is
// "a track or none", no renegotiation), published with sfu.publish → sfu.answer, and one receiving
// connection per published participant (sfu.subscribe → sfu.offer, our answer in sfu.start).
// All of it on the user's own WebSocket: the media server's port is never signalled to directly.
// Candidates travel inside the SDP (werift gathers loopback in setLocalDescription): no trickle.
// The engine (pacer, payloads, inbound streams, meter) is the mesh's, through MediaPeer.
import type { ServerFrame, VoiceParticipant } from '../../reference-waddle/protocol.ts';
import type { FrameBody } from '../protocol/socket.ts';
import { MediaPeer, type Kind, type PeerEnv } from './media-peer.ts';
import type { PayloadTrack } from './rtp-payloads.ts';

/** A Waddle request on the user's socket, resolved by its answer frame (the socket's bound applies). */
export type SfuRequest = (frame: FrameBody, what: string) => Promise<ServerFrame>;

/** What MediaPeer needs from the call, apart from the signalling (which is this file's). */
export type SessionEnv = Omit<PeerEnv, 'send' | 'kindOf'>;

interface Subscription {
  readonly username: string;
  peer: MediaPeer | undefined;
  closed: boolean;
  /** why this subscription was made again, for timeout messages */
  note?: string;
}

const noSignal = (): void => {};
/** subscriptions made again after a failed connection, per publisher (the mesh's bound) */
const MAX_RESUBSCRIBES = 2;

export class SfuSession {
  private publisher: MediaPeer | undefined;
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly resubscribes = new Map<string, number>();
  /** the latest member list, to subscribe again from */
  private latest: readonly VoiceParticipant[] = [];
  private closed = false;

  constructor(
    private readonly myPeerId: string,
    private readonly request: SfuRequest,
    private readonly env: SessionEnv,
    /** a publish or subscribe failed (counted by the call; the message for timeouts) */
    private readonly onError: (peer: MediaPeer | undefined, error: Error) => void,
  ) {}

  /** Our media to the SFU: a sendonly offer, Janus's answer back through the Waddle server. */
  async publish(): Promise<void> {
    // the SFU answers recvonly: nothing comes back on this connection, so no transceiver has a kind to receive
    const peer = new MediaPeer('(publisher)', { ...this.env, send: noSignal, kindOf: () => undefined });
    this.publisher = peer;
    const sdp = await peer.offer('sendonly');
    const answer = await this.request({ type: 'sfu.publish', sdp }, 'publishing to the media server (sfu.publish → sfu.answer)');
    if (answer.type !== 'sfu.answer') throw new Error(`unexpected answer ${answer.type} to sfu.publish`);
    if (this.closed) return;
    await peer.answered({ type: 'answer', sdp: answer.sdp });
  }

  /** Subscribes to every published participant not yet received; drops those who left (the web client's sync). */
  sync(participants: readonly VoiceParticipant[]): void {
    if (this.closed) return;
    this.latest = participants;
    const published = new Map(participants.filter((p) => p.published === true && p.peerId !== this.myPeerId).map((p) => [p.peerId, p]));
    for (const peerId of [...this.subscriptions.keys()]) if (!published.has(peerId)) this.drop(peerId);
    for (const p of published.values()) {
      if (this.subscriptions.has(p.peerId)) continue;
      const sub: Subscription = { username: p.username, peer: undefined, closed: false };
      this.subscriptions.set(p.peerId, sub);
      this.subscribe(p.peerId, sub).catch((error: Error) => {
        if (sub.closed || this.closed) return; // they left meanwhile: not an error
        this.onError(sub.peer, error);
      });
    }
  }

  setSending(kind: Kind, on: boolean, track: PayloadTrack): void {
    this.publisher?.setSending(kind, on, track);
  }

  /** The connections that receive (one per published participant), for media waits and timeout messages. */
  receivers(): MediaPeer[] {
    return [...this.subscriptions.values()].flatMap((s) => (s.peer ? [s.peer] : []));
  }

  /** Subscriptions asked for but not yet answered, for timeout messages. */
  pending(): string[] {
    return [...this.subscriptions.values()].filter((s) => !s.peer).map((s) => s.username);
  }

  publisherState(): string {
    return this.publisher ? `publisher ${this.publisher.connectionState}${this.publisher.lastError ? ` (${this.publisher.lastError})` : ''}` : 'not publishing';
  }

  close(): void {
    this.closed = true;
    this.publisher?.close();
    for (const peerId of [...this.subscriptions.keys()]) this.drop(peerId);
  }

  private async subscribe(peerId: string, sub: Subscription): Promise<void> {
    const offer = await this.request({ type: 'sfu.subscribe', peerId }, `subscribing to ${sub.username} (sfu.subscribe → sfu.offer)`);
    if (offer.type !== 'sfu.offer') throw new Error(`unexpected answer ${offer.type} to sfu.subscribe`);
    if (sub.closed) return;
    // Janus names the streams it offers (mid → audio, camera or screen of the publisher)
    const kinds = new Map<string, Kind>(offer.streams.map((s) => [s.mid, s.kind]));
    const peer = new MediaPeer(sub.username, { ...this.env, send: noSignal, kindOf: (t) => kinds.get(t.mid ?? ''), onFailed: (failed) => this.subscriptionFailed(peerId, sub, failed) });
    if (sub.note) peer.lastError = sub.note;
    sub.peer = peer;
    const sdp = await peer.answer({ type: 'offer', sdp: offer.sdp }, 'recvonly');
    if (sub.closed) return;
    await this.request({ type: 'sfu.start', peerId, sdp }, `starting ${sub.username}'s media (sfu.start → sfu.started)`);
  }

  /**
   * A receiving connection failed (ICE or DTLS; werift's DTLS fails now and then on a starved
   * machine): counted, then subscribed again (the server replaces the old subscription), at most
   * MAX_RESUBSCRIBES times per publisher, as a person would reload the tile. The publishing
   * connection cannot be made again without leaving the call (the server allows one publish).
   */
  private subscriptionFailed(peerId: string, sub: Subscription, peer: MediaPeer): void {
    this.env.onFailed(peer);
    const count = this.resubscribes.get(peerId) ?? 0;
    if (sub.closed || this.closed || this.subscriptions.get(peerId) !== sub || count >= MAX_RESUBSCRIBES) return;
    this.resubscribes.set(peerId, count + 1);
    this.drop(peerId);
    this.sync(this.latest);
    const again = this.subscriptions.get(peerId);
    if (again) again.note = `subscribed again after a failed connection (${count + 1} of ${MAX_RESUBSCRIBES})`;
  }

  private drop(peerId: string): void {
    const sub = this.subscriptions.get(peerId);
    if (!sub) return;
    sub.closed = true;
    sub.peer?.close();
    this.subscriptions.delete(peerId);
  }
}
