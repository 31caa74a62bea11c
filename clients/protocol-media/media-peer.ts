// One werift RTCPeerConnection per remote participant, shaped exactly as the reference web client
// shapes its own (reference-waddle/web/voice.ts): three sendrecv transceivers — 0 audio (mic),
// 1 video (camera), 2 video (screen) — created by the newcomer's offer, trickle ICE through
// rtc.signal, and on/off as "a track or none" (no renegotiation). So a browser peer and a
// protocolMedia peer meet in the same call and really exchange RTP.
// Loopback only: ICE gathers 127.0.0.1 alone and binds it, with no STUN/TURN server (werift's
// default has Google's STUN server), and only loopback candidates are ever signalled.
import { RTCPeerConnection, type RTCRtpTransceiver } from 'werift';
import { InboundStream } from './inbound-stream.ts';
import type { MediaMeter } from './meter.ts';
import { addStream, OutboundStream, removeStream } from './pacer.ts';
import { FastRtpReceiver } from './rtp-fast-path.ts';
import { AUDIO_CLOCK_HZ, VIDEO_CLOCK_HZ, type PayloadTrack } from './rtp-payloads.ts';

export const LOOPBACK = '127.0.0.1';
export const KINDS = ['audio', 'video', 'screen'] as const;
export type Kind = (typeof KINDS)[number];

const peerConfig = {
  iceServers: [],
  // werift gathers every interface's address for these families (each its own socket), and leaves
  // loopback out unless named as an additional host: off, so 127.0.0.1 is the only candidate
  iceUseIpv4: false,
  iceUseIpv6: false,
  iceInterfaceAddresses: { udp4: LOOPBACK },
  iceAdditionalHostAddresses: [LOOPBACK],
  bundlePolicy: 'max-bundle' as const,
};

type Sdp = { type: 'offer' | 'answer'; sdp: string };
type CandidateInit = { candidate?: string; sdpMid?: string | null; sdpMLineIndex?: number | null };
export type Signal = { sdp: Sdp } | { candidate: CandidateInit };

export interface PeerEnv {
  readonly send: (data: Signal) => void;
  /** the pre-packetized tracks this user sends, by transceiver index */
  readonly tracks: Readonly<Record<Kind, PayloadTrack>>;
  /** sending now, by kind (mic unmuted, camera on, screen on) */
  readonly sending: Readonly<Record<Kind, boolean>>;
  readonly meter: MediaMeter;
  /** remote media of a kind arrived (first audio payload, first complete video frame) */
  readonly onMedia: () => void;
  /** the connection failed (ICE or DTLS) */
  readonly onFailed: (peer: MediaPeer) => void;
  /** which kind a transceiver carries; default its index (the mesh's fixed 0 mic, 1 camera, 2 screen) */
  readonly kindOf?: (transceiver: RTCRtpTransceiver, index: number) => Kind | undefined;
}

type Direction = 'sendrecv' | 'sendonly' | 'recvonly';

const sends = (t: RTCRtpTransceiver): boolean => t.direction === 'sendrecv' || t.direction === 'sendonly';

/** Drops a=candidate lines that are not loopback: werift puts every gathered host into its SDP. */
export function loopbackOnlySdp(sdp: string): string {
  return sdp.replace(/^a=candidate:\S+ \d+ \S+ \d+ (\S+) .*\r?\n/gm, (line, address: string) => (address === LOOPBACK ? line : ''));
}

export class MediaPeer {
  readonly pc = new RTCPeerConnection(peerConfig);
  readonly inbound: Record<Kind, InboundStream>;
  private readonly outbound: OutboundStream[] = [];
  private readonly unmeter: (() => void)[] = [];
  private readonly queued: CandidateInit[] = [];
  /** received RTP taken past werift's per-packet code once connected (rtp-fast-path.ts) */
  private readonly fastReceive = new FastRtpReceiver(this.pc);
  private closed = false;
  /** we offered (the newcomer's side): the side that calls again when the connection fails */
  offered = false;
  /** the last thing that failed with this peer (signalling, ICE), for timeout messages */
  lastError: string | undefined;

