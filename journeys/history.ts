// What the history journeys (chatFlood, historyBrowsing) share: which long channel a user works
// on, and the driver's history methods, checked once (they are optional on WaddleClient and come
// with the 'history' capability).
import type { ChannelHistoryView, HistoryScroll, WaddleInfo } from '../clients/waddle-client.ts';
import type { JourneyContext } from './types.ts';

// Helpers accept any journey's context; params are not read here.
type AnyContext = JourneyContext<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The long channel of this user: the first `channels` text channels of the waddle hold the long
 * histories, and the journey's users take them in turn (user i: channel i % channels), so
 * seeders share the filling and readers spread over what was filled.
 */
export function longChannelFor(ctx: AnyContext, waddle: WaddleInfo, channels: number): string {
  const count = Math.floor(channels);
  if (!(count >= 1)) throw new Error(`${ctx.user.username}: params.channels must be 1 or more, got ${channels}`);
  if (waddle.textChannels.length < count) {
    throw new Error(`waddle '${waddle.name}' has ${waddle.textChannels.length} text channel(s) but params.channels asks for ${count}; lower channels or give the target more text channels`);
  }
  const index = ctx.user.indexInJourney ?? ctx.user.index;
  return waddle.textChannels[index % count]!.id;
}

export interface HistoryMethods {
  open(channelId: string): Promise<ChannelHistoryView>;
  scroll(pages: number): Promise<HistoryScroll>;
}

/** The client's history methods, or an error naming the driver that declared 'history' without them. */
export function historyMethods(ctx: AnyContext): HistoryMethods {
  const { client } = ctx;
  if (typeof client.openChannelHistory !== 'function' || typeof client.scrollHistory !== 'function') {
    throw new Error(`driver '${ctx.driver.name}' has no openChannelHistory/scrollHistory on its client; the history journeys need both (the 'history' capability)`);
  }
  return {
    open: (channelId) => client.openChannelHistory!(channelId),
    scroll: (pages) => client.scrollHistory!(pages),
  };
}
