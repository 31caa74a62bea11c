// chatFlood (the volume test's seeding): fill a channel's history fast. Each seeder sends as fast
// as the server's per-connection chat rate allows (`ratePerSec`, paced on a fixed schedule so it
// never exceeds the token bucket) until the channel holds `fillTo` messages, re-reading the
// channel's total every second of sending, so any number of seeders share the filling and stop
// within a second of it being full. Then it idles (`holdMs`, ends at once when stopped).
// A total that stops growing while we send means the target keeps fewer messages than fillTo:
// that fails with how to raise its limit, rather than sending forever.
import { sleepUntil } from '../common/async.ts';
import { connectAndJoin, hold, randomText, required, sendChat } from './common.ts';
import { defineJourney } from './define-journey.ts';
import { historyMethods, longChannelFor } from './history.ts';

export type ChatFloodParams = {
  /** messages the channel should hold; seeders stop once it does */
  fillTo: number;
  /** messages per second per seeder: the server's per-connection chat rate (reference Waddle: 20) */
  ratePerSec: number;
  /** the first `channels` text channels are filled; seeder i fills channel i % channels */
  channels: number;
  sizeRange: { min: number; max: number };
  /** idle after the channel is full, so a seeder does not re-check in a loop */
  holdMs: number;
};

export const chatFlood = defineJourney<ChatFloodParams>({
  name: 'chatFlood',
  description: "fill a channel's history to fillTo messages at the server's chat rate (volume test seeding)",
  requires: ['chat', 'history'],
  defaults: { fillTo: 100_000, ratePerSec: 20, channels: 1, sizeRange: { min: 20, max: 200 }, holdMs: 60_000 },
  async run(ctx) {
    const { fillTo, ratePerSec, sizeRange, holdMs } = ctx.params;
    if (!(ratePerSec > 0)) throw new Error(`chatFlood: params.ratePerSec must be above 0, got ${ratePerSec}`);
    const history = historyMethods(ctx);
    const channel = longChannelFor(ctx, await connectAndJoin(ctx), ctx.params.channels);
    const total = async (): Promise<number> => {
      const view = required(await ctx.step('check_history', () => history.open(channel)), 'openChannelHistory');
      if (view.total === undefined) throw new Error(`chatFlood: driver '${ctx.driver.name}' does not report how many messages ${channel} holds (ChannelHistoryView.total), so fillTo cannot be reached`);
      return view.total;
    };
    let held = await total();
    const batch = Math.max(1, Math.round(ratePerSec)); // re-read the total every second of sending
    const startedMs = performance.now();
    let sent = 0;
    while (held < fillTo && !ctx.signal.aborted) {
      const sentBefore = sent;
      for (let i = 0; i < batch && held + i < fillTo && !ctx.signal.aborted; i++) {
        await sleepUntil(startedMs + (sent * 1000) / ratePerSec, ctx.signal); // never ahead of the rate
        if (ctx.signal.aborted) break;
        await sendChat(ctx, randomText(ctx.rng, sizeRange.min, sizeRange.max));
        sent += 1;
      }
      if (sent === sentBefore) break; // stopped before sending any
      const before = held;
      held = await total();
      if (held <= before && held < fillTo) {
        throw new Error(`chatFlood: ${channel} stays at ${held} messages while more are sent: the target keeps at most ${held} per channel, below fillTo ${fillTo}; start it with a history limit of ${fillTo} or more (reference Waddle: --history-limit ${fillTo})`);
      }
    }
    ctx.metrics.record('chat.history_messages', held);
    await hold(ctx, holdMs);
  },
});
