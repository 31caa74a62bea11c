// A network as plan data: what one user's link does to its packets, per direction ('up' = from
// the user, 'down' = towards it), and how that changes over the run. Presets carry their figures
// and where they come from; a plan names one, writes its own, or deals shares of several.
import { tryParseDurationMs } from '../plans/duration.ts';

/** One direction of a link. Every field is optional: what is not given does nothing. */
export interface LinkSpec {
  /** serialisation rate in kbit/s (a bottleneck: packets wait their turn in a queue) */
  readonly rateKbps?: number;
  /** one-way delay added to every packet, ms */
  readonly delayMs?: number;
  /** standard deviation of a normal variation of the delay, ms (packets stay in order) */
  readonly jitterMs?: number;
  /** share of packets lost, 0..100 */
  readonly lossPercent?: number;
  /** mean length of a loss burst in packets (Gilbert–Elliott); 1 or absent = independent losses */
  readonly burstLoss?: number;
  /** packets the bottleneck queue holds before it drops the newest (tail drop); default 100 */
  readonly queuePackets?: number;
}

export interface ScheduleStep {
  /** from this long after the load started ('30s', '2m') */
  readonly at: string;
  /** fields given here replace the previous step's (the profile's own before the first step) */
  readonly up?: LinkSpec;
  readonly down?: LinkSpec;
}

export interface NetworkProfile {
  /** the `network` tag of every metric of its users: letters, digits, '.', '_' or '-' */
  readonly name: string;
  readonly up?: LinkSpec;
  readonly down?: LinkSpec;
  readonly schedule?: readonly ScheduleStep[];
}

/** What a scenario's `network` may be: a preset's name, a profile, or shares of presets/profiles by name. */
export type NetworkChoice = string | NetworkProfile | Readonly<Record<string, number>>;

export interface Preset extends NetworkProfile {
  /** where the figures come from, one line */
  readonly source: string;
}

/**
 * The shipped presets. Rates, delays and losses as the sources give them (one-way delay = half
 * the round trip they quote; DevTools' figures are its "latency" added to each request).
 */
export const networkPresets: Readonly<Record<string, Preset>> = {
  none: { name: 'none', source: 'no impairment: the user talks to the target directly (no relay)' },
  wifi: {
    name: 'wifi',
    up: { rateKbps: 30_000, delayMs: 5, jitterMs: 2, lossPercent: 0.1 },
    down: { rateKbps: 30_000, delayMs: 5, jitterMs: 2, lossPercent: 0.1 },
    source: 'Chrome DevTools "WiFi" (30 Mbit/s, 2 ms latency) with ITU-T G.1050 well-managed LAN jitter/loss',
  },
  '4g': {
    name: '4g',
    up: { rateKbps: 9_000, delayMs: 40, jitterMs: 5, lossPercent: 0.2 },
    down: { rateKbps: 9_000, delayMs: 40, jitterMs: 5, lossPercent: 0.2 },
    source: 'Chrome DevTools "4G" (9 Mbit/s, 85 ms RTT ≈ 2 × 40 ms), loss from 3GPP TS 23.203 QCI 7 (≤ 10^-3 … 10^-2)',
  },
  '3g': {
    name: '3g',
    up: { rateKbps: 675, delayMs: 100, jitterMs: 10, lossPercent: 0.5 },
    down: { rateKbps: 1_600, delayMs: 100, jitterMs: 10, lossPercent: 0.5 },
    source: 'Chrome DevTools "Fast 3G" (1.6 Mbit/s down, 750 kbit/s × 0.9 up, 150 ms + queueing ≈ 200 ms RTT)',
  },
  'lossy-wifi': {
    name: 'lossy-wifi',
    up: { rateKbps: 20_000, delayMs: 10, jitterMs: 10, lossPercent: 3, burstLoss: 3 },
    down: { rateKbps: 20_000, delayMs: 10, jitterMs: 10, lossPercent: 3, burstLoss: 3 },
    source: 'ITU-T G.1050 "unmanaged" wireless profile: ~3% loss in bursts, 10 ms jitter (webrtcperf\'s lossy examples alike)',
  },
  congested: {
    name: 'congested',
    up: { rateKbps: 500, delayMs: 60, jitterMs: 30, lossPercent: 2, burstLoss: 5, queuePackets: 30 },
    down: { rateKbps: 1_000, delayMs: 60, jitterMs: 30, lossPercent: 2, burstLoss: 5, queuePackets: 30 },
    source: 'ITU-T G.1050 "unmanaged, congested" profile: 2% bursty loss, 30 ms jitter, a shallow queue at a 0.5/1 Mbit/s bottleneck',
  },
};

export const presetNames = Object.keys(networkPresets);

/** Does a profile change anything (a preset 'none', or a profile with no figure, needs no relay)? */
export function isImpairing(profile: NetworkProfile): boolean {
  const any = (l?: LinkSpec) => !!l && Object.values(l).some((v) => typeof v === 'number' && v > 0);
  return any(profile.up) || any(profile.down) || (profile.schedule ?? []).some((s) => any(s.up) || any(s.down));
}

/** The link settings at `atMs` after load start: the profile's own, then each step reached, merged in order. */
export function linkAt(profile: NetworkProfile, direction: 'up' | 'down', atMs: number): LinkSpec {
  let link: LinkSpec = { ...profile[direction] };
  for (const step of sortedSteps(profile)) {
    if (step.atMs > atMs) break;
    link = { ...link, ...step.step[direction] };
  }
  return link;
}

/** The schedule's step times in ms, ascending (bad durations were refused by validation). */
export function sortedSteps(profile: NetworkProfile): { atMs: number; step: ScheduleStep }[] {
  return (profile.schedule ?? []).map((step) => ({ atMs: tryParseDurationMs(step.at) ?? 0, step })).sort((a, b) => a.atMs - b.atMs);
}

/** One line for the terminal: "down 300 kbit/s, 100 ms; up 5% loss; at 30s: …". */
export function describeProfile(profile: NetworkProfile): string {
  const link = (l?: LinkSpec) => {
    if (!l) return '';
    const parts: string[] = [];
    if (l.rateKbps) parts.push(`${l.rateKbps} kbit/s`);
    if (l.delayMs) parts.push(`${l.delayMs} ms`);
    if (l.jitterMs) parts.push(`±${l.jitterMs} ms`);
    if (l.lossPercent) parts.push(`${l.lossPercent}% loss${l.burstLoss && l.burstLoss > 1 ? ` (bursts of ${l.burstLoss})` : ''}`);
    if (l.queuePackets) parts.push(`queue ${l.queuePackets}`);
    return parts.join(', ');
  };
  const both = (up?: LinkSpec, down?: LinkSpec) => [link(up) && `up ${link(up)}`, link(down) && `down ${link(down)}`].filter(Boolean).join('; ');
  const steps = (profile.schedule ?? []).map((s) => `at ${s.at}: ${both(s.up, s.down) || 'unchanged'}`);
  return [both(profile.up, profile.down) || 'no impairment', ...steps].join('; ');
}
