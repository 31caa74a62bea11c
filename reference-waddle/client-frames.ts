// Reading what clients send: one JSON text frame is parsed and checked into a ClientFrame, its
// fields read as the right types, and the waddles and channels it names looked up. Anything
// wrong is a FrameError whose code and message go back to the client in an error frame.
import type { RawData } from 'ws';
import type { ClientFrame, ErrorCode } from './protocol.ts';
import type { Directory, TextChannel, Waddle } from './state.ts';

/** Frames above this are refused with an error frame (SDP offers need a few KiB). */
export const MAX_FRAME_BYTES = 64 * 1024;

const KNOWN_TYPES = new Set<string>([
  'ping', 'waddle.list', 'waddle.join', 'waddle.leave', 'channel.open', 'channel.close', 'channel.history', 'chat.send',
  'reaction.add', 'reaction.remove', 'voice.join', 'voice.leave', 'voice.state', 'rtc.signal',
  'sfu.publish', 'sfu.subscribe', 'sfu.start',
]);

/** A refusal the client caused: sent back as an error frame, never logged as a server fault. */
export class FrameError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The frame, or why it was refused; `ref` (a string of at most 64 chars) is known either way. */
export type ParsedFrame = { readonly frame: ClientFrame; readonly ref?: string } | { readonly error: FrameError; readonly ref?: string };

export function parseClientFrame(data: RawData, isBinary: boolean): ParsedFrame {
  const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer | ArrayBuffer).byteLength;
  if (isBinary) return { error: new FrameError('bad_frame', 'binary frames are not supported: send JSON text frames') };
  if (size > MAX_FRAME_BYTES) return { error: new FrameError('too_large', `frame of ${size} bytes is over the ${MAX_FRAME_BYTES}-byte limit`) };
  let frame: unknown;
  try {
    frame = JSON.parse(String(data));
  } catch {
    return { error: new FrameError('bad_json', 'frame is not valid JSON: send one JSON object per text frame') };
  }
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) return { error: new FrameError('bad_frame', 'frame must be a JSON object with a "type"') };
  const maybeRef = (frame as { ref?: unknown }).ref;
  const withRef = typeof maybeRef === 'string' && maybeRef.length <= 64 ? { ref: maybeRef } : {};
  const type = (frame as { type?: unknown }).type;
  if (typeof type !== 'string' || !KNOWN_TYPES.has(type)) {
    return { error: new FrameError('unknown_type', `unknown frame type ${JSON.stringify(type)}; known: ${[...KNOWN_TYPES].join(', ')}`), ...withRef };
  }
  return { frame: frame as ClientFrame, ...withRef };
}

/** A string field of a frame, or bad_frame naming it. */
export function str(frame: object, key: string): string {
  const value = (frame as Record<string, unknown>)[key];
  if (typeof value !== 'string') throw new FrameError('bad_frame', `${(frame as { type: string }).type}: "${key}" must be a string`);
  return value;
}

/** Something that has joined waddles: a connection. */
export interface WaddleMember {
  readonly waddles: ReadonlySet<Waddle>;
}

/** Looks up what frames name, refusing with not_found / not_member. */
export class FrameTargets {
  constructor(private readonly directory: Directory) {}

  waddle(id: string): Waddle {
    const waddle = this.directory.waddles.get(id);
    if (!waddle) throw new FrameError('not_found', `no waddle ${JSON.stringify(id)}; list them with waddle.list`);
    return waddle;
  }

  textChannel(id: string): TextChannel {
    const channel = this.directory.textChannels.get(id);
    if (!channel) throw new FrameError('not_found', `no text channel ${JSON.stringify(id)}`);
    return channel;
  }

  /** A text channel of a waddle this connection has joined. */
  memberChannel(conn: WaddleMember, id: string): TextChannel {
    const channel = this.textChannel(id);
    if (!conn.waddles.has(channel.waddle)) throw new FrameError('not_member', `channel ${id} belongs to waddle ${channel.waddle.id}, which this connection has not joined (send waddle.join first)`);
    return channel;
  }
}
