// Voice for a protocol user: membership and mute/camera/screen flags (voice.state), and a
// synthetic WebRTC signalling exchange, since a protocol user has no media stack.
//
// - The newcomer offers to everyone already in the room (as the reference web client does);
//   a protocol user answers a synthetic offer with a synthetic answer. The server relays `data`
//   opaquely, so the load on it is the real one: one offer and one answer per pair.
// - Synthetic signals carry neither `sdp` nor `candidate`, the keys the reference web client
//   dispatches on, so a browser peer ignores them instead of failing on them.
// - A REAL offer (a browser's SDP) is never answered: it is skipped and counted, as are real
//   answers and ICE candidates. A browser peer therefore never completes the exchange with a
//   protocol user, and cannot satisfy waitForRemoteMedia.
// - Remote media "of a kind" from a peer = the peer announces it (audio: unmuted; video: camera
//   on; screen: screen on) AND completed the synthetic exchange with this client.
import type { CallMedia, VoiceParticipant } from '../../reference-waddle/protocol.ts';
import type { RemoteMediaKind } from '../waddle-client.ts';

/** What synthetic signals say about themselves, so nobody mistakes them for SDP. */
export const SYNTHETIC_SIGNAL_NOTE = 'waddle-fleet protocol driver: synthetic signalling, no media';

export interface SyntheticSignal {
  readonly kind: 'offer' | 'answer';
  readonly synthetic: true;
  readonly note: string;
}

export function syntheticSignal(kind: 'offer' | 'answer'): SyntheticSignal {
  return { kind, synthetic: true, note: SYNTHETIC_SIGNAL_NOTE };
}

export type SignalKind = 'synthetic-offer' | 'synthetic-answer' | 'real-offer' | 'other';

export function classifySignal(data: unknown): SignalKind {
  if (typeof data !== 'object' || data === null) return 'other';
  const d = data as { synthetic?: unknown; kind?: unknown; sdp?: { type?: unknown } };
  if (d.synthetic === true && d.kind === 'offer') return 'synthetic-offer';
  if (d.synthetic === true && d.kind === 'answer') return 'synthetic-answer';
  if (typeof d.sdp === 'object' && d.sdp !== null && d.sdp.type === 'offer') return 'real-offer';
  return 'other';
}

/** Counts of this client's signalling since it was created. */
export interface SignallingStats {
  syntheticOffersSent: number;
  syntheticAnswersSent: number;
  /** peers with which an offer/answer pair completed (either side offering) */
  exchangesCompleted: number;
  /** real SDP offers (browsers) skipped: a protocol user has nothing true to answer with */
  realOffersSkipped: number;
  /** other non-synthetic signals skipped: real answers, ICE candidates, unknown shapes */
  otherSignalsSkipped: number;
}

interface RemotePeer {
  readonly username: string;
  state: VoiceParticipant;
  /** we sent it a synthetic offer and await its answer */
  offered: boolean;
  /** the synthetic offer/answer exchange with it completed */
  signalled: boolean;
  /** it sent us a real SDP offer: a browser */
  realOffer: boolean;
}

interface MediaWaiter {
  readonly kind: RemoteMediaKind;
  readonly startedAtMs: number;
  resolve(waitedMs: number): void;
}

/**
 * A client's side of a call, whatever carries it: VoiceCall (synthetic signalling, no media) here,
 * clients/protocol-media/ (real WebRTC with werift). ProtocolWaddleClient routes voice frames to it.
 */
export interface CallSession {
  readonly channelId: string | undefined;
  /** `media`: how the server carries this call (voice.joined's; 'sfu' = through its media server) */
  joined(channelId: string, myPeerId: string, participants: readonly VoiceParticipant[], media?: CallMedia): void;
  left(): void;
  ownStateIn(participants: readonly VoiceParticipant[]): VoiceParticipant | undefined;
  members(channelId: string, participants: readonly VoiceParticipant[]): void;
  signal(from: string, fromUser: string, data: unknown): void;
  whenMedia(kind: RemoteMediaKind, ready: (waitedMs: number) => void): () => void;
  /** what each peer showed, for a timeout message */
  describe(kind: RemoteMediaKind): string;
  /** what "remote media of this kind" means here, for a timeout message */
  needs(kind: RemoteMediaKind): string;
  /** our own mute/camera/screen flag is about to change (before the server is told, as the web client's replaceTrack) */
  setLocal?(flag: 'muted' | 'camera' | 'screen', on: boolean): void;
}

/** One per client, created at the first voice action; holds at most one room at a time. */
export class VoiceCall implements CallSession {
  channelId: string | undefined;
  private myPeerId = '';
  private peers: Map<string, RemotePeer> | undefined;
  private waiters: Set<MediaWaiter> | undefined;
  readonly stats: SignallingStats = { syntheticOffersSent: 0, syntheticAnswersSent: 0, exchangesCompleted: 0, realOffersSkipped: 0, otherSignalsSkipped: 0 };

  constructor(private readonly sendSignal: (to: string, data: SyntheticSignal) => void) {}

  needs(kind: RemoteMediaKind): string {
    return `${NEEDS[kind]} that completed the synthetic signalling exchange with this client`;
  }

