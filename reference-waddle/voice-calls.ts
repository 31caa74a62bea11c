// Voice calls over the WebSocket: voice.join / voice.leave / voice.state, with voice.members
// pushed to the room on every change, and rtc.signal relayed only between members of one room
// (the media itself flows browser to browser). Room membership is in voice-rooms.ts.
import { FrameError, str } from './client-frames.ts';
import type { ResolvedOptions } from './options.ts';
import type { ClientFrame, ServerFrame } from './protocol.ts';
import type { Directory, Waddle } from './state.ts';
import type { VoiceRooms } from './voice-rooms.ts';
import type { Connection } from './ws-connection.ts';

type VoiceFrame = Extract<ClientFrame, { type: 'voice.join' | 'voice.leave' | 'voice.state' | 'rtc.signal' }>;

export class VoiceCalls {
  constructor(
    private readonly options: ResolvedOptions,
    private readonly directory: Directory,
    readonly rooms: VoiceRooms,
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
    }
  }

  private join(conn: Connection, channelId: string, ref: string | undefined): void {
    const waddle = this.directory.voiceChannels.get(channelId);
    if (!waddle) throw new FrameError('not_found', `voice.join: no voice channel ${JSON.stringify(channelId)}`);
    if (!conn.waddles.has(waddle)) throw new FrameError('not_member', `voice.join: join waddle ${waddle.id} before its voice channel ${channelId}`);
    if (this.rooms.channelOf(conn.peerId) !== channelId) this.leave(conn);
    if (!this.rooms.join(channelId, conn)) throw new FrameError('room_full', `voice.join: ${channelId} already has ${this.options.maxVoiceParticipants} participants (the mesh limit)`);
    conn.send({ type: 'voice.joined', ...(ref !== undefined ? { ref } : {}), channelId, peerId: conn.peerId, participants: this.rooms.members(channelId).map((m) => m.state) });
    this.pushMembers(channelId, conn);
  }

  /** Leaves the connection's call, if any; returns the channel left. */
  leave(conn: Connection): string | undefined {
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
