// The voice panel and its WebRTC mesh. Each pair of participants has one RTCPeerConnection
// with three fixed transceivers — 0 audio (mic), 1 video (camera), 2 video (screen) —
// created by the newcomer's offer. Turning the camera or a screen share on or off is
// sender.replaceTrack(), so a call never renegotiates (no offer glare), and the receiver
// knows a track's kind from its transceiver's position. iceServers: [] (loopback only).
// When the server runs calls through its media server (voice.joined says media: 'sfu'), the
// same panel, buttons and tiles are driven by sfu-call.ts instead of the mesh below.
import type { ServerFrame, VoiceParticipant } from '../protocol.ts';
import type { Connection } from './connection.ts';
import { h } from './dom.ts';
import { SfuCall } from './sfu-call.ts';
import { KINDS, newTile, showTrack, type Kind } from './voice-tiles.ts';

type Signal = { sdp: RTCSessionDescriptionInit } | { candidate: RTCIceCandidateInit };

interface Peer {
  readonly pc: RTCPeerConnection;
  readonly tile: HTMLElement;
  /** ICE candidates that arrived before the remote description */
  readonly queued: RTCIceCandidateInit[];
  /** settles when the peer is dropped (it left, or re-offered) */
  readonly dropped: Promise<void>;
  readonly markDropped: () => void;
}

export class VoicePanel {
  readonly el: HTMLElement;
  private readonly title = h('div', { 'data-testid': 'voice-title', text: 'Not in voice' });
  private readonly leaveButton = h('button', { type: 'button', 'aria-label': 'Leave voice', disabled: true, text: 'Leave' });
  private readonly muteButton = h('button', { type: 'button', 'aria-label': 'Mute', 'aria-pressed': 'false', disabled: true, text: 'Mute' });
  private readonly cameraButton = h('button', { type: 'button', 'aria-label': 'Camera', 'aria-pressed': 'false', disabled: true, text: 'Camera' });
  private readonly screenButton = h('button', { type: 'button', 'aria-label': 'Share screen', 'aria-pressed': 'false', disabled: true, text: 'Screen' });
  private readonly localVideo = h('video', { 'data-testid': 'local-video', muted: true, autoplay: true, playsinline: true });
  private readonly tiles = h('div', { class: 'tiles', 'data-testid': 'voice-tiles' });
  private readonly peers = new Map<string, Peer>();
  /** set while in a call through the media server */
  private sfu: SfuCall | undefined;
  private channelId: string | undefined;
  private myPeerId: string | undefined;
  private mic: MediaStreamTrack | undefined;
  private camera: MediaStreamTrack | undefined;
  private screen: MediaStreamTrack | undefined;
  private muted = false;

  constructor(
    private readonly conn: Connection,
    private readonly reportError: (message: string) => void,
  ) {
    this.localVideo.muted = true;
    this.el = h('section', { 'data-testid': 'voice-panel', 'data-state': 'idle', 'aria-label': 'Voice' }, this.title, h('div', {}, this.leaveButton, this.muteButton, this.cameraButton, this.screenButton), this.localVideo, this.tiles);
    this.leaveButton.addEventListener('click', () => void this.leave());
    this.muteButton.addEventListener('click', () => this.setMuted(!this.muted));
    this.cameraButton.addEventListener('click', () => void this.guard(this.camera ? this.cameraOff() : this.cameraOn()));
    this.screenButton.addEventListener('click', () => void this.guard(this.screen ? this.screenOff() : this.screenOn()));
    conn.on((frame) => this.onFrame(frame));
  }

  private async guard(work: Promise<void>): Promise<void> {
    try {
      await work;
    } catch (error) {
      this.reportError((error as Error).message);
    }
  }

  get currentChannel(): string | undefined {
    return this.channelId;
  }

  async join(channelId: string, name: string): Promise<void> {
    if (this.channelId === channelId) return;
    if (this.channelId) await this.leave();
    this.el.dataset.state = 'joining';
    try {
      // the mic first, so the first offer already carries audio
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      this.mic = stream.getAudioTracks()[0];
      if (this.mic) this.mic.enabled = !this.muted;
      const joined = await this.conn.request({ type: 'voice.join', channelId });
      if (joined.type !== 'voice.joined') throw new Error(`unexpected answer ${joined.type} to voice.join`);
      this.channelId = channelId;
      this.myPeerId = joined.peerId;
      this.el.dataset.channelId = channelId;
      this.title.textContent = `In ${name}`;
      for (const b of [this.leaveButton, this.muteButton, this.cameraButton, this.screenButton]) b.disabled = false;
      this.el.dataset.state = 'joined';
      if (joined.media === 'sfu') {
        this.sfu = new SfuCall(this.conn, this.tiles, joined.peerId, this.reportError);
        await this.sfu.publish((i) => this.localTrack(i));
      }
      this.updateStates(joined.participants);
      // mesh: the newcomer offers to everyone already there
      if (!this.sfu) for (const p of joined.participants) if (p.peerId !== joined.peerId) await this.call(p);
      // the latest member list, not the one from joining: someone may have joined (and offered)
      // or left while we were calling, and applying the old list would drop them
      this.updateStates(this.pendingStates);
    } catch (error) {
      // failed after the server let us in (a call to someone failed): leave the call, so the
      // server forgets us and a second click joins afresh instead of finding us "already in"
      if (this.channelId) await this.leave();
      else {
        this.stopLocal();
        this.el.dataset.state = 'idle';
        delete this.el.dataset.channelId;
      }
      this.reportError(`Could not join voice: ${(error as Error).message}`);
    }
  }

