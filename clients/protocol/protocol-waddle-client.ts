// ProtocolWaddleClient: a WaddleClient that speaks the reference Waddle's own protocol — HTTP
// (login, uploads, attachments) and one WebSocket of JSON frames (reference-waddle/protocol.ts) —
// with no browser, so one Node process holds thousands of users that load the server the way
// the web client does (reference-waddle/web/*.ts).
//
// Semantics worth knowing (the browser driver's, where the protocol allows):
// - connect() logs in over HTTP and opens the WebSocket; calling it again after the connection
//   was lost logs in again and starts afresh (no waddle joined). A connection the server or the
//   network drops fails whatever waits, and every call until it is back, with an Error saying
//   "WebSocket closed by the server or the network (code …)" (the fleet's 'network'); the client
//   then reconnects as the web client does (./reconnect.ts: backoff, the same token, a new login
//   if that fails), joins again the waddle and channel it had, and tells onConnection ('lost',
//   'restored'). A frame that breaks the protocol is dropped and told ('protocol_error').
// - onMessage fires for live messages of the open channel: others' on arrival (receivedAtMs =
//   Date.now() when the frame arrived), our own at the server's ack. History sent on opening a
//   channel is NOT reported, so it never counts as delivery. Attachments posted by an upload
//   arrive as live messages (our own too, authored by us). Filter by author to measure delivery.
// - sendMessage stamps a nonce and sentAtMs (Date.now(); same machine clock as a browser page's
//   performance.timeOrigin + now), resolves at the ack, rejects with the server's error frame.
// - onPresence reports the online members listed when joining a waddle (seen at the join), then
//   every change in the coalesced presence frames of that waddle; seenAtMs = frame arrival.
// - Voice: joinVoice joins unmuted ("mic on"); setMuted/enableVideo/startScreenShare send
//   voice.state flags and resolve once the server's member list shows them. The call itself is
//   the `call` option's session: by default VoiceCall (voice-call.ts: synthetic signalling with
//   the room's other protocol users, no media); protocolMedia's carries real RTP.
//   waitForRemoteMedia(kind, timeoutMs) waits on that session (media-waits.ts), bounded.
// - openChannelHistory opens a channel like openTextChannel (its latest page comes with the answer)
//   and times it; scrollHistory asks for older pages before the oldest held (history.ts). No
//   rendering, so no frame timings: what the user sees is measured by browser users.
// - every other wait is bounded by actionTimeoutMs (a download: plus its size at 0.5 MB/s).
import type { ProtocolWaddleClientOptions } from './client-options.ts';
import { randomBytes } from 'node:crypto';
import type { ServerFrame } from '../../reference-waddle/protocol.ts';
import type { ChannelHistoryView, ConnectionEvent, DownloadResult, HistoryScroll, PresenceChange, ReceivedMessage, RemoteMediaKind, SentMessage, UploadResult, WaddleClient, WaddleInfo } from '../waddle-client.ts';
import { cursorOf, pageBack, type HistoryCursor } from './history.ts';
import { login, type HttpApi } from './http-login.ts';
import { MediaWaits } from './media-waits.ts';
import { ConnectionEvents, emitEach, Reconnector } from './reconnect.ts';
import { ProtocolSocket, type FrameBody } from './socket.ts';
import { downloadAttachment, uploadFile } from './transfers.ts';
import { sharedWaddleInfo as info } from './shared-waddles.ts';
import { VoiceCall, type CallSession, type SignallingStats } from './voice-call.ts';

/**
 * What a protocol user can do, in the capability names plans use. Decoded media ('media') is
 * not among them: 'voice', 'video' and 'screen' mean joining, flags and signalling, not frames.
 */
export const protocolCapabilities = ['chat', 'reactions', 'presence', 'voice', 'video', 'screen', 'upload', 'history'] as const;

export type { ProtocolWaddleClientOptions };

type Of<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;
type VoiceFlag = 'muted' | 'camera' | 'screen';

