// SFU mode: a call's media goes through Janus's VideoRoom instead of browser to browser. The
// Waddle server is Janus's only client: pages send Waddle frames (sfu.publish / sfu.subscribe /
// sfu.start) over their own WebSocket, and the server turns them into VideoRoom requests on one
// Janus session, so pages never reach Janus's port (the fleet's host guard allows only the
// target's host:port) and only members of a call can publish or subscribe in its room.
// A room per voice channel, created through the API on the first publish.
import { FrameError } from '../client-frames.ts';
import type { SfuStream } from '../protocol.ts';
import type { VoiceRooms } from '../voice-rooms.ts';
import { jsepOf, pluginData, type JanusMessage } from './janus-client.ts';
import type { JanusProcess } from './janus-process.ts';
import { handleTotals } from './sfu-metrics.ts';

const KINDS = ['audio', 'video', 'screen'] as const;

interface Publisher {
  readonly peerId: string;
  readonly handleId: number;
  readonly feedId: number;
  readonly channelId: string;
}

/** Live counts for /metrics (what the Waddle server asked of Janus). */
export interface SfuCounts {
  rooms: number;
  publishers: number;
  subscribers: number;
  webrtcUp: number;
  janusErrors: number;
  /** RTP packets Janus sent on subscriptions that have ended (read from the admin API just before each detach) */
  forwardedPackets: number;
}

export class SfuCalls {
  private readonly roomIds = new Map<string, Promise<number>>();
  private readonly publishers = new Map<string, Publisher>();
  private readonly publisherByHandle = new Map<number, Publisher>();
  /** subscriber peer id → publisher peer id → handle */
  private readonly subscriptions = new Map<string, Map<string, number>>();
  /** handles whose PeerConnection is up (webrtcup, until hangup or detach) */
  private readonly upHandles = new Set<number>();
  private nextRoomId = 1;
  private nextFeedId = 1;
  readonly counts: SfuCounts = { rooms: 0, publishers: 0, subscribers: 0, webrtcUp: 0, janusErrors: 0, forwardedPackets: 0 };
  /** subscription handle → the subscriber's username, for forwardedTo */
  private readonly subscriberOf = new Map<number, string>();
  /**
   * What Janus says it forwarded to each user (by username), over the subscriptions that ended:
   * its own counters (handle_info), read just before the handle is detached. Tests hold the
   * users' received packets against it; per user, so never a /metrics line (cardinality).
   */
  readonly forwardedTo = new Map<string, number>();

  constructor(
    readonly janus: JanusProcess,
    private readonly rooms: VoiceRooms,
    private readonly maxParticipants: number,
    /** the member list changed (a participant's media reached the SFU): push it to the room */
    private readonly onPublished: (channelId: string) => void,
  ) {}

  /** Publishes a member's offer into its channel's room; resolves with Janus's answer. */
  async publish(peerId: string, sdp: string): Promise<string> {
    const channelId = this.channelOf(peerId, 'sfu.publish');
    if (this.publishers.has(peerId)) throw new FrameError('bad_frame', 'sfu.publish: you already publish in this call; leave and join again to publish afresh');
    const room = await this.room(channelId);
    const handleId = await this.attach();
    // the member may have left (or republished) while the room and handle were being made
    if (this.rooms.channelOf(peerId) !== channelId || this.publishers.has(peerId)) {
      this.detach(handleId);
      throw new FrameError('not_in_voice', 'sfu.publish: you left the call (or published again) while publishing');
    }
    const feedId = this.nextFeedId++;
    const publisher: Publisher = { peerId, handleId, feedId, channelId };
    this.publishers.set(peerId, publisher);
    this.publisherByHandle.set(handleId, publisher);
    this.counts.publishers += 1;
    try {
      const answer = await this.message(handleId, { request: 'joinandconfigure', ptype: 'publisher', room, id: feedId, display: peerId, audio: true, video: true }, { type: 'offer', sdp });
      const jsep = jsepOf(answer);
      if (!jsep) throw new FrameError('sfu_failed', 'sfu.publish: Janus answered without an SDP answer');
      if (this.publishers.get(peerId) !== publisher) throw new FrameError('not_in_voice', 'sfu.publish: you left the call while publishing');
      // the room hears "published" when Janus says the PeerConnection is up (onEvent): before
      // that, Janus refuses subscribers to the feed (error 428, measured)
      return jsep.sdp;
    } catch (error) {
      this.unpublish(peerId, publisher);
      throw error;
    }
  }

