// The WebSocket hub: one connection per client tab; chat, reactions, presence, voice
// membership and WebRTC signalling relay. Bad frames get an error frame and the
// connection stays usable. Per-message work is bounded by the channel's subscribers.
import type { WebSocket } from 'ws';
import type { ResolvedOptions } from './options.ts';
import { ONLINE_SNAPSHOT_LIMIT, PRESENCE_FLUSH_MS, type ChatMessage, type ClientFrame, type ErrorCode, type ServerFrame } from './protocol.ts';
import type { ServerMetrics } from './server-metrics.ts';
import type { Directory, Subscriber, TextChannel, Waddle } from './state.ts';
import { MAX_REACTION_NAMES } from './reactions.ts';
import { VoiceRooms } from './voice-rooms.ts';

/** A client that buffers more than this is too slow to keep up: it is dropped, not the server. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** Frames above this are refused with an error frame (SDP offers need a few KiB). */
export const MAX_FRAME_BYTES = 64 * 1024;

const KNOWN_TYPES = new Set<string>([
  'ping', 'waddle.list', 'waddle.join', 'waddle.leave', 'channel.open', 'channel.close', 'chat.send',
  'reaction.add', 'reaction.remove', 'voice.join', 'voice.leave', 'voice.state', 'rtc.signal',
]);

class FrameError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export class Connection implements Subscriber {
  readonly waddles = new Set<Waddle>();
  readonly channels = new Set<TextChannel>();
  private tokens: number;
  private refillAtMs = performance.now();

  constructor(
    readonly peerId: string,
    readonly username: string,
    readonly socket: WebSocket,
    private readonly hub: Hub,
  ) {
    this.tokens = hub.options.chatBurst;
  }

