// What a journey may ask of Waddle. Journeys speak only to this interface, never to
// selectors or sockets: a team whose Waddle UI differs writes a driver, not new journeys.
// Drivers: clients/browser/ (Playwright on the real web UI) and clients/protocol/ (the reference
// Waddle's own protocol, no browser). Optional methods belong to a capability (clients/driver.ts):
// a driver that declares it implements them.

export interface WaddleInfo {
  readonly id: string;
  readonly name: string;
  readonly textChannels: readonly { id: string; name: string }[];
  readonly voiceChannels: readonly { id: string; name: string }[];
}

/** A message this client sent, once the server acknowledged it. */
export interface SentMessage {
  readonly id: string;
  readonly channelId: string;
  /** random token carried in the message so receivers can match it and measure delivery */
  readonly nonce: string;
  /** epoch ms (page clock) when the send was issued */
  readonly sentAtMs: number;
  /** epoch ms (page clock) when the server's ack arrived */
  readonly ackedAtMs: number;
}

/** A message seen by this client (rendered in its UI). */
export interface ReceivedMessage {
  readonly id: string;
  readonly channelId: string;
  readonly author: string;
  readonly text: string;
  readonly nonce?: string;
  /** sender's epoch ms when it sent, when the message carries it */
  readonly sentAtMs?: number;
  /** epoch ms (page clock) when this client displayed it */
  readonly receivedAtMs: number;
}

export interface UploadResult {
  readonly attachmentId: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly durationMs: number;
}

export interface DownloadResult {
  readonly bytes: number;
  readonly sha256: string;
  readonly durationMs: number;
}

export type RemoteMediaKind = 'audio' | 'video' | 'screen';

export interface PresenceChange {
  readonly username: string;
  readonly online: boolean;
  /** epoch ms (page clock) when this client saw it */
  readonly seenAtMs: number;
}

/** A text channel opened with its history measured (openChannelHistory). */
export interface ChannelHistoryView {
  readonly channelId: string;
  /** messages shown once the latest page is (an app may already have fetched an older page to fill its view) */
  readonly messages: number;
  /** the server keeps older messages than those shown */
  readonly hasMore: boolean;
  /** messages the channel keeps on the server, when the server says */
  readonly total?: number;
  /** from asking for the channel (the click, the request) until its latest page was shown (received) */
  readonly loadMs: number;
}

/** One older page of history, loaded by scrolling up. */
export interface HistoryPageLoad {
  readonly messages: number;
  /** from the request for the page (the app asks as the view nears the top) until it was shown (received) */
  readonly loadMs: number;
}

/** What scrolling up through history showed (scrollHistory). */
export interface HistoryScroll {
  /** the older pages loaded, in order; fewer than asked when the start was reached */
  readonly pages: readonly HistoryPageLoad[];
  /** the channel's first kept message is shown: there is nothing older */
  readonly reachedStart: boolean;
  /** intervals between the page's animation frames while scrolling, ms (drivers that render); a
   * frame over 50 ms is a visible stutter */
  readonly frameIntervalsMs?: readonly number[];
}

/**
 * What happened to a client's connection to the target (onConnection): 'lost' when the target or
 * the network closed it (the client then reconnects on its own, as the app does), 'restored' when
 * it is back and what the user had joined is joined again, 'protocol_error' when the target sent
 * something the protocol does not allow (dropped, the connection goes on).
 */
export interface ConnectionEvent {
  readonly kind: 'lost' | 'restored' | 'protocol_error';
  /** what and where, e.g. "WebSocket closed by the server or the network (code 1006)" */
  readonly message: string;
}

export interface WaddleClient {
  readonly username: string;
  /** Open the app, log in, and be connected (WebSocket up). */
  connect(): Promise<void>;
  listWaddles(): Promise<readonly WaddleInfo[]>;
  /** Join (and open) a waddle; the default waddle when no id is given. */
  joinWaddle(waddleId?: string): Promise<WaddleInfo>;
  /** Open a text channel of the current waddle; the first one when no id is given. */
  openTextChannel(channelId?: string): Promise<void>;
  /** Send to the open text channel; resolves when the server acked it. */
  sendMessage(text: string): Promise<SentMessage>;
  /** Subscribe to messages shown in the open channel; returns an unsubscribe function. */
  onMessage(handler: (message: ReceivedMessage) => void): () => void;
  onPresence(handler: (change: PresenceChange) => void): () => void;
  react(messageId: string, emoji: string): Promise<void>;
  /** Join a voice channel of the current waddle (the first one when no id is given), mic on. */
  joinVoice(channelId?: string): Promise<void>;
  setMuted(muted: boolean): Promise<void>;
  enableVideo(): Promise<void>;
  disableVideo(): Promise<void>;
  startScreenShare(): Promise<void>;
  stopScreenShare(): Promise<void>;
  /** Resolve with the ms waited once remote media of that kind is flowing (decoded), or reject at the timeout. */
  waitForRemoteMedia(kind: RemoteMediaKind, timeoutMs: number): Promise<number>;
  leaveVoice(): Promise<void>;
  /** Upload a local file into the open text channel as an attachment. */
  upload(filePath: string): Promise<UploadResult>;
  download(attachmentId: string): Promise<DownloadResult>;
  leaveWaddle(): Promise<void>;
  /** Release everything (the page/context is closed by the pool, not here). */
  close(): Promise<void>;

  // ---- history ('history' capability; optional: drivers without it leave them out) ----
  /** Open a text channel of the current waddle (the first when no id is given), as openTextChannel
   * does, measuring until its latest page of history is shown. */
  openChannelHistory?(channelId?: string): Promise<ChannelHistoryView>;
  /** Scroll the open channel's messages up through `pages` older pages, loading each as a user
   * scrolling up would; stops early at the channel's first message. */
  scrollHistory?(pages: number): Promise<HistoryScroll>;

  // ---- connection health (optional: a driver that reports it gets connection.drops, connection.reconnects
  // and connection.protocol_errors counted and gated, and an iteration that lost its connection fails) ----
  /** Subscribe to connection events; returns an unsubscribe function. */
  onConnection?(handler: (event: ConnectionEvent) => void): () => void;
}
