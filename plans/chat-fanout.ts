// Chat fan-out: every message goes to every other member of its text channel, so the work of the
// target (sending) and of the generator (receiving) grows with users per channel × send rate ×
// members, not with users alone. 1,000 protocol chatters and 2 browsers in one channel (the
// chatMessaging default, channelSize 0) were estimated at 0.2 cores and made ~1.1 million
// deliveries in 90 s; the target stopped answering. The dry run prices it and warns.
import { mergeParams } from '../journeys/params.ts';
import type { PlanCatalog } from './catalog.ts';
import type { ResolvedPlan } from './resolve.ts';

/** One channel with this many chatters or more is warned about. */
export const crowdedChannelChatters = 200;

/** How the shipped chat journeys pace their sends: the param holding ms between two messages. */
const intervalParam: Readonly<Record<string, string>> = { chatMessaging: 'intervalMs', mixedUsage: 'messageIntervalMs' };

export interface ChatFanOut {
  /** messages sent per second at the busiest phase, all channels */
  readonly sendsPerSec: number;
  /** messages delivered to other members per second at that phase */
  readonly deliveriesPerSec: number;
  /** chatters in the most crowded channel, and which scenarios put them there */
  readonly largestChannel: number;
  readonly largestBy: readonly string[];
}

/** The busiest phase's fan-out (all shards: the target sees the whole plan); undefined without chat. */
export function chatFanOut(plan: ResolvedPlan, catalog: PlanCatalog): ChatFanOut | undefined {
  let busiest: ChatFanOut | undefined;
  for (const phase of plan.phases) {
    // channel index → chatters and their summed send rate (channelSize 0: all in the first channel, as textChannelFor does)
    const channels = new Map<number, { members: number; rate: number; by: Set<string> }>();
    for (const s of phase.scenarios) {
      const param = intervalParam[s.journey];
      if (param === undefined || s.users <= 0) continue;
      const params = mergeParams(catalog.journey(s.journey)?.defaults, s.params);
      const intervalMs = Number(params[param]);
      const channelSize = Math.floor(Number(params.channelSize) || 0);
      const rate = intervalMs > 0 ? 1000 / intervalMs : 0;
      for (let i = 0; i < s.users; i++) {
        const key = channelSize > 0 ? Math.floor(i / channelSize) : 0;
        const c = channels.get(key) ?? { members: 0, rate: 0, by: new Set<string>() };
        c.members += 1;
        c.rate += rate;
        c.by.add(`${s.journey}${s.driver === 'browser' ? '' : ` (${s.driver})`} channelSize ${channelSize}`);
        channels.set(key, c);
      }
    }
    if (channels.size === 0) continue;
    const all = [...channels.values()];
    const largest = all.reduce((a, b) => (b.members > a.members ? b : a));
    const fanOut: ChatFanOut = {
      sendsPerSec: all.reduce((n, c) => n + c.rate, 0),
      deliveriesPerSec: all.reduce((n, c) => n + c.rate * Math.max(0, c.members - 1), 0),
      largestChannel: largest.members,
      largestBy: [...largest.by],
    };
    if (!busiest || fanOut.deliveriesPerSec > busiest.deliveriesPerSec) busiest = fanOut;
  }
  return busiest;
}

const round = (n: number): string => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));

/** The estimate line and, for a crowded channel, the warning. */
export function describeFanOut(f: ChatFanOut | undefined): { line?: string; warning?: string } {
  if (!f) return {};
  const line = `chat fan-out at peak: ~${round(f.sendsPerSec)} messages/s sent, ~${round(f.deliveriesPerSec)} deliveries/s to other members (users per channel × send rate; the largest channel holds ${f.largestChannel} chatters)`;
  if (f.largestChannel < crowdedChannelChatters) return { line };
  return {
    line,
    warning: `${f.largestChannel} chatters share one text channel (${f.largestBy.join(', ')}): every message goes to all of them, ~${round(f.deliveriesPerSec)} deliveries/s for the target to send and the generator to receive; spread them with params.channelSize (e.g. 50 users per channel)`,
  };
}