  /** We are in the room: remember who is there and offer to each of them (we are the newcomer). */
  joined(channelId: string, myPeerId: string, participants: readonly VoiceParticipant[]): void {
    this.channelId = channelId;
    this.myPeerId = myPeerId;
    this.peers = new Map();
    for (const p of participants) {
      if (p.peerId === myPeerId) continue;
      this.peers.set(p.peerId, { username: p.username, state: p, offered: true, signalled: false, realOffer: false });
      this.sendSignal(p.peerId, syntheticSignal('offer'));
      this.stats.syntheticOffersSent += 1;
    }
  }

  left(): void {
    this.channelId = undefined;
    this.peers = undefined;
  }

  /** Our own entry in a member list (setMuted and friends wait for it to show their change). */
  ownStateIn(participants: readonly VoiceParticipant[]): VoiceParticipant | undefined {
    return participants.find((p) => p.peerId === this.myPeerId);
  }

  /** voice.members: newcomers (they will offer to us), departures, changed flags. */
  members(channelId: string, participants: readonly VoiceParticipant[]): void {
    if (channelId !== this.channelId || !this.peers) return;
    const present = new Set<string>();
    for (const p of participants) {
      if (p.peerId === this.myPeerId) continue;
      present.add(p.peerId);
      const known = this.peers.get(p.peerId);
      if (known) known.state = p;
      else this.peers.set(p.peerId, { username: p.username, state: p, offered: false, signalled: false, realOffer: false });
    }
    for (const peerId of [...this.peers.keys()]) if (!present.has(peerId)) this.peers.delete(peerId);
    this.settleWaiters();
  }

  /** rtc.signal relayed from a peer of our room. */
  signal(from: string, fromUser: string, data: unknown): void {
    if (!this.peers || this.channelId === undefined) return;
    const kind = classifySignal(data);
    let peer = this.peers.get(from);
    if (!peer) {
      // the offer can overtake the voice.members that announces its sender
      peer = { username: fromUser, state: { peerId: from, username: fromUser, muted: false, camera: false, screen: false }, offered: false, signalled: false, realOffer: false };
      this.peers.set(from, peer);
    }
    if (kind === 'synthetic-offer') {
      this.sendSignal(from, syntheticSignal('answer'));
      this.stats.syntheticAnswersSent += 1;
      this.complete(peer);
    } else if (kind === 'synthetic-answer' && peer.offered) {
      peer.offered = false;
      this.complete(peer);
    } else if (kind === 'real-offer') {
      peer.realOffer = true;
      this.stats.realOffersSkipped += 1;
    } else {
      this.stats.otherSignalsSkipped += 1;
    }
  }

  private complete(peer: RemotePeer): void {
    if (!peer.signalled) this.stats.exchangesCompleted += 1;
    peer.signalled = true;
    this.settleWaiters();
  }

  /**
   * Call `ready` with the ms waited once a signalled peer announces `kind` (at once, when one
   * already does). Returns a function that stops waiting.
   */
  whenMedia(kind: RemoteMediaKind, ready: (waitedMs: number) => void): () => void {
    const waiter: MediaWaiter = { kind, startedAtMs: performance.now(), resolve: ready };
    if (this.hasMedia(kind)) {
      ready(0);
      return () => {};
    }
    (this.waiters ??= new Set()).add(waiter);
    return () => {
      this.waiters?.delete(waiter);
      if (this.waiters?.size === 0) this.waiters = undefined;
    };
  }

  /** For a timeout message: what each peer of the room announces and whether it signalled. */
  describe(kind: RemoteMediaKind): string {
    if (this.channelId === undefined) return 'this client is not in a voice channel';
    if (!this.peers || this.peers.size === 0) return `alone in ${this.channelId}`;
    return [...this.peers.entries()]
      .map(([peerId, p]) => {
        const exchange = p.signalled ? 'signalled' : p.realOffer ? 'browser peer (its real SDP offer was skipped)' : p.offered ? 'our offer unanswered' : 'no offer from it yet';
        return `${p.username}(${peerId}) ${announces(kind, p.state) ? 'announces' : 'does not announce'} ${kind}, ${exchange}`;
      })
      .join('; ');
  }

  private hasMedia(kind: RemoteMediaKind): boolean {
    if (!this.peers) return false;
    for (const p of this.peers.values()) if (p.signalled && announces(kind, p.state)) return true;
    return false;
  }

  private settleWaiters(): void {
    if (!this.waiters) return;
    for (const w of [...this.waiters]) {
      if (!this.hasMedia(w.kind)) continue;
      this.waiters.delete(w);
      w.resolve(performance.now() - w.startedAtMs);
    }
    if (this.waiters.size === 0) this.waiters = undefined;
  }
}

function announces(kind: RemoteMediaKind, state: VoiceParticipant): boolean {
  return kind === 'audio' ? !state.muted : kind === 'video' ? state.camera : state.screen;
}

const NEEDS: Record<RemoteMediaKind, string> = {
  audio: 'a remote participant announcing audio (unmuted)',
  video: 'a remote participant announcing video (camera on)',
  screen: 'a remote participant announcing a screen share (screen on)',
};