  constructor(
    readonly username: string,
    private readonly env: PeerEnv,
  ) {
    this.inbound = {
      audio: new InboundStream('audio', AUDIO_CLOCK_HZ, env.onMedia),
      video: new InboundStream('video', VIDEO_CLOCK_HZ, env.onMedia),
      screen: new InboundStream('screen', VIDEO_CLOCK_HZ, env.onMedia),
    };
    this.pc.onicecandidate = ({ candidate }) => {
      if (candidate?.candidate && candidate.candidate.split(' ')[4] === LOOPBACK) env.send({ candidate: candidate.toJSON() });
    };
    this.pc.ontrack = ({ track, transceiver }) => {
      const index = this.pc.getTransceivers().indexOf(transceiver);
      const kind = env.kindOf ? env.kindOf(transceiver, index) : KINDS[index];
      if (!kind) return;
      const stream = this.inbound[kind];
      track.onReceiveRtp.subscribe((rtp) => stream.receive(rtp, performance.now()));
      this.fastReceive.watch(track.ssrc, track.codec?.payloadType, transceiver.receiver, stream);
      this.unmeter.push(env.meter.add(kind, { inbound: stream }, () => this.rttMs()));
    };
    this.pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') {
        this.fastReceive.install();
        this.startSending();
      }
      if (state !== 'failed' || this.closed) return;
      this.lastError = 'the peer connection failed (ICE or DTLS)';
      env.onFailed(this);
    });
  }

  get connectionState(): string {
    return this.pc.connectionState;
  }

  /**
   * We are the newcomer (mesh) or the publisher (SFU: sendonly): three transceivers, then the
   * offer. Resolves with the SDP sent, its loopback candidates in it (werift gathers them inside
   * setLocalDescription), for a signalling that carries no trickle.
   */
  async offer(direction: Direction = 'sendrecv'): Promise<string> {
    this.offered = true;
    for (const kind of KINDS) this.pc.addTransceiver(kind === 'audio' ? 'audio' : 'video', { direction });
    const offer = await this.pc.createOffer();
    this.noStunServer();
    await this.pc.setLocalDescription(offer);
    return this.sendDescription();
  }

  /** A newcomer (mesh) or the media server (SFU subscription: recvonly) offered to us; resolves with our answer. */
  async answer(offer: Sdp, direction: Direction = 'sendrecv'): Promise<string> {
    await this.pc.setRemoteDescription(offer);
    for (const t of this.pc.getTransceivers()) t.setDirection(direction);
    const answer = await this.pc.createAnswer();
    this.noStunServer();
    await this.pc.setLocalDescription(answer);
    const sdp = this.sendDescription();
    await this.flushCandidates();
    return sdp;
  }

  async answered(answer: Sdp): Promise<void> {
    await this.pc.setRemoteDescription(answer);
    await this.flushCandidates();
  }

  async candidate(c: CandidateInit): Promise<void> {
    if (!this.pc.remoteDescription) this.queued.push(c);
    else await this.pc.addIceCandidate(c as Parameters<RTCPeerConnection['addIceCandidate']>[0]);
  }

  setSending(kind: Kind, on: boolean, track: PayloadTrack): void {
    const s = this.outbound[KINDS.indexOf(kind)];
    if (!s) return;
    if (s.track !== track) {
      s.track = track;
      s.restart();
    }
    s.on = on;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.outbound) removeStream(s);
    for (const stop of this.unmeter.splice(0)) stop();
    this.pc.close().catch(() => {});
  }

  /**
   * werift's ICE asks stun.l.google.com for a server-reflexive candidate when given no STUN server
   * (iceServers: [] included), and setLocalDescription waits for it (5 s against a dead one).
   * Loopback only: the ICE transports this connection made gather host candidates and nothing else.
   */
  private noStunServer(): void {
    for (const t of this.pc.iceTransports) t.connection.stunServer = undefined;
  }

  private sendDescription(): string {
    const d = this.pc.localDescription;
    if (!d) return '';
    const sdp = loopbackOnlySdp(d.sdp);
    if (!this.closed) this.env.send({ sdp: { type: d.type as Sdp['type'], sdp } });
    return sdp;
  }

  private async flushCandidates(): Promise<void> {
    for (const c of this.queued.splice(0)) await this.pc.addIceCandidate(c as Parameters<RTCPeerConnection['addIceCandidate']>[0]);
  }

  /** Connected: each transceiver's stream starts at frame 0 (a keyframe) and restarts there on a PLI. */
  private startSending(): void {
    if (this.closed || this.outbound.length > 0) return;
    this.pc.getTransceivers().forEach((t: RTCRtpTransceiver, i) => {
      const kind = KINDS[i];
      if (!kind || !sends(t)) return;
      const stream = new OutboundStream(this.env.tracks[kind], t.sender);
      stream.on = this.env.sending[kind];
      t.sender.onPictureLossIndication.subscribe(() => stream.restart());
      this.outbound.push(stream);
      addStream(stream);
      this.unmeter.push(this.env.meter.add(kind, { outbound: stream }, () => this.rttMs()));
    });
  }

  /** RTT from RTCP (SR/RR LSR/DLSR): werift keeps a smoothed one per sender (seconds; no public getter). */
  private rttMs(): number | undefined {
    for (const t of this.pc.getTransceivers()) {
      const rtt = (t.sender as unknown as { rtt?: number }).rtt;
      if (typeof rtt === 'number' && Number.isFinite(rtt)) return rtt * 1000;
    }
    return undefined;
  }
}
