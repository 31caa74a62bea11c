// A protocolMedia user's call: the CallSession of ProtocolWaddleClient (clients/protocol/) with
// real WebRTC — one MediaPeer per remote participant, signalled as the reference web client does
// (the newcomer offers to everyone there; {sdp} and {candidate} relayed by rtc.signal). This file
// is the mesh signalling; the media engine (pacer, payloads, inbound streams, meter) knows nothing
// of it. When voice.joined says media: 'sfu', the call is an SfuSession instead (./sfu-session.ts:
// sfu.publish / sfu.subscribe / sfu.start, the web client's SFU signalling) over the same engine.
// Remote media "of a kind" = a remote stream of that kind delivered media: the first audio
// payload, the first complete video or screen frame (no decoder: frames end at the marker bit).
import type { CallMedia, VoiceParticipant } from '../../reference-waddle/protocol.ts';
import type { CallSession } from '../protocol/voice-call.ts';
import type { RemoteMediaKind } from '../waddle-client.ts';
import { KINDS, MediaPeer, type Kind, type Signal } from './media-peer.ts';
import type { MediaMeter } from './meter.ts';
import type { PayloadTrack } from './rtp-payloads.ts';
import { SfuSession, type SfuRequest } from './sfu-session.ts';

type Flag = 'muted' | 'camera' | 'screen';
const MAX_RECALLS = 2;
/** the answerer's pause before calling again: the offerer, when it saw the failure too, calls first */
const ANSWERER_RECALL_MS = 1500;

interface Waiter {
  readonly kind: RemoteMediaKind;
  readonly startedAtMs: number;
  readonly ready: (waitedMs: number) => void;
}