/** Nonces: unique per process without a random draw per message. */
const noncePrefix = randomBytes(4).toString('hex');
let nonceCounter = 0;

export class ProtocolWaddleClient implements WaddleClient {
  readonly username: string;
  private readonly api: HttpApi;
  private readonly password: string | undefined;
  private readonly timeoutMs: number;
  private readonly label: string;
  private socket: ProtocolSocket | undefined;
  private waddle: WaddleInfo | undefined;
  private channelId: string | undefined;
  /** where paging back in the open channel goes on from */
  private history: HistoryCursor | undefined;
  // created on first use: most users never need most of them
  private messageHandlers: Set<(message: ReceivedMessage) => void> | undefined;
  private presenceHandlers: Set<(change: PresenceChange) => void> | undefined;
  private voice: CallSession | undefined;
  private readonly makeCall: NonNullable<ProtocolWaddleClientOptions['call']>;
  private closed = false;
  private token: string | undefined;
  private readonly connection = new ConnectionEvents();
  private readonly mediaWaits: MediaWaits;
  private readonly reconnector = new Reconnector((ticket) => this.reconnect(ticket));

  constructor(options: ProtocolWaddleClientOptions) {
    this.username = options.username;
    this.password = options.password;
    this.timeoutMs = options.actionTimeoutMs ?? 15_000;
    this.label = `ProtocolWaddleClient(${options.username})`;
    this.mediaWaits = new MediaWaits(this.label);
    this.makeCall = options.call ?? ((send) => new VoiceCall(send));
    this.api = { baseUrl: options.baseUrl.replace(/\/+$/, ''), label: this.label, timeoutMs: this.timeoutMs, ...(options.network ? { network: options.network } : {}) };
  }

  /** The server's id of this connection ('' before connect). */
  get peerId(): string {
    return this.socket?.peerId ?? '';
  }

  /** Signalling counts: synthetic offers/answers sent, exchanges completed, real offers skipped. */
  get signallingStats(): Readonly<SignallingStats> {
    return { ...(this.voice instanceof VoiceCall ? this.voice.stats : { syntheticOffersSent: 0, syntheticAnswersSent: 0, exchangesCompleted: 0, realOffersSkipped: 0, otherSignalsSkipped: 0 }) };
  }

  // ---- connection -----------------------------------------------------------------

  async connect(): Promise<void> {
    if (this.closed) throw new Error(`${this.label}: connect() after close()`);
    if (this.socket?.isOpen) return;
    this.reconnector.cancel(); // starting afresh: a reconnection under way is void
    this.resetSession();
    this.token = await login(this.api, this.username, this.password);
    this.socket = await this.openSocket(this.token);
  }

  onConnection(handler: (event: ConnectionEvent) => void): () => void {
    return this.connection.on(handler);
  }

  private async openSocket(token: string): Promise<ProtocolSocket> {
    let socket: ProtocolSocket | undefined = undefined;
    socket = await ProtocolSocket.open({
      url: `${this.api.baseUrl.replace(/^http/, 'ws')}/ws`,
      token,
      label: this.label,
      timeoutMs: this.timeoutMs,
      onFrame: (frame, atMs) => this.onFrame(frame, atMs),
      onLost: (error) => {
        if (socket !== undefined && socket === this.socket) this.onLost(error); // one failing while it opens rejects open() instead
      },
      onProtocolError: (message) => this.connection.emit('protocol_error', message),
      ...(this.api.network ? { network: this.api.network } : {}),
      wants: (type) => (type === 'presence' ? this.presenceHandlers !== undefined && this.presenceHandlers.size > 0 : this.messageHandlers !== undefined && this.messageHandlers.size > 0),
    });
    return socket;
  }

