// Voice rooms: who is in which voice channel, with their mute/camera/screen state.
// The server only relays WebRTC signalling between members of the same room (mesh call);
// media flows browser to browser on loopback, with no STUN/TURN.
import type { VoiceParticipant } from './protocol.ts';
import type { Subscriber } from './state.ts';

export interface RoomMember {
  readonly conn: Subscriber;
  state: VoiceParticipant;
}

export class VoiceRooms {
  /** channel id → peer id → member */
  private readonly rooms = new Map<string, Map<string, RoomMember>>();
  /** peer id → channel id, for leave-on-close and signalling checks */
  private readonly roomOf = new Map<string, string>();
  private participantCount = 0;

  constructor(private readonly maxParticipants: number) {}

  get roomCount(): number {
    return this.rooms.size;
  }

  get participants(): number {
    return this.participantCount;
  }

  channelOf(peerId: string): string | undefined {
    return this.roomOf.get(peerId);
  }

  members(channelId: string): RoomMember[] {
    return [...(this.rooms.get(channelId)?.values() ?? [])];
  }

  /** Returns false when the room is full. */
  join(channelId: string, conn: Subscriber): boolean {
    let room = this.rooms.get(channelId);
    if (room?.has(conn.peerId)) return true;
    if (room && room.size >= this.maxParticipants) return false;
    if (!room) {
      room = new Map();
      this.rooms.set(channelId, room);
    }
    room.set(conn.peerId, { conn, state: { peerId: conn.peerId, username: conn.username, muted: false, camera: false, screen: false } });
    this.roomOf.set(conn.peerId, channelId);
    this.participantCount += 1;
    return true;
  }

  /** Returns the channel left, if the peer was in one. */
  leave(peerId: string): string | undefined {
    const channelId = this.roomOf.get(peerId);
    if (channelId === undefined) return undefined;
    this.roomOf.delete(peerId);
    const room = this.rooms.get(channelId);
    if (room?.delete(peerId)) this.participantCount -= 1;
    if (room && room.size === 0) this.rooms.delete(channelId);
    return channelId;
  }

  member(peerId: string): RoomMember | undefined {
    const channelId = this.roomOf.get(peerId);
    return channelId === undefined ? undefined : this.rooms.get(channelId)?.get(peerId);
  }
}
