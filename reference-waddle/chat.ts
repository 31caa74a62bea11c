// Chat in text channels: chat.send (ack to the sender, chat.message to the channel's other
// subscribers), reactions, and messages posted for a user (uploads). Each message is serialised
// once whatever the fan-out, and the work per message is bounded by the channel's subscribers.
import { FrameError, str, type FrameTargets } from './client-frames.ts';
import type { ResolvedOptions } from './options.ts';
import type { ChatMessage, ClientFrame, ServerFrame } from './protocol.ts';
import { MAX_REACTION_NAMES, MessageReactions } from './reactions.ts';
import type { ServerMetrics } from './server-metrics.ts';
import type { Directory, Subscriber, TextChannel } from './state.ts';
import type { Connection } from './ws-connection.ts';

type ChatSend = Extract<ClientFrame, { type: 'chat.send' }>;
type ReactionFrame = Extract<ClientFrame, { type: 'reaction.add' | 'reaction.remove' }>;

export class Chat {
  constructor(
    private readonly options: ResolvedOptions,
    private readonly directory: Directory,
    private readonly targets: FrameTargets,
    private readonly metrics: ServerMetrics,
  ) {}

  send(conn: Connection, frame: ChatSend): void {
    const channel = this.targets.memberChannel(conn, str(frame, 'channelId'));
    const text = this.checkedText(conn, frame);
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

  /** The text of a chat.send, once its fields and the connection's rate allow it. */
  private checkedText(conn: Connection, frame: ChatSend): string {
    const text = str(frame, 'text');
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > this.options.maxMessageBytes) throw new FrameError('too_large', `chat.send: text of ${bytes} bytes is over the ${this.options.maxMessageBytes}-byte limit; split it`);
    if (text.trim() === '') throw new FrameError('bad_frame', 'chat.send: "text" must not be empty');
    if (frame.nonce !== undefined && (typeof frame.nonce !== 'string' || frame.nonce.length > 64)) throw new FrameError('bad_frame', 'chat.send: "nonce" must be a string of at most 64 chars');
    if (frame.sentAtMs !== undefined && (typeof frame.sentAtMs !== 'number' || !Number.isFinite(frame.sentAtMs))) throw new FrameError('bad_frame', 'chat.send: "sentAtMs" must be a finite number (epoch ms)');
    if (!conn.takeChatToken()) throw new FrameError('rate_limited', `chat.send: over ${this.options.chatRatePerSec} messages/s (burst ${this.options.chatBurst}) on this connection; slow down`);
    return text;
  }

  /** Post a message on behalf of a user (uploads). */
  post(channel: TextChannel, message: ChatMessage): void {
    channel.add(message);
    this.metrics.chatMessages += 1;
    this.fanOut(channel, { type: 'chat.message', message });
  }

  react(conn: Connection, frame: ReactionFrame): void {
    const channel = this.targets.memberChannel(conn, str(frame, 'channelId'));
    const emoji = str(frame, 'emoji');
    if (emoji.length === 0 || emoji.length > 16) throw new FrameError('bad_frame', `${frame.type}: "emoji" must be 1 to 16 characters`);
    const stored = channel.get(str(frame, 'messageId'));
    if (!stored) throw new FrameError('not_found', `${frame.type}: message ${frame.messageId} is not in ${channel.id} (or is older than the last ${this.options.historyLimit})`);
    if (frame.type === 'reaction.remove') stored.reactions?.remove(emoji, conn.username);
    else if (!(stored.reactions ??= new MessageReactions()).add(emoji, conn.username)) throw new FrameError('too_large', `${frame.type}: at most ${MAX_REACTION_NAMES} different reactions per message`);
    channel.reactionsChanged(stored);
    const update: ServerFrame = { type: 'reaction.update', channelId: channel.id, messageId: stored.wire.id, reactions: stored.wire.reactions };
    // the sender gets it with its ref (as the answer), the others without
    conn.send({ ...update, ...(frame.ref !== undefined ? { ref: frame.ref } : {}) });
    this.fanOut(channel, update, conn);
  }

  private fanOut(channel: TextChannel, frame: ServerFrame, except?: Subscriber): void {
    const data = JSON.stringify(frame); // serialise once, whatever the fan-out
    for (const sub of channel.subscribers) if (sub !== except) sub.sendRaw(data);
  }
}
