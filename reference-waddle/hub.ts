// The WebSocket hub: one connection per client tab. It reads each frame (client-frames.ts),
// answers it or hands it to chat (chat.ts) or voice (voice-calls.ts), and keeps who is in which
// waddle and channel, with presence (presence.ts). Bad frames get an error frame and the
// connection stays usable.
import type { RawData, WebSocket } from 'ws';
import { Chat } from './chat.ts';
import { FrameError, FrameTargets, parseClientFrame, str } from './client-frames.ts';
import type { ResolvedOptions } from './options.ts';
import { MAX_HISTORY_PAGE, ONLINE_SNAPSHOT_LIMIT, type ChatMessage, type ClientFrame, type ErrorCode } from './protocol.ts';
import { PresenceBroadcaster } from './presence.ts';
import type { ServerMetrics } from './server-metrics.ts';
import type { Directory, TextChannel, Waddle } from './state.ts';
import type { JanusProcess } from './sfu/janus-process.ts';
import { SfuCalls } from './sfu/sfu-calls.ts';
import { VoiceCalls } from './voice-calls.ts';
import { VoiceRooms } from './voice-rooms.ts';
import { Connection } from './ws-connection.ts';

export class Hub {
  readonly connections = new Set<Connection>();
  readonly voice: VoiceRooms;
  private readonly calls: VoiceCalls;
  /** SFU mode only: calls through the media server */
  readonly sfu: SfuCalls | undefined;
  private readonly chat: Chat;
  private readonly targets: FrameTargets;
  private readonly presence = new PresenceBroadcaster();
  private peerCounter = 0;

  constructor(
    readonly options: ResolvedOptions,
    readonly directory: Directory,
    readonly metrics: ServerMetrics,
    janus?: JanusProcess,
  ) {
    this.voice = new VoiceRooms(options.maxVoiceParticipants);
    this.sfu = janus ? new SfuCalls(janus, this.voice, options.maxVoiceParticipants, (channelId) => this.calls.membersChanged(channelId)) : undefined;
    this.calls = new VoiceCalls(options, directory, this.voice, this.sfu);
    this.targets = new FrameTargets(directory);
    this.chat = new Chat(options, directory, this.targets, metrics);
  }

  accept(socket: WebSocket, username: string): void {
    this.peerCounter += 1;
    const conn = new Connection(`p${this.peerCounter.toString(36)}`, username, socket, this.options, this.metrics);
    this.connections.add(conn);
    socket.on('message', (data, isBinary) => this.receive(conn, data, isBinary));
    socket.on('close', () => this.drop(conn));
    socket.on('error', () => socket.terminate());
    conn.send({ type: 'hello', peerId: conn.peerId, username, serverTs: Date.now() });
  }

  private receive(conn: Connection, data: RawData, isBinary: boolean): void {
    this.metrics.wsMessagesReceived += 1;
    const parsed = parseClientFrame(data, isBinary);
    try {
      if ('error' in parsed) throw parsed.error;
      this.handle(conn, parsed.frame);
    } catch (error) {
      const code: ErrorCode = error instanceof FrameError ? error.code : 'bad_frame';
      if (!(error instanceof FrameError)) this.options.log(`reference-waddle: frame from ${conn.username} failed: ${String(error)}`);
      this.metrics.wsErrors += 1;
      conn.send({ type: 'error', code, message: error instanceof Error ? error.message : String(error), ...(parsed.ref !== undefined ? { ref: parsed.ref } : {}) });
    }
  }