  /** One reconnection try: the same token (a new login when that is refused), then what the user had joined. */
  private async reconnect(ticket: number): Promise<void> {
    let socket: ProtocolSocket;
    try {
      socket = await this.openSocket(this.token ?? (this.token = await login(this.api, this.username, this.password)));
    } catch (error) {
      this.token = undefined; // the server may have forgotten it (restarted): log in on the next try
      throw error;
    }
    if (this.closed || !this.reconnector.isCurrent(ticket)) return void socket.close();
    this.socket = socket;
    const { waddle, channelId } = this;
    if (waddle) await this.ask({ type: 'waddle.join', waddleId: waddle.id }, `joining waddle ${waddle.id} again after a reconnect`);
    if (waddle && channelId !== undefined) {
      const { frame } = await this.ask<Of<'channel.history'>>({ type: 'channel.open', channelId }, `opening text channel ${channelId} again after a reconnect`);
      this.history = cursorOf(channelId, frame);
    }
    this.connection.emit('restored', `${this.label}: reconnected to ${this.api.baseUrl}${waddle ? ` and joined waddle ${waddle.id}${channelId !== undefined ? ` and channel ${channelId}` : ''} again` : ''}`);
  }

  async listWaddles(): Promise<readonly WaddleInfo[]> {
    return (await this.ask<Of<'waddle.list'>>({ type: 'waddle.list' }, 'the waddle list')).frame.waddles.map(info);
  }

  async joinWaddle(waddleId?: string): Promise<WaddleInfo> {
    let id = waddleId;
    if (id === undefined) {
      const first = (await this.listWaddles())[0];
      if (!first) throw new Error(`${this.label}: the server lists no waddle to join`);
      id = first.id;
    }
    const { frame, receivedAtMs } = await this.ask<Of<'waddle.joined'>>({ type: 'waddle.join', waddleId: id }, `joining waddle ${id}`);
    // one waddle at a time, as the web client does
    if (this.waddle && this.waddle.id !== frame.waddle.id) this.requireSocket('waddle.leave').send({ type: 'waddle.leave', waddleId: this.waddle.id });
    if (this.waddle?.id !== frame.waddle.id) this.channelId = undefined;
    this.waddle = info(frame.waddle);
    if (this.presenceHandlers) for (const username of frame.online) this.emitPresence({ username, online: true, seenAtMs: receivedAtMs });
    return this.waddle;
  }

  async openTextChannel(channelId?: string): Promise<void> {
    await this.openChannel(channelId);
  }

  async openChannelHistory(channelId?: string): Promise<ChannelHistoryView> {
    const startedMs = performance.now();
    const page = await this.openChannel(channelId);
    return { channelId: page.channelId, messages: page.messages.length, hasMore: page.hasMore, total: page.total, loadMs: performance.now() - startedMs };
  }

  scrollHistory(pages: number): Promise<HistoryScroll> {
    const channelId = this.requireChannel('scroll its history');
    const cursor = this.history?.channelId === channelId ? this.history : undefined;
    if (!cursor) return Promise.reject(new Error(`${this.label}: cannot scroll the history of ${channelId}: open it with openChannelHistory first`));
    return pageBack((frame, what) => this.ask(frame, what), cursor, pages);
  }

  private async openChannel(channelId: string | undefined): Promise<Of<'channel.history'>> {
    const waddle = this.requireWaddle('open a text channel');
    const id = channelId ?? waddle.textChannels[0]?.id;
    if (id === undefined) throw new Error(`${this.label}: waddle ${waddle.id} has no text channel`);
    if (this.channelId !== undefined && this.channelId !== id) this.requireSocket('channel.close').send({ type: 'channel.close', channelId: this.channelId });
    this.channelId = undefined; // messages of neither channel count until the new one is open
    this.history = undefined;
    const { frame } = await this.ask<Of<'channel.history'>>({ type: 'channel.open', channelId: id }, `opening text channel ${id}`);
    this.channelId = id; // the history came with the answer and is not reported
    this.history = cursorOf(id, frame);
    return frame;
  }