  async leave(): Promise<void> {
    if (!this.channelId) return;
    this.conn.send({ type: 'voice.leave' });
    this.endSfu();
    for (const peerId of [...this.peers.keys()]) this.dropPeer(peerId);
    this.stopLocal();
    this.channelId = undefined;
    this.myPeerId = undefined;
    delete this.el.dataset.channelId;
    this.title.textContent = 'Not in voice';
    for (const b of [this.leaveButton, this.muteButton, this.cameraButton, this.screenButton]) b.disabled = true;
    this.el.dataset.state = 'idle';
  }

  /** The socket dropped: the server has already forgotten this call, so end it locally only. */
  resetAfterDisconnect(): void {
    if (!this.channelId) return;
    this.endSfu();
    for (const peerId of [...this.peers.keys()]) this.dropPeer(peerId);
    this.stopLocal();
    this.channelId = undefined;
    this.myPeerId = undefined;
    delete this.el.dataset.channelId;
    this.title.textContent = 'Not in voice (connection lost)';
    for (const b of [this.leaveButton, this.muteButton, this.cameraButton, this.screenButton]) b.disabled = true;
    this.el.dataset.state = 'idle';
  }

  private endSfu(): void {
    this.sfu?.close();
    this.sfu = undefined;
  }

  setMuted(muted: boolean): void {
    this.muted = muted;
    if (this.mic) this.mic.enabled = !muted;
    this.muteButton.setAttribute('aria-pressed', String(muted));
    this.pushState();
  }

  private async cameraOn(): Promise<void> {
    const stream = await navigator.mediaDevices.getUserMedia({ video: true });
    this.camera = stream.getVideoTracks()[0];
    this.localVideo.srcObject = stream;
    await this.replace(1, this.camera ?? null);
    this.cameraButton.setAttribute('aria-pressed', 'true');
    this.pushState();
  }

  private async cameraOff(): Promise<void> {
    this.camera?.stop();
    this.camera = undefined;
    this.localVideo.srcObject = null;
    await this.replace(1, null);
    this.cameraButton.setAttribute('aria-pressed', 'false');
    this.pushState();
  }

  private async screenOn(): Promise<void> {
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    const track = stream.getVideoTracks()[0];
    if (!track) throw new Error('screen share gave no video track');
    this.screen = track;
    // the user can end the share from the browser's own UI
    track.addEventListener('ended', () => void this.guard(this.screenOff()));
    await this.replace(2, track);
    this.screenButton.setAttribute('aria-pressed', 'true');
    this.pushState();
  }

  private async screenOff(): Promise<void> {
    this.screen?.stop();
    this.screen = undefined;
    await this.replace(2, null);
    this.screenButton.setAttribute('aria-pressed', 'false');
    this.pushState();
  }

  private pushState(): void {
    if (this.channelId) this.conn.send({ type: 'voice.state', muted: this.muted, camera: !!this.camera, screen: !!this.screen });
  }

  private async replace(index: number, track: MediaStreamTrack | null): Promise<void> {
    if (this.sfu) return this.sfu.replace(index, track);
    await Promise.all([...this.peers.values()].map((p) => this.whileConnected(p, p.pc.getTransceivers()[index]?.sender.replaceTrack(track))));
  }

  /**
   * Work on a peer's connection that gives way when the peer is dropped meanwhile (it left
   * the call or re-offered): on a connection closed mid-way replaceTrack rejects, or by the
   * spec never settles, and a peer leaving must not keep the camera from turning on or a
   * newcomer from joining. Returns false when the peer was dropped.
   */
  private async whileConnected(peer: Peer, work: Promise<unknown> | undefined): Promise<boolean> {
    try {
      await Promise.race([work, peer.dropped]);
    } catch (error) {
      if (peer.pc.signalingState !== 'closed') throw error;
    }
    return peer.pc.signalingState !== 'closed';
  }

  private localTrack(index: number): MediaStreamTrack | null {
    return [this.mic, this.camera, this.screen][index] ?? null;
  }

  private stopLocal(): void {
    for (const t of [this.mic, this.camera, this.screen]) t?.stop();
    this.mic = this.camera = this.screen = undefined;
    this.localVideo.srcObject = null;
    this.muteButton.setAttribute('aria-pressed', String(this.muted));
    this.cameraButton.setAttribute('aria-pressed', 'false');
    this.screenButton.setAttribute('aria-pressed', 'false');
  }

