// The protocol client's options, apart so the client file stays about the client.
import type { MessageLink } from '../../network/message-link.ts';
import type { ServerFrame } from '../../reference-waddle/protocol.ts';
import type { FrameBody } from './socket.ts';
import type { CallSession } from './voice-call.ts';

/** Same shape as BrowserWaddleClientOptions, so a driver can build either from one config. */
export interface ProtocolWaddleClientOptions {
  /** the Waddle server, e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  username: string;
  password?: string;
  /** bound on every single request and wait. Default 15 000 ms. */
  actionTimeoutMs?: number;
  /** the user's network (network/message-link.ts), applied to every frame and request */
  network?: MessageLink;
  /**
   * what carries this client's calls; default: VoiceCall (synthetic signalling, no media). `request`
   * sends a frame on the user's socket and resolves with its answer (SFU mode's sfu.* frames).
   */
  call?: (sendSignal: (to: string, data: unknown) => void, request: (frame: FrameBody, what: string) => Promise<ServerFrame>) => CallSession;
}