  /** Subscribes a member to a published member of its call; resolves with Janus's offer. */
  async subscribe(peerId: string, feedPeerId: string): Promise<{ sdp: string; streams: SfuStream[] }> {
    const channelId = this.channelOf(peerId, 'sfu.subscribe');
    const feed = this.publishers.get(feedPeerId);
    if (!feed || feed.channelId !== channelId) throw new FrameError('not_in_voice', `sfu.subscribe: ${feedPeerId} does not publish in your call (wait for published: true in voice.members)`);
    const room = await this.room(channelId);
    const handleId = await this.attach();
    if (this.rooms.channelOf(peerId) !== channelId || this.publishers.get(feedPeerId) !== feed) {
      this.detach(handleId);
      throw new FrameError('not_in_voice', `sfu.subscribe: you or ${feedPeerId} left the call while subscribing`);
    }
    this.dropSubscription(peerId, feedPeerId); // a second subscribe to the same feed replaces the first
    let mine = this.subscriptions.get(peerId);
    if (!mine) this.subscriptions.set(peerId, (mine = new Map()));
    mine.set(feedPeerId, handleId);
    this.subscriberOf.set(handleId, this.rooms.member(peerId)?.state.username ?? peerId);
    this.counts.subscribers += 1;
    try {
      const attached = await this.message(handleId, { request: 'join', ptype: 'subscriber', room, streams: [{ feed: feed.feedId }] });
      const jsep = jsepOf(attached);
      if (!jsep) throw new FrameError('sfu_failed', 'sfu.subscribe: Janus attached without an SDP offer');
      const streams = ((pluginData(attached)['streams'] ?? []) as { mid?: string; feed_mid?: string; mindex?: number; type?: string }[])
        .filter((s) => s.mid !== undefined && s.type !== 'data')
        .map((s, i) => ({ mid: String(s.mid), kind: KINDS[Number(s.feed_mid ?? i)] ?? (s.type === 'audio' ? 'audio' : 'video') }));
      return { sdp: jsep.sdp, streams };
    } catch (error) {
      if (this.subscriptions.get(peerId)?.get(feedPeerId) === handleId) this.dropSubscription(peerId, feedPeerId);
      throw error;
    }
  }

  /** The subscriber's answer to sfu.subscribe's offer: media starts flowing. */
  async start(peerId: string, feedPeerId: string, sdp: string): Promise<void> {
    const handleId = this.subscriptions.get(peerId)?.get(feedPeerId);
    if (handleId === undefined) throw new FrameError('not_in_voice', `sfu.start: no subscription of yours to ${feedPeerId} (send sfu.subscribe first)`);
    await this.message(handleId, { request: 'start' }, { type: 'answer', sdp });
  }

  /** The member left the call (or disconnected): its publisher and subscriptions go, and others' subscriptions to it. */
  leave(peerId: string): void {
    const publisher = this.publishers.get(peerId);
    if (publisher) this.unpublish(peerId, publisher);
    for (const feedPeerId of [...(this.subscriptions.get(peerId)?.keys() ?? [])]) this.dropSubscription(peerId, feedPeerId);
    for (const [subscriber, feeds] of this.subscriptions) if (feeds.has(peerId)) this.dropSubscription(subscriber, peerId);
  }

  private unpublish(peerId: string, publisher: Publisher): void {
    if (this.publishers.get(peerId) !== publisher) return;
    this.publishers.delete(peerId);
    this.publisherByHandle.delete(publisher.handleId);
    this.counts.publishers -= 1;
    this.detach(publisher.handleId);
  }

