// What a journey may ask of Waddle. Journeys speak only to this interface, never to
// selectors or sockets: a team whose Waddle UI differs writes a driver, not new journeys.
// Drivers: clients/browser/ (Playwright on the real web UI). A protocol driver (ws + fetch)
// can come later for scale.

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
}