  async leaveWaddle(): Promise<void> {
    const waddle = this.requireWaddle('leave it');
    if (this.voice?.channelId !== undefined) await this.leaveVoice();
    await this.ask({ type: 'waddle.leave', waddleId: waddle.id }, `leaving waddle ${waddle.id}`);
    this.waddle = undefined;
    this.channelId = undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.reconnector.cancel();
    this.connection.clear();
    this.messageHandlers = undefined;
    this.presenceHandlers = undefined;
    this.mediaWaits.failAll(new Error(`${this.label}: the client was closed while waiting for remote media`));
    this.voice?.left();
    await this.socket?.close();
  }

  // ---- chat -----------------------------------------------------------------------

  async sendMessage(text: string): Promise<SentMessage> {
    const channelId = this.requireChannel('send a message');
    nonceCounter += 1;
    const nonce = `${noncePrefix}-${nonceCounter.toString(36)}`;
    const sentAtMs = Date.now();
    const { frame, receivedAtMs } = await this.ask<Of<'chat.ack'>>({ type: 'chat.send', channelId, text, nonce, sentAtMs }, `message ${nonce} (its server ack)`);
    if (this.messageHandlers && this.channelId === channelId) {
      this.emitMessage({ id: frame.id, channelId, author: this.username, text, nonce, sentAtMs, receivedAtMs });
    }
    return { id: frame.id, channelId, nonce, sentAtMs, ackedAtMs: receivedAtMs };
  }

  onMessage(handler: (message: ReceivedMessage) => void): () => void {
    (this.messageHandlers ??= new Set()).add(handler);
    return () => void this.messageHandlers?.delete(handler);
  }

  onPresence(handler: (change: PresenceChange) => void): () => void {
    (this.presenceHandlers ??= new Set()).add(handler);
    return () => void this.presenceHandlers?.delete(handler);
  }

  async react(messageId: string, emoji: string): Promise<void> {
    const channelId = this.requireChannel('react');
    await this.ask({ type: 'reaction.add', channelId, messageId, emoji }, `reaction ${emoji} on message ${messageId}`);
  }

  // ---- voice ----------------------------------------------------------------------

  async joinVoice(channelId?: string): Promise<void> {
    const waddle = this.requireWaddle('join voice');
    const id = channelId ?? waddle.voiceChannels[0]?.id;
    if (id === undefined) throw new Error(`${this.label}: waddle ${waddle.id} has no voice channel`);
    // onFrame gives the call the answer in frame order: a newcomer's offer in the same chunk comes before this await resumes
    await this.ask<Of<'voice.joined'>>({ type: 'voice.join', channelId: id }, `joining voice channel ${id}`);
  }

  async leaveVoice(): Promise<void> {
    await this.ask({ type: 'voice.leave' }, 'leaving the voice channel');
    this.voice?.left();
  }

  setMuted(muted: boolean): Promise<void> {
    return this.setFlag('muted', muted);
  }

  enableVideo(): Promise<void> {
    return this.setFlag('camera', true);
  }

  disableVideo(): Promise<void> {
    return this.setFlag('camera', false);
  }

  startScreenShare(): Promise<void> {
    return this.setFlag('screen', true);
  }

  stopScreenShare(): Promise<void> {
    return this.setFlag('screen', false);
  }

  waitForRemoteMedia(kind: RemoteMediaKind, timeoutMs: number): Promise<number> {
    if (this.closed || !this.socket?.isOpen) return Promise.reject(this.notConnected(`wait for remote ${kind}`));
    return this.mediaWaits.wait(this.voiceCall(), kind, timeoutMs);
  }

  // ---- files ----------------------------------------------------------------------

  upload(filePath: string): Promise<UploadResult> {
    const channelId = this.requireChannel(`upload ${filePath}`);
    return uploadFile(this.api, channelId, filePath);
  }

  download(attachmentId: string): Promise<DownloadResult> {
    this.requireSocket(`download attachment ${attachmentId}`);
    return downloadAttachment(this.api, attachmentId);
  }

  // ---- internals ------------------------------------------------------------------