  private newPeer(peerId: string, username: string): Peer {
    const pc = new RTCPeerConnection({ iceServers: [] });
    const tile = newTile(peerId, username);
    let markDropped = (): void => {};
    const dropped = new Promise<void>((resolve) => (markDropped = resolve));
    const peer: Peer = { pc, tile, queued: [], dropped, markDropped };
    pc.onicecandidate = (event) => {
      if (event.candidate) this.signal(peerId, { candidate: event.candidate.toJSON() });
    };
    pc.ontrack = (event) => {
      const kind: Kind | undefined = KINDS[pc.getTransceivers().indexOf(event.transceiver)];
      if (kind) showTrack(tile, kind, event.track);
    };
    pc.onconnectionstatechange = () => (tile.dataset.connection = pc.connectionState);
    this.peers.set(peerId, peer);
    this.tiles.append(tile);
    return peer;
  }

  private async call(p: VoiceParticipant): Promise<void> {
    const peer = this.newPeer(p.peerId, p.username);
    const stream = new MediaStream();
    for (let i = 0; i < KINDS.length; i++) {
      const transceiver = peer.pc.addTransceiver(i === 0 ? 'audio' : 'video', { direction: 'sendrecv', streams: [stream] });
      if (!(await this.whileConnected(peer, transceiver.sender.replaceTrack(this.localTrack(i))))) return;
    }
    if (!(await this.whileConnected(peer, peer.pc.setLocalDescription()))) return; // the peer left while we called it
    if (peer.pc.localDescription) this.signal(p.peerId, { sdp: peer.pc.localDescription.toJSON() });
  }

  private async onSignal(from: string, fromUser: string, data: Signal): Promise<void> {
    // through the media server nobody calls us directly; a mesh signal (a protocol user's) is not ours
    if (!this.channelId || this.sfu) return;
    if ('candidate' in data) {
      const peer = this.peers.get(from);
      if (!peer) return;
      if (peer.pc.remoteDescription) await this.whileConnected(peer, peer.pc.addIceCandidate(data.candidate));
      else peer.queued.push(data.candidate);
      return;
    }
    if (!('sdp' in data) || !data.sdp) return; // neither a description nor a candidate: not ours to read
    const peer = data.sdp.type === 'offer' ? await this.answer(from, fromUser, data.sdp) : this.peers.get(from);
    if (!peer) return;
    if (data.sdp.type !== 'offer' && !(await this.whileConnected(peer, peer.pc.setRemoteDescription(data.sdp)))) return;
    for (const c of peer.queued.splice(0)) if (!(await this.whileConnected(peer, peer.pc.addIceCandidate(c)))) return;
  }

  /** Answers an offer; undefined when the peer was dropped meanwhile. */
  private async answer(from: string, fromUser: string, offer: RTCSessionDescriptionInit): Promise<Peer | undefined> {
    if (this.peers.has(from)) this.dropPeer(from); // a re-offer means the other side restarted
    const peer = this.newPeer(from, fromUser);
    if (!(await this.whileConnected(peer, peer.pc.setRemoteDescription(offer)))) return undefined;
    const transceivers = peer.pc.getTransceivers();
    for (let i = 0; i < transceivers.length && i < KINDS.length; i++) {
      const t = transceivers[i];
      if (!t) continue;
      t.direction = 'sendrecv';
      if (!(await this.whileConnected(peer, t.sender.replaceTrack(this.localTrack(i))))) return undefined;
    }
    if (!(await this.whileConnected(peer, peer.pc.setLocalDescription()))) return undefined;
    if (peer.pc.localDescription) this.signal(from, { sdp: peer.pc.localDescription.toJSON() });
    return peer;
  }

  private signal(to: string, data: Signal): void {
    this.conn.send({ type: 'rtc.signal', to, data });
  }

  private dropPeer(peerId: string): void {
    const peer = this.peers.get(peerId);
    if (!peer) return;
    peer.pc.close();
    peer.markDropped();
    peer.tile.remove();
    this.peers.delete(peerId);
  }

  private updateStates(participants: readonly VoiceParticipant[]): void {
    const present = new Set(participants.map((p) => p.peerId));
    for (const peerId of [...this.peers.keys()]) if (!present.has(peerId)) this.dropPeer(peerId);
    this.sfu?.sync(participants);
    for (const p of participants) {
      const tile = this.peers.get(p.peerId)?.tile ?? this.sfu?.tileOf(p.peerId);
      if (!tile) continue;
      tile.dataset.muted = String(p.muted);
      tile.dataset.camera = String(p.camera);
      tile.dataset.screen = String(p.screen);
    }
    this.el.dataset.participants = String(participants.length);
    this.pendingStates = participants;
  }

  /** the latest member list, re-applied when a late offer creates a tile */
  private pendingStates: readonly VoiceParticipant[] = [];

  private onFrame(frame: ServerFrame): void {
    if (frame.type === 'voice.members' && frame.channelId === this.channelId) this.updateStates(frame.participants);
    if (frame.type === 'rtc.signal' && frame.from !== this.myPeerId) {
      this.onSignal(frame.from, frame.fromUser, frame.data as Signal)
        .then(() => this.updateStates(this.pendingStates))
        .catch((error: Error) => this.reportError(`WebRTC with ${frame.fromUser}: ${error.message}`));
    }
  }
}
