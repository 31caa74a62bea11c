// In-memory state: sessions, waddles, channels and their bounded history (channel-history.ts).
// Every structure is keyed so that per-message work is O(channel subscribers), never
// O(all connections): the target must later hold 10k sockets and 100k messages/minute.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ChatMessage, ChannelRef, WaddleSummary } from './protocol.ts';
import { ChannelHistory, NO_REACTIONS, type StoredMessage } from './channel-history.ts';

export interface Session {
  readonly token: string;
  readonly username: string;
}

/** A user's sessions kept at most (tabs and re-logins); a new login past it ends the oldest, so
 * memory follows the number of users, not the number of logins over a long soak. */
export const SESSIONS_PER_USER = 16;

/** Users log in with a name; a password, when first given, is then required for that name. */
export class Accounts {
  private readonly passwordHashes = new Map<string, Buffer>();
  private readonly sessions = new Map<string, Session>();
  private readonly tokensByUser = new Map<string, string[]>();

  login(username: string, password?: string): Session | { error: string } {
    const existing = this.passwordHashes.get(username);
    const given = password === undefined || password === '' ? undefined : hashPassword(username, password);
    if (existing && (!given || !timingSafeEqual(existing, given))) return { error: 'wrong password for this username' };
    if (!existing && given) this.passwordHashes.set(username, given);
    const session = { token: randomBytes(24).toString('base64url'), username };
    this.sessions.set(session.token, session);
    let tokens = this.tokensByUser.get(username);
    if (!tokens) this.tokensByUser.set(username, (tokens = []));
    tokens.push(session.token);
    if (tokens.length > SESSIONS_PER_USER) this.sessions.delete(tokens.shift()!);
    return session;
  }

  byToken(token: string | undefined): Session | undefined {
    return token ? this.sessions.get(token) : undefined;
  }
}

function hashPassword(username: string, password: string): Buffer {
  return createHash('sha256').update(`waddle:${username}:${password}`).digest();
}

export class TextChannel {
  /** the latest historyLimit messages, read in pages (channel-history.ts) */
  readonly history: ChannelHistory;
  /** connections that opened this channel: the fan-out set */
  readonly subscribers = new Set<Subscriber>();

  constructor(
    readonly id: string,
    readonly name: string,
    readonly waddle: Waddle,
    historyLimit: number,
  ) {
    this.history = new ChannelHistory(historyLimit);
  }

  add(message: ChatMessage): void {
    this.history.add(message);
  }

  get(messageId: string): StoredMessage | undefined {
    return this.history.get(messageId);
  }

  /** Call after changing a stored message's reactions: history then carries them. */
  reactionsChanged(stored: StoredMessage): void {
    stored.wire = { ...stored.wire, reactions: stored.reactions?.toWire() ?? NO_REACTIONS };
  }
}

/** Anything that can receive frames (a WebSocket connection). */
export interface Subscriber {
  readonly peerId: string;
  readonly username: string;
  sendRaw(data: string): void;
}

export class Waddle {
  readonly textChannels: TextChannel[] = [];
  readonly voiceChannels: ChannelRef[] = [];
  /** username → connections of that user that joined this waddle (presence), in the order they
   * arrived (a Map keeps insertion order) */
  readonly online = new Map<string, Set<Subscriber>>();

  constructor(
    readonly id: string,
    readonly name: string,
  ) {}

  /** the last `limit` members to come online, most recent first */
  recentlyOnline(limit: number): string[] {
    const names = [...this.online.keys()];
    return names.slice(Math.max(0, names.length - limit)).reverse();
  }

  private cachedSummary: WaddleSummary | undefined;

  /** channels never change after start, so the summary is built once */
  summary(): WaddleSummary {
    return (this.cachedSummary ??= {
      id: this.id,
      name: this.name,
      textChannels: this.textChannels.map((c) => ({ id: c.id, name: c.name })),
      voiceChannels: this.voiceChannels,
    });
  }
}

export class Directory {
  readonly waddles = new Map<string, Waddle>();
  readonly textChannels = new Map<string, TextChannel>();
  /** voice channel id → its waddle */
  readonly voiceChannels = new Map<string, Waddle>();
  private messageCounter = 0;

  constructor(
    private readonly historyLimit: number,
    voiceChannelCount: number,
    textChannelCount = 3,
  ) {
    // many channels let a protocol-level load test spread 10k users so fan-out stays realistic
    const textNames = ['general', 'random', 'load-test'].slice(0, textChannelCount);
    for (let i = textNames.length + 1; i <= textChannelCount; i++) textNames.push(`chat-${i}`);
    this.addWaddle('hq', 'Waddle HQ', textNames, voiceChannelCount);
    this.addWaddle('sandbox', 'Sandbox', ['chat'], 2);
  }

  addWaddle(id: string, name: string, textNames: readonly string[], voiceCount: number): Waddle {
    const waddle = new Waddle(id, name);
    for (const textName of textNames) {
      const channel = new TextChannel(`${id}-${textName}`, textName, waddle, this.historyLimit);
      waddle.textChannels.push(channel);
      this.textChannels.set(channel.id, channel);
    }
    for (let i = 1; i <= voiceCount; i++) {
      const ref = { id: `${id}-voice-${i}`, name: `Voice ${i}` };
      waddle.voiceChannels.push(ref);
      this.voiceChannels.set(ref.id, waddle);
    }
    this.waddles.set(id, waddle);
    return waddle;
  }

  nextMessageId(): string {
    this.messageCounter += 1;
    return `m${this.messageCounter.toString(36)}`;
  }
}