  private onFrame(frame: ServerFrame, receivedAtMs: number): void {
    switch (frame.type) {
      case 'chat.message': {
        const m = frame.message;
        if (!this.messageHandlers || m.channelId !== this.channelId) return;
        // one object per delivery, no spreads (~15,000 deliveries a second at 10,000 chatters)
        const message: { -readonly [K in keyof ReceivedMessage]: ReceivedMessage[K] } = { id: m.id, channelId: m.channelId, author: m.author, text: m.text, receivedAtMs };
        if (m.nonce !== undefined) message.nonce = m.nonce;
        if (m.sentAtMs !== undefined) message.sentAtMs = m.sentAtMs;
        return this.emitMessage(message);
      }
      case 'presence':
        if (!this.presenceHandlers || frame.waddleId !== this.waddle?.id) return;
        for (const change of frame.changes) this.emitPresence({ username: change.username, online: change.online, seenAtMs: receivedAtMs });
        return;
      case 'voice.joined':
        return this.voiceCall().joined(frame.channelId, frame.peerId, frame.participants, frame.media ?? 'mesh');
      case 'voice.members':
        return this.voice?.members(frame.channelId, frame.participants);
      case 'rtc.signal':
        return this.voice?.signal(frame.from, frame.fromUser, frame.data);
      default:
        return;
    }
  }

  private onLost(error: Error): void {
    this.mediaWaits.failAll(error);
    this.voice?.left(); // the server forgets a connection's call with it, as the web client knows
    if (this.closed) return;
    this.connection.emit('lost', error.message);
    this.reconnector.schedule();
  }

  private resetSession(): void {
    this.waddle = undefined;
    this.channelId = undefined;
    this.voice?.left();
  }

  private voiceCall(): CallSession {
    return (this.voice ??= this.makeCall(
      (to, data) => void (this.socket?.isOpen && this.socket.send({ type: 'rtc.signal', to, data })),
      async (frame, what) => (await this.ask(frame, what)).frame,
    ));
  }

  private async setFlag(flag: VoiceFlag, on: boolean): Promise<void> {
    const voice = this.voice;
    const channelId = voice?.channelId;
    if (!voice || channelId === undefined) throw new Error(`${this.label}: cannot set ${flag}=${on}: not in a voice channel (call joinVoice first)`);
    voice.setLocal?.(flag, on);
    const shows = (f: ServerFrame): boolean => f.type === 'voice.members' && f.channelId === channelId && voice.ownStateIn(f.participants)?.[flag] === on;
    await this.ask({ type: 'voice.state', [flag]: on }, `voice.state ${flag}=${on} to show in the member list of ${channelId}`, shows);
  }

  private ask<T extends ServerFrame>(frame: FrameBody, what: string, until?: (f: ServerFrame) => boolean): Promise<{ frame: T; receivedAtMs: number }> {
    try {
      return this.requireSocket(what).request(frame, what, this.timeoutMs, until) as Promise<{ frame: T; receivedAtMs: number }>;
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  private requireSocket(what: string): ProtocolSocket {
    if (this.closed || !this.socket) throw this.notConnected(what);
    return this.socket; // a lost socket throws its own "WebSocket closed" error on send
  }

  private notConnected(what: string): Error {
    if (this.closed) return new Error(`${this.label}: cannot ${what}: the client is closed`);
    if (!this.socket) return new Error(`${this.label}: cannot ${what}: not connected (call connect first)`);
    return new Error(`${this.label}: cannot ${what}: WebSocket is closed (connection lost; reconnecting)`);
  }

  private requireWaddle(what: string): WaddleInfo {
    this.requireSocket(what);
    if (!this.waddle) throw new Error(`${this.label}: cannot ${what}: no waddle joined (call joinWaddle first)`);
    return this.waddle;
  }

  private requireChannel(what: string): string {
    this.requireWaddle(what);
    if (this.channelId === undefined) throw new Error(`${this.label}: cannot ${what}: no text channel is open (call openTextChannel first)`);
    return this.channelId;
  }

  private emitMessage(message: ReceivedMessage): void {
    emitEach(this.messageHandlers, message);
  }

  private emitPresence(change: PresenceChange): void {
    emitEach(this.presenceHandlers, change);
  }
}
