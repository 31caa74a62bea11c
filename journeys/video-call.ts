// videoCall (seed #57): join a voice room, turn the camera on, see remote video, hold, camera off, leave.
import { roomsOf, connectAndJoin, hold, joinVoice, voiceChannelFor, waitForRemote } from './common.ts';
import { defineJourney } from './define-journey.ts';

export type VideoCallParams = {
  roomSize: number;
  /** voice channel index to join; -1 = grouped by user index (roomSize) */
  room: number;
  /** grouped rooms shared with other scenarios of the same roomGroup (e.g. 1 browser + 5 protocolMedia per room); '' = this journey and driver alone */
  roomGroup: string;
  holdMs: number;
  remoteMediaTimeoutMs: number;
};

export const videoCall = defineJourney<VideoCallParams>({
  name: 'videoCall',
  description: 'a voice room with the camera on (720p30 by default)',
  requires: ['voice', 'video'],
  defaults: { roomSize: 6, room: -1, roomGroup: '', holdMs: 120_000, remoteMediaTimeoutMs: 30_000 },
  media: { camera: { width: 1280, height: 720, fps: 30 } },
  callRoom: roomsOf,
  async run(ctx) {
    const waddle = await connectAndJoin(ctx);
    await joinVoice(ctx, voiceChannelFor(ctx, waddle, ctx.params));
    await ctx.step('enable_video', () => ctx.client.enableVideo());
    await waitForRemote(ctx, 'video', ctx.params.remoteMediaTimeoutMs);
    await hold(ctx, ctx.params.holdMs);
    await ctx.step('disable_video', () => ctx.client.disableVideo());
    await ctx.step('leave_voice', () => ctx.client.leaveVoice());
  },
});
