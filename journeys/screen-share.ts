// screenShare (seed #57): join a voice room, share the (fake) screen at 1080p15, hold, stop, leave.
import { roomsOf, connectAndJoin, hold, joinVoice, voiceChannelFor } from './common.ts';
import { defineJourney } from './define-journey.ts';

export type ScreenShareParams = {
  roomSize: number;
  /** voice channel index to join; -1 = grouped by user index (roomSize) */
  room: number;
  /** grouped rooms shared with other scenarios of the same roomGroup (e.g. 1 browser + 5 protocolMedia per room); '' = this journey and driver alone */
  roomGroup: string;
  holdMs: number;
};

export const screenShare = defineJourney<ScreenShareParams>({
  name: 'screenShare',
  description: 'share the screen in a voice room',
  requires: ['voice', 'screen'],
  defaults: { roomSize: 6, room: -1, roomGroup: '', holdMs: 90_000 },
  media: { screen: { width: 1920, height: 1080, fps: 15 } },
  // a sharer alone in its room is not a failure: nobody watches, nothing is waited for
  callRoom: (params) => ({ ...roomsOf(params), expectsPeers: false }),
  async run(ctx) {
    const waddle = await connectAndJoin(ctx);
    await joinVoice(ctx, voiceChannelFor(ctx, waddle, ctx.params));
    await ctx.step('start_screen_share', () => ctx.client.startScreenShare());
    await hold(ctx, ctx.params.holdMs);
    await ctx.step('stop_screen_share', () => ctx.client.stopScreenShare());
    await ctx.step('leave_voice', () => ctx.client.leaveVoice());
  },
});
