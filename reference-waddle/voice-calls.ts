// Voice calls over the WebSocket: voice.join / voice.leave / voice.state, with voice.members
// pushed to the room on every change, and rtc.signal relayed only between members of one room
// (in mesh mode the media flows browser to browser; in SFU mode through Janus, with sfu.* frames
// handled by sfu/sfu-calls.ts). Room membership is in voice-rooms.ts.
import { FrameError, str } from './client-frames.ts';
import type { ResolvedOptions } from './options.ts';
import type { ClientFrame, ServerFrame } from './protocol.ts';
import type { SfuCalls } from './sfu/sfu-calls.ts';
import type { Directory, Waddle } from './state.ts';
import type { VoiceRooms } from './voice-rooms.ts';
import type { Connection } from './ws-connection.ts';

type VoiceFrame = Extract<ClientFrame, { type: 'voice.join' | 'voice.leave' | 'voice.state' | 'rtc.signal' | `sfu.${string}` }>;

export class VoiceCalls {
  constructor(
    private readonly options: ResolvedOptions,
    private readonly directory: Directory,
    readonly rooms: VoiceRooms,
    /** set in SFU mode: calls' media goes through the media server */
    private readonly sfu?: SfuCalls,
  ) {}

  handle(conn: Connection, frame: VoiceFrame): void {
    const withRef = frame.ref !== undefined ? { ref: frame.ref } : {};
    switch (frame.type) {
      case 'voice.join':
        this.join(conn, str(frame, 'channelId'), frame.ref);
        return;
      case 'voice.leave': {
        const left = this.leave(conn);
        if (left === undefined) throw new FrameError('not_in_voice', 'voice.leave: you are not in a voice channel');
        conn.send({ type: 'voice.left', ...withRef, channelId: left });
        return;
      }
      case 'voice.state':
        this.setState(conn, frame);
        return;
      case 'rtc.signal':
        this.relaySignal(conn, frame);
        return;
      case 'sfu.publish':
      case 'sfu.subscribe':
      case 'sfu.start':
        this.handleSfu(conn, frame);
        return;
    }
  }

  /** sfu.* frames: answered when the media server has answered, or with an error frame. */
  private handleSfu(conn: Connection, frame: Extract<VoiceFrame, { type: `sfu.${string}` }>): void {
    const sfu = this.sfu;
    if (!sfu) throw new FrameError('bad_frame', `${frame.type}: this server runs calls peer to peer (media: mesh); use rtc.signal`);
    const withRef = frame.ref !== undefined ? { ref: frame.ref } : {};
    let work: Promise<ServerFrame>;
    if (frame.type === 'sfu.publish') {
      work = sfu.publish(conn.peerId, str(frame, 'sdp')).then((sdp) => ({ type: 'sfu.answer', ...withRef, sdp }));
    } else if (frame.type === 'sfu.subscribe') {
      const peerId = str(frame, 'peerId');
      work = sfu.subscribe(conn.peerId, peerId).then(({ sdp, streams }) => ({ type: 'sfu.offer', ...withRef, peerId, sdp, streams }));
    } else {
      const peerId = str(frame, 'peerId');
      work = sfu.start(conn.peerId, peerId, str(frame, 'sdp')).then(() => ({ type: 'sfu.started', ...withRef, peerId }));
    }
    work.then(
      (answer) => conn.send(answer),
      (error: unknown) => {
        if (!(error instanceof FrameError)) this.options.log(`reference-waddle: ${frame.type} from ${conn.username} failed: ${String(error)}`);
        conn.send({ type: 'error', code: error instanceof FrameError ? error.code : 'sfu_failed', message: (error as Error).message, ...withRef });
      },
    );
  }

  /** Tells the room its member list changed (SFU: someone's media reached the server). */
  membersChanged(channelId: string): void {
    this.pushMembers(channelId);
  }

  private join(conn: Connection, channelId: string, ref: string | undefined): void {
    const waddle = this.directory.voiceChannels.get(channelId);
    if (!waddle) throw new FrameError('not_found', `voice.join: no voice channel ${JSON.stringify(channelId)}`);
    if (!conn.waddles.has(waddle)) throw new FrameError('not_member', `voice.join: join waddle ${waddle.id} before its voice channel ${channelId}`);
    if (this.rooms.channelOf(conn.peerId) !== channelId) this.leave(conn);
    if (!this.rooms.join(channelId, conn)) throw new FrameError('room_full', `voice.join: ${channelId} already has ${this.options.maxVoiceParticipants} participants (the room limit: --max-voice-participants)`);
    conn.send({ type: 'voice.joined', ...(ref !== undefined ? { ref } : {}), channelId, peerId: conn.peerId, participants: this.rooms.members(channelId).map((m) => m.state), media: this.sfu ? 'sfu' : 'mesh' });
    this.pushMembers(channelId, conn);
  }

  /** Leaves the connection's call, if any; returns the channel left. */
  leave(conn: Connection): string | undefined {
    this.sfu?.leave(conn.peerId);
    const left = this.rooms.leave(conn.peerId);
    if (left !== undefined) this.pushMembers(left);
    return left;
  }

  /** Leaves the call if it is in one of this waddle's voice channels (the waddle is being left). */
  leaveIfInWaddle(conn: Connection, waddle: Waddle): void {
    const channelId = this.rooms.channelOf(conn.peerId);
    if (channelId !== undefined && this.directory.voiceChannels.get(channelId) === waddle) this.leave(conn);
  }

  private setState(conn: Connection, frame: Extract<VoiceFrame, { type: 'voice.state' }>): void {
    const member = this.rooms.member(conn.peerId);
    if (!member) throw new FrameError('not_in_voice', 'voice.state: join a voice channel first');
    const next = { ...member.state };
    for (const key of ['muted', 'camera', 'screen'] as const) {
      const value = (frame as Record<string, unknown>)[key];
      if (value === undefined) continue;
      if (typeof value !== 'boolean') throw new FrameError('bad_frame', `voice.state: "${key}" must be a boolean`);
      next[key] = value;
    }
    member.state = next;
    this.pushMembers(this.rooms.channelOf(conn.peerId) ?? '');
  }

  private relaySignal(conn: Connection, frame: Extract<VoiceFrame, { type: 'rtc.signal' }>): void {
    const to = str(frame, 'to');
    const from = this.rooms.member(conn.peerId);
    const target = this.rooms.member(to);
    if (!from || !target || this.rooms.channelOf(to) !== this.rooms.channelOf(conn.peerId)) {
      throw new FrameError('not_in_voice', `rtc.signal: peer ${to} is not in your voice channel`);
    }
    target.conn.sendRaw(JSON.stringify({ type: 'rtc.signal', from: conn.peerId, fromUser: conn.username, data: frame.data } satisfies ServerFrame));
  }

  private pushMembers(channelId: string, except?: Connection): void {
    const members = this.rooms.members(channelId);
    const data = JSON.stringify({ type: 'voice.members', channelId, participants: members.map((m) => m.state) } satisfies ServerFrame);
    for (const m of members) if (m.conn !== except) m.conn.sendRaw(data);
  }
}
