// voiceCall (seed #57): connect, join the waddle, join a voice room, hear the others, talk for
// talkMs toggling mute by the user's voiceActivity, leave.
import { roomsOf, connectAndJoin, hold, joinVoice, voiceChannelFor, waitForRemote } from './common.ts';
import { defineJourney } from './define-journey.ts';
import type { JourneyContext } from './types.ts';

export type VoiceCallParams = {
  /** users per voice room: room = floor(user.index / roomSize) % voiceChannels.length */
  roomSize: number;
  /** voice channel index to join; -1 = grouped by user index (roomSize) */
  room: number;
  /** grouped rooms shared with other scenarios of the same roomGroup (e.g. 1 browser + 5 protocolMedia per room); '' = this journey and driver alone */
  roomGroup: string;
  talkMs: number;
  /**
   * How often the user decides again whether it speaks (mute toggles). Default 15 s: in the
   * reference web client a mute toggle is a click on the mute button (web/voice.ts sends
   * voice.state on a click, never on voice activity), and people who mute while others talk click
   * at turns of the conversation, not every few seconds. The old 2 s meant a click every ~4 s per
   * caller (measured: 7,874 set_muted from 600 callers in ~60 s).
   */
  speakSegmentMs: number;
  remoteMediaTimeoutMs: number;
};

/** Speak or stay silent per segment, with P(speak) = profile.voiceActivity; ends early on stop. */
export async function talk(ctx: JourneyContext<{ speakSegmentMs: number }>, talkMs: number): Promise<void> {
  const endMs = performance.now() + talkMs;
  let speaking = true; // joinVoice joins with the mic on
  while (!ctx.signal.aborted) {
    const remainingMs = endMs - performance.now();
    if (remainingMs <= 0) break;
    const wantsToSpeak = ctx.rng.next() < ctx.profile.voiceActivity;
    if (wantsToSpeak !== speaking) {
      speaking = wantsToSpeak;
      await ctx.step('set_muted', () => ctx.client.setMuted(!wantsToSpeak), { critical: false });
    }
    await hold(ctx, Math.min(ctx.params.speakSegmentMs, remainingMs));
  }
}

export const voiceCall = defineJourney<VoiceCallParams>({
  name: 'voiceCall',
  description: 'join a voice room and talk, toggling mute by the voice-activity profile',
  requires: ['voice'],
  defaults: { roomSize: 6, room: -1, roomGroup: '', talkMs: 180_000, speakSegmentMs: 15_000, remoteMediaTimeoutMs: 30_000 },
  callRoom: roomsOf,
  async run(ctx) {
    const waddle = await connectAndJoin(ctx);
    await joinVoice(ctx, voiceChannelFor(ctx, waddle, ctx.params));
    await waitForRemote(ctx, 'audio', ctx.params.remoteMediaTimeoutMs);
    await talk(ctx, ctx.params.talkMs);
    await ctx.step('leave_voice', () => ctx.client.leaveVoice());
  },
});