  private handle(conn: Connection, frame: ClientFrame): void {
    const withRef = frame.ref !== undefined ? { ref: frame.ref } : {};
    switch (frame.type) {
      case 'ping':
        conn.send({ type: 'pong', ...withRef, serverTs: Date.now() });
        return;
      case 'waddle.list':
        conn.send({ type: 'waddle.list', ...withRef, waddles: [...this.directory.waddles.values()].map((w) => w.summary()) });
        return;
      case 'waddle.join': {
        const waddle = this.targets.waddle(str(frame, 'waddleId'));
        this.joinWaddle(conn, waddle);
        conn.send({ type: 'waddle.joined', ...withRef, waddle: waddle.summary(), online: waddle.recentlyOnline(ONLINE_SNAPSHOT_LIMIT), onlineCount: waddle.online.size });
        return;
      }
      case 'waddle.leave': {
        const waddle = this.targets.waddle(str(frame, 'waddleId'));
        this.leaveWaddle(conn, waddle);
        conn.send({ type: 'waddle.left', ...withRef, waddleId: waddle.id });
        return;
      }
      case 'channel.open': {
        const channel = this.targets.memberChannel(conn, str(frame, 'channelId'));
        const limit = pageLimit(frame, this.options.historyPageSize);
        this.subscribe(conn, channel, true);
        conn.send({ type: 'channel.history', ...withRef, channelId: channel.id, ...channel.history.latest(limit) });
        return;
      }
      case 'channel.history': {
        const channel = this.targets.memberChannel(conn, str(frame, 'channelId'));
        const before = str(frame, 'before');
        const page = channel.history.before(before, pageLimit(frame, this.options.historyPageSize));
        if (!page) throw new FrameError('not_found', `channel.history: message ${JSON.stringify(before)} is not kept in ${channel.id} (unknown, or older than the last ${this.options.historyLimit}); page back from the oldest message you have`);
        conn.send({ type: 'channel.history', ...withRef, channelId: channel.id, ...page });
        return;
      }
      case 'channel.close': {
        const channel = this.targets.textChannel(str(frame, 'channelId'));
        this.subscribe(conn, channel, false);
        conn.send({ type: 'channel.closed', ...withRef, channelId: channel.id });
        return;
      }
      case 'chat.send':
        this.chat.send(conn, frame);
        return;
      case 'reaction.add':
      case 'reaction.remove':
        this.chat.react(conn, frame);
        return;
      default:
        this.calls.handle(conn, frame);
    }
  }

  /** Post a message on behalf of a user (uploads). */
  postMessage(channel: TextChannel, message: ChatMessage): void {
    this.chat.post(channel, message);
  }

  private subscribe(conn: Connection, channel: TextChannel, on: boolean): void {
    if (on) {
      channel.subscribers.add(conn);
      conn.channels.add(channel);
    } else {
      channel.subscribers.delete(conn);
      conn.channels.delete(channel);
    }
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
    if (cameOnline) this.presence.push(waddle, conn.username, true);
  }

  private leaveWaddle(conn: Connection, waddle: Waddle): void {
    if (!conn.waddles.delete(waddle)) return;
    for (const channel of waddle.textChannels) this.subscribe(conn, channel, false);
    this.calls.leaveIfInWaddle(conn, waddle);
    const mine = waddle.online.get(conn.username);
    mine?.delete(conn);
    if (mine && mine.size === 0) {
      waddle.online.delete(conn.username);
      this.presence.push(waddle, conn.username, false);
    }
  }

  private drop(conn: Connection): void {
    if (!this.connections.delete(conn)) return;
    this.calls.leave(conn);
    for (const waddle of [...conn.waddles]) this.leaveWaddle(conn, waddle);
    for (const channel of conn.channels) channel.subscribers.delete(conn);
  }

  closeAll(): void {
    this.presence.stop();
    for (const conn of this.connections) conn.socket.terminate();
  }
}

/** A history request's page size: `limit` when given (1 to MAX_HISTORY_PAGE), else the server's default. */
function pageLimit(frame: { limit?: unknown; type: string }, defaultSize: number): number {
  if (frame.limit === undefined) return defaultSize;
  const limit = frame.limit;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY_PAGE) {
    throw new FrameError('bad_frame', `${frame.type}: "limit" must be an integer from 1 to ${MAX_HISTORY_PAGE}, got ${JSON.stringify(limit)}`);
  }
  return limit;
}
