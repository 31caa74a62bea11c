// The wire protocol of the reference Waddle: JSON frames over one WebSocket per client
// (GET /ws?token=… or the session cookie) plus a small HTTP API. Types only, no runtime
// code, so both the Node server and the DOM-only web client (web/) import it.
//
// Every client frame may carry `ref` (any string ≤ 64 chars); replies and errors about
// that frame echo it, so a client can match answers to requests.

export interface ChannelRef {
  readonly id: string;
  readonly name: string;
}

export interface WaddleSummary {
  readonly id: string;
  readonly name: string;
  readonly textChannels: readonly ChannelRef[];
  readonly voiceChannels: readonly ChannelRef[];
}

export interface Attachment {
  readonly id: string;
  readonly name: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly contentType: string;
}

/** Reaction name → usernames who reacted, in order. The names are whatever clients sent (an
 * emoji, or `__proto__`): read it with Object.entries / Object.hasOwn or copy it into a Map,
 * never with `reactions[name]`, which would find Object.prototype members. */
export type ReactionsByName = Readonly<Record<string, readonly string[]>>;

export interface ChatMessage {
  readonly id: string;
  readonly channelId: string;
  readonly author: string;
  readonly text: string;
  /** server epoch ms when the server accepted it */
  readonly serverTs: number;
  /** the sender's own token, echoed so receivers can match and measure */
  readonly nonce?: string;
  /** the sender's epoch ms at send, echoed */
  readonly sentAtMs?: number;
  readonly reactions: ReactionsByName;
  readonly attachment?: Attachment;
}

export interface VoiceParticipant {
  /** connection id: one user may be in a call from several tabs */
  readonly peerId: string;
  readonly username: string;
  readonly muted: boolean;
  readonly camera: boolean;
  readonly screen: boolean;
  /** SFU mode only: this participant's media reaches the media server; subscribe to it (sfu.subscribe) */
  readonly published?: boolean;
}

/** How a call's media flows: browser to browser (mesh, the default) or through the media server. */
export type CallMedia = 'mesh' | 'sfu';

/** A stream of an SFU subscription: its mid in the offer, and what it carries (the publisher's
 * m-line 0 is the mic, 1 the camera, 2 the screen, as the web client's transceivers are). */
export interface SfuStream {
  readonly mid: string;
  readonly kind: 'audio' | 'video' | 'screen';
}

// ---- client → server ----------------------------------------------------------------
export type ClientFrame =
  | { type: 'ping'; ref?: string }
  | { type: 'waddle.list'; ref?: string }
  | { type: 'waddle.join'; waddleId: string; ref?: string }
  | { type: 'waddle.leave'; waddleId: string; ref?: string }
  // opens (subscribes to) a channel; the answer is its latest page of history (`limit` messages,
  // default the server's historyPageSize, at most MAX_HISTORY_PAGE)
  | { type: 'channel.open'; channelId: string; limit?: number; ref?: string }
  | { type: 'channel.close'; channelId: string; ref?: string }
  // an older page: the `limit` messages just before message `before` (scrolling up)
  | { type: 'channel.history'; channelId: string; before: string; limit?: number; ref?: string }
  | { type: 'chat.send'; channelId: string; text: string; nonce?: string; sentAtMs?: number; ref?: string }
  | { type: 'reaction.add' | 'reaction.remove'; channelId: string; messageId: string; emoji: string; ref?: string }
  | { type: 'voice.join'; channelId: string; ref?: string }
  | { type: 'voice.leave'; ref?: string }
  | { type: 'voice.state'; muted?: boolean; camera?: boolean; screen?: boolean; ref?: string }
  | { type: 'rtc.signal'; to: string; data: unknown; ref?: string }
  // SFU mode (voice.joined says media: 'sfu'): publish an offer with the candidates gathered in it
  // (m-lines: audio, camera, screen), answered by sfu.answer; subscribe to a published participant,
  // answered by sfu.offer, whose answer goes back in sfu.start (answered by sfu.started)
  | { type: 'sfu.publish'; sdp: string; ref?: string }
  | { type: 'sfu.subscribe'; peerId: string; ref?: string }
  | { type: 'sfu.start'; peerId: string; sdp: string; ref?: string };

export type ClientFrameType = ClientFrame['type'];

// ---- server → client ----------------------------------------------------------------
export type ErrorCode =
  | 'bad_json'
  | 'bad_frame'
  | 'unknown_type'
  | 'too_large'
  | 'not_found'
  | 'not_member'
  | 'rate_limited'
  | 'room_full'
  | 'not_in_voice'
  | 'sfu_failed'; // the media server refused or did not answer (the message says what it said)

export interface PresenceChange {
  readonly username: string;
  readonly online: boolean;
}

