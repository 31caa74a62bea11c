// A base for a driver's client whose app has only some of what WaddleClient names (issue 19: a
// 3-button page had to write about 20 methods). A subclass writes `username`, `connect` and what
// its capabilities cover; every other method rejects with an error that names the client and the
// method. The plan already refuses a journey whose `requires` the driver lacks, so such an error
// means a journey called outside its `requires`.
import type {
  DownloadResult,
  PresenceChange,
  ReceivedMessage,
  RemoteMediaKind,
  SentMessage,
  UploadResult,
  WaddleClient,
  WaddleInfo,
} from './waddle-client.ts';

export abstract class WaddleClientBase implements WaddleClient {
  abstract readonly username: string;
  /** Open the app, log in, and be connected. */
  abstract connect(): Promise<void>;

  /** The error every method this client does not write rejects (or throws) with. */
  protected notImplemented(method: keyof WaddleClient): Error {
    const client = this.constructor.name || 'this client';
    return new Error(`${client}.${method} is not implemented: the driver's capabilities do not cover it (a journey called it outside its requires)`);
  }

  #reject(method: keyof WaddleClient): Promise<never> {
    return Promise.reject(this.notImplemented(method));
  }

  listWaddles(): Promise<readonly WaddleInfo[]> { return this.#reject('listWaddles'); }
  joinWaddle(_waddleId?: string): Promise<WaddleInfo> { return this.#reject('joinWaddle'); }
  openTextChannel(_channelId?: string): Promise<void> { return this.#reject('openTextChannel'); }
  sendMessage(_text: string): Promise<SentMessage> { return this.#reject('sendMessage'); }
  onMessage(_handler: (message: ReceivedMessage) => void): () => void { throw this.notImplemented('onMessage'); }
  onPresence(_handler: (change: PresenceChange) => void): () => void { throw this.notImplemented('onPresence'); }
  react(_messageId: string, _emoji: string): Promise<void> { return this.#reject('react'); }
  joinVoice(_channelId?: string): Promise<void> { return this.#reject('joinVoice'); }
  setMuted(_muted: boolean): Promise<void> { return this.#reject('setMuted'); }
  enableVideo(): Promise<void> { return this.#reject('enableVideo'); }
  disableVideo(): Promise<void> { return this.#reject('disableVideo'); }
  startScreenShare(): Promise<void> { return this.#reject('startScreenShare'); }
  stopScreenShare(): Promise<void> { return this.#reject('stopScreenShare'); }
  waitForRemoteMedia(_kind: RemoteMediaKind, _timeoutMs: number): Promise<number> { return this.#reject('waitForRemoteMedia'); }
  leaveVoice(): Promise<void> { return this.#reject('leaveVoice'); }
  upload(_filePath: string): Promise<UploadResult> { return this.#reject('upload'); }
  download(_attachmentId: string): Promise<DownloadResult> { return this.#reject('download'); }
  leaveWaddle(): Promise<void> { return this.#reject('leaveWaddle'); }
  /** Nothing to release unless the subclass holds something. */
  async close(): Promise<void> {}
}

// openChannelHistory, scrollHistory and onConnection are optional in WaddleClient: left out here,
// so a client without them is known not to have them.
