// chatMessaging (seed #57): open a text channel, send `count` messages every `intervalMs` while
// measuring delivery of everyone else's, then keep receiving for `receiveMs`; what arrives while
// the user thinks between iterations counts too (it is connected and its app shows it).
import { openChannelOnce, connectAndJoin, countReceipts, hold, randomText, sendChat, textChannelFor } from './common.ts';
import { defineJourney } from './define-journey.ts';

export type ChatMessagingParams = {
  count: number;
  intervalMs: number;
  sizeRange: { min: number; max: number };
  /** keep receiving after the last send (seed: ReceiveMessagesAction) */
  receiveMs: number;
  /** users per text channel, grouped by their index among this journey's users; 0 = all in the first channel */
  channelSize: number;
};

export const chatMessaging = defineJourney<ChatMessagingParams>({
  name: 'chatMessaging',
  description: 'send and receive chat messages, measuring ack and delivery latency',
  requires: ['chat'],
  defaults: { count: 100, intervalMs: 2_000, sizeRange: { min: 10, max: 200 }, receiveMs: 30_000, channelSize: 0 },
  async run(ctx) {
    const { count, intervalMs, sizeRange, receiveMs, channelSize } = ctx.params;
    const waddle = await connectAndJoin(ctx);
    const channel = textChannelFor(ctx, waddle, channelSize);
    await openChannelOnce(ctx, channel);
    countReceipts(ctx); // for the whole session: messages that arrive during think time count too
    for (let sent = 0; sent < count && !ctx.signal.aborted; sent++) {
      await sendChat(ctx, randomText(ctx.rng, sizeRange.min, sizeRange.max));
      if (sent < count - 1) await hold(ctx, intervalMs);
    }
    await hold(ctx, receiveMs);
  },
});