/** Presence is pushed at most this often per waddle: a join storm of N users costs each member one
 * frame per flush, not N frames (the work per join must not grow with the waddle's size). */
export const PRESENCE_FLUSH_MS = 250;
/** waddle.joined lists at most this many online members (a 10,000-member list per join would be
 * quadratic over a ramp); onlineCount says how many there are. */
export const ONLINE_SNAPSHOT_LIMIT = 500;
/** History comes in pages (a channel may keep 100,000 messages: one frame of all of them would be
 * megabytes): the latest page on open, then older ones `before` a message, as real chat apps page. */
export const MAX_HISTORY_PAGE = 500;

export type ServerFrame =
  | { type: 'hello'; peerId: string; username: string; serverTs: number }
  | { type: 'pong'; ref?: string; serverTs: number }
  | { type: 'error'; code: ErrorCode; message: string; ref?: string }
  | { type: 'waddle.list'; ref?: string; waddles: readonly WaddleSummary[] }
  // online: the most recently arrived members, at most ONLINE_SNAPSHOT_LIMIT; onlineCount: all of them
  | { type: 'waddle.joined'; ref?: string; waddle: WaddleSummary; online: readonly string[]; onlineCount: number }
  | { type: 'waddle.left'; ref?: string; waddleId: string }
  // presence changes of a waddle, coalesced over PRESENCE_FLUSH_MS, in the order they happened
  | { type: 'presence'; waddleId: string; changes: readonly PresenceChange[]; onlineCount: number }
  // a page of history, oldest first: the latest on channel.open, older ones on channel.history;
  // hasMore: older messages are kept before the first one; total: messages the channel keeps
  | { type: 'channel.history'; ref?: string; channelId: string; messages: readonly ChatMessage[]; hasMore: boolean; total: number }
  | { type: 'channel.closed'; ref?: string; channelId: string }
  | { type: 'chat.ack'; ref?: string; channelId: string; id: string; nonce?: string; serverTs: number }
  | { type: 'chat.message'; message: ChatMessage }
  | { type: 'reaction.update'; ref?: string; channelId: string; messageId: string; reactions: ReactionsByName }
  | { type: 'voice.joined'; ref?: string; channelId: string; peerId: string; participants: readonly VoiceParticipant[]; media?: CallMedia }
  | { type: 'voice.left'; ref?: string; channelId: string }
  | { type: 'voice.members'; channelId: string; participants: readonly VoiceParticipant[] }
  | { type: 'rtc.signal'; from: string; fromUser: string; data: unknown }
  | { type: 'sfu.answer'; ref?: string; sdp: string }
  | { type: 'sfu.offer'; ref?: string; peerId: string; sdp: string; streams: readonly SfuStream[] }
  | { type: 'sfu.started'; ref?: string; peerId: string };

// ---- HTTP ---------------------------------------------------------------------------
// POST /api/login {username, password?}          → {token, username}
// GET  /api/waddles                               → {waddles: WaddleSummary[]}
// POST /api/uploads {channelId, name, bytes, sha256, contentType?} → {uploadId, chunkBytes, offset}
// GET  /api/uploads/:id                           → {uploadId, offset, bytes}   (resume point)
// PUT  /api/uploads/:id/chunks?offset=N  <bytes>  → {offset}
// POST /api/uploads/:id/complete                  → {attachment, messageId}
// GET  /api/attachments/:id                       → the file
// Errors: {error: HttpErrorCode, message} with a 4xx status (500 `internal` is a server bug).
// Open uploads are bounded: at most `maxOpenUploadsPerUser` per user (default 8; past it the
// create gets 429 too_many_uploads), and one with no chunk for `uploadIdleTimeoutMs` (default
// 5 minutes) expires: its file is removed and its id then answers 404 not_found.
export type HttpErrorCode =
  | 'bad_request' // a field is missing or wrong (the message names it), e.g. a contentType with CR/LF
  | 'bad_json'
  | 'unauthorized'
  | 'not_found'
  | 'not_member'
  | 'too_large' // 413: file over maxUploadBytes, chunk over chunkBytes or past the declared size
  | 'too_many_uploads' // 429: the user already has maxOpenUploadsPerUser uploads in progress
  | 'busy' // 409: another chunk of this upload is being written
  | 'offset_mismatch' // 409, with expectedOffset: resume from there
  | 'incomplete' // 409: complete before every byte arrived
  | 'hash_mismatch'; // 422: the bytes do not hash to the declared sha256; the upload is discarded

export interface LoginResponse {
  readonly token: string;
  readonly username: string;
}

export interface UploadCreated {
  readonly uploadId: string;
  readonly chunkBytes: number;
  readonly offset: number;
}

export interface UploadCompleted {
  readonly attachment: Attachment;
  readonly messageId: string;
}