export class MediaCall implements CallSession {
  channelId: string | undefined;
  private myPeerId = '';
  private readonly peers = new Map<string, MediaPeer>();
  /** the call through the media server, when the server runs calls so (else mesh: peers) */
  private sfu: SfuSession | undefined;
  private readonly waiters = new Set<Waiter>();
  /** as the web client: mic on at join, camera and screen off */
  private readonly sending: Record<Kind, boolean> = { audio: true, video: false, screen: false };
  /** signalling or ICE failures with any peer since the client was made */
  failures = 0;
  /** calls placed again after a failed connection, per peer id (bounded by MAX_RECALLS) */
  private readonly recalls = new Map<string, number>();
  private readonly recallTimers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly sendSignal: (to: string, data: unknown) => void,
    /** what this user sends, by kind; the client fills in a kind's track before turning it on */
    private readonly tracks: Record<Kind, PayloadTrack>,
    private readonly meter: MediaMeter,
    private readonly request?: SfuRequest,
  ) {}

  needs(kind: RemoteMediaKind): string {
    return `RTP ${kind === 'audio' ? 'audio payload' : `${kind} frames`} received from a remote participant over WebRTC`;
  }

  joined(channelId: string, myPeerId: string, participants: readonly VoiceParticipant[], media: CallMedia = 'mesh'): void {
    this.left();
    this.channelId = channelId;
    this.myPeerId = myPeerId;
    if (media === 'sfu') return this.joinSfu(participants);
    for (const p of participants) {
      if (p.peerId === myPeerId) continue;
      const peer = this.newPeer(p.peerId, p.username);
      this.guard(peer, peer.offer());
    }
  }

  left(): void {
    this.channelId = undefined;
    this.sfu?.close();
    this.sfu = undefined;
    this.recalls.clear();
    for (const t of this.recallTimers) clearTimeout(t);
    this.recallTimers.clear();
    for (const peer of this.peers.values()) peer.close();
    this.peers.clear();
  }

  ownStateIn(participants: readonly VoiceParticipant[]): VoiceParticipant | undefined {
    return participants.find((p) => p.peerId === this.myPeerId);
  }

  /** voice.members: peers that left are closed; newcomers will offer to us. */
  members(channelId: string, participants: readonly VoiceParticipant[]): void {
    if (channelId !== this.channelId) return;
    if (this.sfu) return this.sfu.sync(participants);
    const present = new Set(participants.map((p) => p.peerId));
    for (const [peerId, peer] of this.peers) {
      if (present.has(peerId)) continue;
      peer.close();
      this.peers.delete(peerId);
    }
  }

  signal(from: string, fromUser: string, data: unknown): void {
    // SFU mode: nobody offers to us peer to peer (a mesh user's signal would be a server bug)
    if (this.channelId === undefined || this.sfu || typeof data !== 'object' || data === null) return;
    const s = data as Partial<Record<'sdp' | 'candidate', unknown>>;
    if (s.candidate !== undefined) {
      const peer = this.peers.get(from);
      if (peer && typeof s.candidate === 'object' && s.candidate !== null) this.guard(peer, peer.candidate(s.candidate as Parameters<MediaPeer['candidate']>[0]));
      return;
    }
    const sdp = s.sdp as { type?: unknown; sdp?: unknown } | undefined;
    if (!sdp || typeof sdp.sdp !== 'string') return; // a synthetic signal of a plain protocol user: not ours to read
    if (sdp.type === 'offer') {
      this.peers.get(from)?.close(); // a re-offer means the other side restarted
      const peer = this.newPeer(from, fromUser);
      this.guard(peer, peer.answer({ type: 'offer', sdp: sdp.sdp }));
    } else if (sdp.type === 'answer') {
      const peer = this.peers.get(from);
      if (peer) this.guard(peer, peer.answered({ type: 'answer', sdp: sdp.sdp }));
    }
  }

  setLocal(flag: Flag, on: boolean): void {
    const kind: Kind = flag === 'muted' ? 'audio' : flag === 'camera' ? 'video' : 'screen';
    this.sending[kind] = flag === 'muted' ? !on : on;
    for (const peer of this.peers.values()) peer.setSending(kind, this.sending[kind], this.tracks[kind]);
    this.sfu?.setSending(kind, this.sending[kind], this.tracks[kind]);
  }

  whenMedia(kind: RemoteMediaKind, ready: (waitedMs: number) => void): () => void {
    if (this.hasMedia(kind)) {
      ready(0);
      return () => {};
    }
    const waiter: Waiter = { kind, startedAtMs: performance.now(), ready };
    this.waiters.add(waiter);
    return () => void this.waiters.delete(waiter);
  }

  describe(kind: RemoteMediaKind): string {
    if (this.channelId === undefined) return 'this client is not in a voice channel';
    const receivers = this.receivers();
    const pending = this.sfu ? `via the SFU, ${this.sfu.publisherState()}${this.sfu.pending().length > 0 ? `, subscribing to ${this.sfu.pending().join(', ')}` : ''}: ` : '';
    if (receivers.length === 0) return `${pending}alone in ${this.channelId} (no receiving connection)`;
    return pending + receivers
      .map((p) => {
        const s = p.inbound[kind];
        return `${p.username}: connection ${p.connectionState}, ${kind} ${s.packets} packets / ${s.bytes} bytes${kind === 'audio' ? '' : ` / ${s.frames} frames`}${p.lastError ? `, error: ${p.lastError}` : ''}`;
      })
      .join('; ');
  }

  /** SFU mode: publish (in the background; the journey waits on remote media) and subscribe to who is published. */
  private joinSfu(participants: readonly VoiceParticipant[]): void {
    if (!this.request) throw new Error('protocolMedia: the server runs calls through its SFU, but this client was given no way to send sfu.* requests');
    const sfu = new SfuSession(this.myPeerId, this.request, { tracks: this.tracks, sending: this.sending, meter: this.meter, onMedia: () => this.settle(), onFailed: (peer) => this.sfuFailed(peer, new Error(peer.lastError ?? 'the connection failed')) }, (peer, error) => this.sfuFailed(peer, error));
    this.sfu = sfu;
    sfu.publish().catch((error: Error) => {
      if (this.sfu === sfu) this.sfuFailed(undefined, error);
    });
    sfu.sync(participants);
  }

  /** An SFU connection failed or a request was refused: counted; the user is not called again (the web client shows an error). */
  private sfuFailed(peer: MediaPeer | undefined, error: Error): void {
    this.failures += 1;
    if (peer) peer.lastError = error.message;
    if (peer && peer.connectionState === 'failed') this.meter.connectionFailed();
  }

  private receivers(): MediaPeer[] {
    return this.sfu ? this.sfu.receivers() : [...this.peers.values()];
  }

  private newPeer(peerId: string, username: string): MediaPeer {
    const peer = new MediaPeer(username, {
      send: (data: Signal) => this.sendSignal(peerId, data),
      tracks: this.tracks,
      sending: this.sending,
      meter: this.meter,
      onMedia: () => this.settle(),
      onFailed: (failed) => this.failed(peerId, failed),
    });
    this.peers.set(peerId, peer);
    return peer;
  }

  /**
   * A connection failed: counted (webrtc.connection_failures), then called again with a new offer,
   * which the other side takes as a restart (the web client's rule), at most MAX_RECALLS times per
   * peer. A starved process can miss ICE checks even on loopback, and werift's DTLS client fails on
   * a retransmitted HelloVerifyRequest; a person would rejoin. The side that offered calls at once;
   * the answerer (often the only side that sees the failure: it is the DTLS client) after a pause,
   * and only if no new offer replaced the connection meanwhile, so both never offer at once.
   */
  private failed(peerId: string, peer: MediaPeer): void {
    this.failures += 1;
    this.meter.connectionFailed();
    const recalls = this.recalls.get(peerId) ?? 0;
    if (recalls >= MAX_RECALLS) return;
    const call = (): void => {
      if (this.channelId === undefined || this.peers.get(peerId) !== peer) return;
      this.recalls.set(peerId, recalls + 1);
      peer.close();
      const again = this.newPeer(peerId, peer.username);
      again.lastError = `called again after a failed connection (${recalls + 1} of ${MAX_RECALLS})`;
      this.guard(again, again.offer());
    };
    if (peer.offered) return call();
    const timer = setTimeout(() => {
      this.recallTimers.delete(timer);
      call();
    }, ANSWERER_RECALL_MS);
    this.recallTimers.add(timer);
  }

  private guard(peer: MediaPeer, work: Promise<unknown>): void {
    work.catch((error: Error) => {
      this.failures += 1;
      peer.lastError = `${error.message} (connection ${peer.connectionState})`;
    });
  }

  private hasMedia(kind: RemoteMediaKind): boolean {
    for (const p of this.receivers()) {
      const s = p.inbound[kind];
      if (kind === 'audio' ? s.firstMediaAtMs !== undefined : s.frames > 0) return true;
    }
    return false;
  }

  private settle(): void {
    for (const w of this.waiters) {
      if (!this.hasMedia(w.kind)) continue;
      this.waiters.delete(w);
      w.ready(performance.now() - w.startedAtMs);
    }
  }
}

export { KINDS };