  private dropSubscription(peerId: string, feedPeerId: string): void {
    const mine = this.subscriptions.get(peerId);
    const handleId = mine?.get(feedPeerId);
    if (handleId === undefined || !mine) return;
    mine.delete(feedPeerId);
    if (mine.size === 0) this.subscriptions.delete(peerId);
    this.counts.subscribers -= 1;
    this.detachCounted(handleId);
  }

  /** A subscription ends: what Janus forwarded on it is read (one admin request), then it is detached. */
  private detachCounted(handleId: number): void {
    const username = this.subscriberOf.get(handleId);
    this.subscriberOf.delete(handleId);
    if (username === undefined) return this.detach(handleId);
    const { admin, adminSecret, sessionId } = this.janus;
    admin
      .request({ janus: 'handle_info', session_id: sessionId, handle_id: handleId, admin_secret: adminSecret }, { timeoutMs: 2000 })
      .then((info) => {
        const packets = handleTotals(info['info']).packetsOut;
        this.forwardedTo.set(username, (this.forwardedTo.get(username) ?? 0) + packets);
        this.counts.forwardedPackets += packets;
      })
      .catch(() => {}) // Janus stopping: the count is lost, the detach still goes out
      .finally(() => this.detach(handleId));
  }

  private channelOf(peerId: string, what: string): string {
    const channelId = this.rooms.channelOf(peerId);
    if (channelId === undefined) throw new FrameError('not_in_voice', `${what}: join a voice channel first (voice.join)`);
    return channelId;
  }

  /** The channel's VideoRoom id, creating the room on first use. */
  private room(channelId: string): Promise<number> {
    let room = this.roomIds.get(channelId);
    if (!room) {
      const id = this.nextRoomId++;
      room = (async () => {
        const handleId = await this.attach();
        try {
          await this.janus.api.request({ janus: 'message', session_id: this.janus.sessionId, handle_id: handleId, body: { request: 'create', room: id, admin_key: this.janus.roomAdminKey, description: channelId, publishers: this.maxParticipants, is_private: true, audiocodec: 'opus', videocodec: 'vp8', notify_joining: false } });
          this.counts.rooms += 1;
          return id;
        } finally {
          this.detach(handleId);
        }
      })();
      this.roomIds.set(channelId, room);
      room.catch(() => this.roomIds.delete(channelId));
    }
    return room;
  }

  private async attach(): Promise<number> {
    const answer = await this.call({ janus: 'attach', session_id: this.janus.sessionId, plugin: 'janus.plugin.videoroom' }, false);
    const handleId = (answer['data'] as { id: number }).id;
    this.janus.api.onHandle(handleId, (event) => this.onEvent(event));
    return handleId;
  }

  private detach(handleId: number): void {
    this.upHandles.delete(handleId);
    this.counts.webrtcUp = this.upHandles.size;
    this.janus.api.onHandle(handleId, undefined);
    this.janus.api.send({ janus: 'detach', session_id: this.janus.sessionId, handle_id: handleId });
  }

  private message(handleId: number, body: Record<string, unknown>, jsep?: { type: string; sdp: string }): Promise<JanusMessage> {
    return this.call({ janus: 'message', session_id: this.janus.sessionId, handle_id: handleId, body, ...(jsep ? { jsep } : {}) }, true);
  }

  private async call(request: Record<string, unknown>, waitEvent: boolean): Promise<JanusMessage> {
    try {
      return await this.janus.api.request(request, { waitEvent });
    } catch (error) {
      this.counts.janusErrors += 1;
      throw new FrameError('sfu_failed', `the media server refused or failed: ${(error as Error).message}`);
    }
  }

  private onEvent(event: JanusMessage): void {
    if (typeof event.sender !== 'number') return;
    if (event.janus === 'webrtcup') this.upHandles.add(event.sender);
    else if (event.janus === 'hangup') this.upHandles.delete(event.sender);
    this.counts.webrtcUp = this.upHandles.size;
    const publisher = this.publisherByHandle.get(event.sender);
    if (publisher && event.janus === 'webrtcup' && this.publishers.get(publisher.peerId) === publisher) {
      const member = this.rooms.member(publisher.peerId);
      if (member) member.state = { ...member.state, published: true };
      this.onPublished(publisher.channelId);
    }
  }
}
