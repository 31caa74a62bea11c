// mixedUsage (seed #57): voice, chat and reactions at once; camera on when the profile says so
// (p = 0.7); stay `waitMs`, leave.
import { roomsOf, textChannelFor, openChannelOnce, connectAndJoin, hold, joinVoice, randomText, recordReceived, sendChat, voiceChannelFor, waitForRemote } from './common.ts';
import { defineJourney } from './define-journey.ts';

export type MixedUsageParams = {
  roomSize: number;
  /** voice channel index to join; -1 = grouped by user index (roomSize) */
  room: number;
  /** grouped rooms shared with other scenarios of the same roomGroup (e.g. 1 browser + 5 protocolMedia per room); '' = this journey and driver alone */
  roomGroup: string;
  messageCount: number;
  messageIntervalMs: number;
  sizeRange: { min: number; max: number };
  /** chance to react to each message from someone else */
  reactProbability: number;
  reactionEmoji: string;
  waitMs: number;
  remoteMediaTimeoutMs: number;
  /** users per text channel, grouped by their index among this journey's users; 0 = all in the first channel */
  channelSize: number;
};

export const mixedUsage = defineJourney<MixedUsageParams>({
  name: 'mixedUsage',
  description: 'voice + chat + reactions in parallel, video by profile',
  requires: ['chat', 'reactions', 'voice', 'video'],
  defaults: {
    roomSize: 6, room: -1, roomGroup: '',
    messageCount: 50,
    messageIntervalMs: 5_000,
    sizeRange: { min: 10, max: 200 },
    reactProbability: 0.3,
    reactionEmoji: '👍',
    waitMs: 60_000,
    remoteMediaTimeoutMs: 30_000,
    channelSize: 0,
  },
  media: { camera: { width: 1280, height: 720, fps: 30 } },
  callRoom: roomsOf,
  async run(ctx) {
    const p = ctx.params;
    const waddle = await connectAndJoin(ctx);
    const channel = textChannelFor(ctx, waddle, p.channelSize);
    await openChannelOnce(ctx, channel);
    const reactions = new Set<Promise<void>>();
    const unsubscribe = ctx.client.onMessage((message) => {
      if (!recordReceived(ctx, message) || ctx.signal.aborted || ctx.rng.next() >= p.reactProbability) return;
      const reaction = (async () => {
        await ctx.think(); // a human reads before reacting (profile.reactionTimeMs)
        if (ctx.signal.aborted) return;
        const done = await ctx.step('react', async () => {
          await ctx.client.react(message.id, p.reactionEmoji);
          return true;
        }, { critical: false });
        if (done) ctx.metrics.record('reactions.sent', 1);
      })().catch(() => {}); // an aborted reaction is accounted by the step; never an unhandled rejection
      reactions.add(reaction);
      void reaction.finally(() => reactions.delete(reaction));
    });
    try {
      const voice = async (): Promise<void> => {
        await joinVoice(ctx, voiceChannelFor(ctx, waddle, p));
        await waitForRemote(ctx, 'audio', p.remoteMediaTimeoutMs);
      };
      const chat = async (): Promise<void> => {
        for (let sent = 0; sent < p.messageCount && !ctx.signal.aborted; sent++) {
          await sendChat(ctx, randomText(ctx.rng, p.sizeRange.min, p.sizeRange.max));
          if (sent < p.messageCount - 1) await hold(ctx, p.messageIntervalMs);
        }
      };
      // both branches settle before the iteration ends: with Promise.all a stop that ended the
      // voice wait left the iteration while a send was still typing, and the page released under
      // it failed that send (a false step error in a CI run: "Target page ... has been closed")
      const settled = await Promise.allSettled([voice(), chat()]);
      for (const s of settled) if (s.status === 'rejected') throw s.reason;
      if (ctx.profile.videoEnabled) {
        await ctx.step('enable_video', () => ctx.client.enableVideo(), { critical: false });
      }
      await hold(ctx, p.waitMs);
      await Promise.all(reactions);
      await ctx.step('leave_voice', () => ctx.client.leaveVoice());
    } finally {
      unsubscribe();
    }
  },
});