  sendRaw(data: string): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.socket.terminate();
      return;
    }
    this.socket.send(data);
    this.hub.metrics.wsMessagesSent += 1;
  }

  send(frame: ServerFrame): void {
    this.sendRaw(JSON.stringify(frame));
  }

  /** Token bucket: chatRatePerSec refill, chatBurst capacity. */
  takeChatToken(): boolean {
    const nowMs = performance.now();
    const { chatRatePerSec, chatBurst } = this.hub.options;
    this.tokens = Math.min(chatBurst, this.tokens + ((nowMs - this.refillAtMs) / 1000) * chatRatePerSec);
    this.refillAtMs = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export class Hub {
  readonly connections = new Set<Connection>();
  readonly voice: VoiceRooms;
  private peerCounter = 0;
  private readonly pendingPresence = new Map<Waddle, Map<string, boolean>>();
  private presenceTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly options: ResolvedOptions,
    readonly directory: Directory,
    readonly metrics: ServerMetrics,
  ) {
    this.voice = new VoiceRooms(options.maxVoiceParticipants);
  }

  accept(socket: WebSocket, username: string): void {
    this.peerCounter += 1;
    const conn = new Connection(`p${this.peerCounter.toString(36)}`, username, socket, this);
    this.connections.add(conn);
    socket.on('message', (data, isBinary) => {
      this.metrics.wsMessagesReceived += 1;
      const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer | ArrayBuffer).byteLength;
      let ref: string | undefined;
      try {
        if (isBinary) throw new FrameError('bad_frame', 'binary frames are not supported: send JSON text frames');
        if (size > MAX_FRAME_BYTES) throw new FrameError('too_large', `frame of ${size} bytes is over the ${MAX_FRAME_BYTES}-byte limit`);
        let frame: unknown;
        try {
          frame = JSON.parse(String(data));
        } catch {
          throw new FrameError('bad_json', 'frame is not valid JSON: send one JSON object per text frame');
        }
        if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) throw new FrameError('bad_frame', 'frame must be a JSON object with a "type"');
        const maybeRef = (frame as { ref?: unknown }).ref;
        if (typeof maybeRef === 'string' && maybeRef.length <= 64) ref = maybeRef;
        const type = (frame as { type?: unknown }).type;
        if (typeof type !== 'string' || !KNOWN_TYPES.has(type)) {
          throw new FrameError('unknown_type', `unknown frame type ${JSON.stringify(type)}; known: ${[...KNOWN_TYPES].join(', ')}`);
        }
        this.handle(conn, frame as ClientFrame);
      } catch (error) {
        const code: ErrorCode = error instanceof FrameError ? error.code : 'bad_frame';
        if (!(error instanceof FrameError)) this.options.log(`reference-waddle: frame from ${username} failed: ${String(error)}`);
        this.metrics.wsErrors += 1;
        conn.send({ type: 'error', code, message: error instanceof Error ? error.message : String(error), ...(ref !== undefined ? { ref } : {}) });
      }
    });
    socket.on('close', () => this.drop(conn));
    socket.on('error', () => socket.terminate());
    conn.send({ type: 'hello', peerId: conn.peerId, username, serverTs: Date.now() });
  }

  private handle(conn: Connection, frame: ClientFrame): void {
    const ref = frame.ref;
    const withRef = ref !== undefined ? { ref } : {};
    switch (frame.type) {
      case 'ping':
        conn.send({ type: 'pong', ...withRef, serverTs: Date.now() });
        return;
      case 'waddle.list':
        conn.send({ type: 'waddle.list', ...withRef, waddles: [...this.directory.waddles.values()].map((w) => w.summary()) });
        return;
      case 'waddle.join': {
        const waddle = this.waddle(str(frame, 'waddleId'));
        this.joinWaddle(conn, waddle);
        conn.send({ type: 'waddle.joined', ...withRef, waddle: waddle.summary(), online: waddle.recentlyOnline(ONLINE_SNAPSHOT_LIMIT), onlineCount: waddle.online.size });
        return;
      }
      case 'waddle.leave': {
        const waddle = this.waddle(str(frame, 'waddleId'));
        this.leaveWaddle(conn, waddle);
        conn.send({ type: 'waddle.left', ...withRef, waddleId: waddle.id });
        return;
      }
      case 'channel.open': {
        const channel = this.memberChannel(conn, str(frame, 'channelId'));
        channel.subscribers.add(conn);
        conn.channels.add(channel);
        conn.send({ type: 'channel.history', ...withRef, channelId: channel.id, messages: channel.history() });
        return;
      }
      case 'channel.close': {
        const channel = this.textChannel(str(frame, 'channelId'));
        channel.subscribers.delete(conn);
        conn.channels.delete(channel);
        conn.send({ type: 'channel.closed', ...withRef, channelId: channel.id });
        return;
      }
      case 'chat.send':
        this.chat(conn, frame);
        return;
      case 'reaction.add':
      case 'reaction.remove':
        this.react(conn, frame);
        return;
      case 'voice.join':
        this.joinVoice(conn, str(frame, 'channelId'), ref);
        return;
      case 'voice.leave': {
        const left = this.leaveVoice(conn);
        if (left === undefined) throw new FrameError('not_in_voice', 'voice.leave: you are not in a voice channel');
        conn.send({ type: 'voice.left', ...withRef, channelId: left });
        return;
      }
      case 'voice.state': {
        const member = this.voice.member(conn.peerId);
        if (!member) throw new FrameError('not_in_voice', 'voice.state: join a voice channel first');
        const next = { ...member.state };
        for (const key of ['muted', 'camera', 'screen'] as const) {
          const value = (frame as Record<string, unknown>)[key];
          if (value === undefined) continue;
          if (typeof value !== 'boolean') throw new FrameError('bad_frame', `voice.state: "${key}" must be a boolean`);
          next[key] = value;
        }
        member.state = next;
        this.pushVoiceMembers(this.voice.channelOf(conn.peerId) ?? '');
        return;
      }
      case 'rtc.signal': {
        const to = str(frame, 'to');
        const from = this.voice.member(conn.peerId);
        const target = this.voice.member(to);
        if (!from || !target || this.voice.channelOf(to) !== this.voice.channelOf(conn.peerId)) {
          throw new FrameError('not_in_voice', `rtc.signal: peer ${to} is not in your voice channel`);
        }
        target.conn.sendRaw(JSON.stringify({ type: 'rtc.signal', from: conn.peerId, fromUser: conn.username, data: frame.data } satisfies ServerFrame));
        return;
      }
    }
  }

  private chat(conn: Connection, frame: Extract<ClientFrame, { type: 'chat.send' }>): void {
    const channel = this.memberChannel(conn, str(frame, 'channelId'));
    const text = str(frame, 'text');
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > this.options.maxMessageBytes) throw new FrameError('too_large', `chat.send: text of ${bytes} bytes is over the ${this.options.maxMessageBytes}-byte limit; split it`);
    if (text.trim() === '') throw new FrameError('bad_frame', 'chat.send: "text" must not be empty');
    if (frame.nonce !== undefined && (typeof frame.nonce !== 'string' || frame.nonce.length > 64)) throw new FrameError('bad_frame', 'chat.send: "nonce" must be a string of at most 64 chars');
    if (frame.sentAtMs !== undefined && (typeof frame.sentAtMs !== 'number' || !Number.isFinite(frame.sentAtMs))) throw new FrameError('bad_frame', 'chat.send: "sentAtMs" must be a finite number (epoch ms)');
    if (!conn.takeChatToken()) throw new FrameError('rate_limited', `chat.send: over ${this.options.chatRatePerSec} messages/s (burst ${this.options.chatBurst}) on this connection; slow down`);
    const message: ChatMessage = {
      id: this.directory.nextMessageId(),
      channelId: channel.id,
      author: conn.username,
      text,
      serverTs: Date.now(),
      reactions: {},
      ...(frame.nonce !== undefined ? { nonce: frame.nonce } : {}),
      ...(frame.sentAtMs !== undefined ? { sentAtMs: frame.sentAtMs } : {}),
    };
    channel.add(message);
    this.metrics.chatMessages += 1;
    conn.send({ type: 'chat.ack', ...(frame.ref !== undefined ? { ref: frame.ref } : {}), channelId: channel.id, id: message.id, ...(message.nonce !== undefined ? { nonce: message.nonce } : {}), serverTs: message.serverTs });
    this.fanOut(channel, { type: 'chat.message', message }, conn);
  }

  /** Post a message on behalf of a user (uploads). */
  postMessage(channel: TextChannel, message: ChatMessage): void {
    channel.add(message);
    this.metrics.chatMessages += 1;
    this.fanOut(channel, { type: 'chat.message', message });
  }

  private react(conn: Connection, frame: Extract<ClientFrame, { type: 'reaction.add' | 'reaction.remove' }>): void {
    const channel = this.memberChannel(conn, str(frame, 'channelId'));
    const emoji = str(frame, 'emoji');
    if (emoji.length === 0 || emoji.length > 16) throw new FrameError('bad_frame', `${frame.type}: "emoji" must be 1 to 16 characters`);
    const stored = channel.get(str(frame, 'messageId'));
    if (!stored) throw new FrameError('not_found', `${frame.type}: message ${frame.messageId} is not in ${channel.id} (or is older than the last ${this.options.historyLimit})`);
    if (frame.type === 'reaction.remove') stored.reactions.remove(emoji, conn.username);
    else if (!stored.reactions.add(emoji, conn.username)) throw new FrameError('too_large', `${frame.type}: at most ${MAX_REACTION_NAMES} different reactions per message`);
    channel.reactionsChanged(stored);
    const message = stored.wire;
    const update: ServerFrame = { type: 'reaction.update', channelId: channel.id, messageId: message.id, reactions: message.reactions };
    // the sender gets it with its ref (as the answer), the others without
    conn.send({ ...update, ...(frame.ref !== undefined ? { ref: frame.ref } : {}) });
    this.fanOut(channel, update, conn);
  }

  private fanOut(channel: TextChannel, frame: ServerFrame, except?: Subscriber): void {
    const data = JSON.stringify(frame); // serialise once, whatever the fan-out
    for (const sub of channel.subscribers) if (sub !== except) sub.sendRaw(data);
  }

  private joinWaddle(conn: Connection, waddle: Waddle): void {
    if (conn.waddles.has(waddle)) return;
    conn.waddles.add(waddle);
    let mine = waddle.online.get(conn.username);
    const cameOnline = !mine;
    if (!mine) {
      mine = new Set();
      waddle.online.set(conn.username, mine);
    }
    mine.add(conn);
    if (cameOnline) this.pushPresence(waddle, conn.username, true);
  }

  private leaveWaddle(conn: Connection, waddle: Waddle): void {
    if (!conn.waddles.delete(waddle)) return;
    for (const channel of waddle.textChannels) {
      channel.subscribers.delete(conn);
      conn.channels.delete(channel);
    }
    const channelId = this.voice.channelOf(conn.peerId);
    if (channelId !== undefined && this.directory.voiceChannels.get(channelId) === waddle) this.leaveVoice(conn);
    const mine = waddle.online.get(conn.username);
    mine?.delete(conn);
    if (mine && mine.size === 0) {
      waddle.online.delete(conn.username);
      this.pushPresence(waddle, conn.username, false);
    }
  }

  /** Queue a presence change; flushPresence sends each waddle's changes as one frame. */
  private pushPresence(waddle: Waddle, username: string, online: boolean): void {
    let changes = this.pendingPresence.get(waddle);
    if (!changes) this.pendingPresence.set(waddle, (changes = new Map()));
    changes.delete(username); // the latest change wins, in the order of the latest
    changes.set(username, online);
    if (!this.presenceTimer) {
      this.presenceTimer = setTimeout(() => this.flushPresence(), PRESENCE_FLUSH_MS);
      this.presenceTimer.unref();
    }
  }

  private flushPresence(): void {
    this.presenceTimer = undefined;
    const pending = [...this.pendingPresence];
    this.pendingPresence.clear();
    for (const [waddle, changes] of pending) {
      const data = JSON.stringify({ type: 'presence', waddleId: waddle.id, changes: [...changes].map(([username, online]) => ({ username, online })), onlineCount: waddle.online.size } satisfies ServerFrame);
      for (const conns of waddle.online.values()) for (const c of conns) c.sendRaw(data);
    }
  }



  private joinVoice(conn: Connection, channelId: string, ref: string | undefined): void {
    const waddle = this.directory.voiceChannels.get(channelId);
    if (!waddle) throw new FrameError('not_found', `voice.join: no voice channel ${JSON.stringify(channelId)}`);
    if (!conn.waddles.has(waddle)) throw new FrameError('not_member', `voice.join: join waddle ${waddle.id} before its voice channel ${channelId}`);
    if (this.voice.channelOf(conn.peerId) !== channelId) this.leaveVoice(conn);
    if (!this.voice.join(channelId, conn)) throw new FrameError('room_full', `voice.join: ${channelId} already has ${this.options.maxVoiceParticipants} participants (the mesh limit)`);
    conn.send({ type: 'voice.joined', ...(ref !== undefined ? { ref } : {}), channelId, peerId: conn.peerId, participants: this.voice.members(channelId).map((m) => m.state) });
    this.pushVoiceMembers(channelId, conn);
  }

  private leaveVoice(conn: Connection): string | undefined {
    const left = this.voice.leave(conn.peerId);
    if (left !== undefined) this.pushVoiceMembers(left);
    return left;
  }

  private pushVoiceMembers(channelId: string, except?: Connection): void {
    const members = this.voice.members(channelId);
    const data = JSON.stringify({ type: 'voice.members', channelId, participants: members.map((m) => m.state) } satisfies ServerFrame);
    for (const m of members) if (m.conn !== except) m.conn.sendRaw(data);
  }

  private drop(conn: Connection): void {
    if (!this.connections.delete(conn)) return;
    this.leaveVoice(conn);
    for (const waddle of [...conn.waddles]) this.leaveWaddle(conn, waddle);
    for (const channel of conn.channels) channel.subscribers.delete(conn);
  }

  private waddle(id: string): Waddle {
    const waddle = this.directory.waddles.get(id);
    if (!waddle) throw new FrameError('not_found', `no waddle ${JSON.stringify(id)}; list them with waddle.list`);
    return waddle;
  }

  private textChannel(id: string): TextChannel {
    const channel = this.directory.textChannels.get(id);
    if (!channel) throw new FrameError('not_found', `no text channel ${JSON.stringify(id)}`);
    return channel;
  }

  private memberChannel(conn: Connection, id: string): TextChannel {
    const channel = this.textChannel(id);
    if (!conn.waddles.has(channel.waddle)) throw new FrameError('not_member', `channel ${id} belongs to waddle ${channel.waddle.id}, which this connection has not joined (send waddle.join first)`);
    return channel;
  }

  closeAll(): void {
    if (this.presenceTimer) clearTimeout(this.presenceTimer);
    this.presenceTimer = undefined;
    this.pendingPresence.clear();
    for (const conn of this.connections) conn.socket.terminate();
  }
}

function str(frame: object, key: string): string {
  const value = (frame as Record<string, unknown>)[key];
  if (typeof value !== 'string') throw new FrameError('bad_frame', `${(frame as { type: string }).type}: "${key}" must be a string`);
  return value;
}
