// The dry run's (and the run's first lines') account of networks: which users get which network,
// by which mechanism, and what the relay costs.
import type { VuSlot } from '../plans/schedule.ts';
import { describeProfile, isImpairing, type NetworkProfile } from './profile.ts';

/** CPU of the relay per impaired browser user in a 1:1 video call (~600 link packets/s), % of one core (npm run bench:network: 1.18% at 10 users, load average 20). */
export const relayCpuPctPerUser = 1.2;

export const mechanismLine =
  'browser users: media through the fleet\'s impairing TURN relay (relay candidates only), HTTP/WebSocket through a guard-proxy listener of their own with the same delay and rate; protocol users: delay, rate and loss-as-retransmission per message';

const label = (index: number) => `vu-${String(index).padStart(4, '0')}`;

/** Lines for the plan description; none when no user has a network. */
export function describeNetworks(networks: Readonly<Record<string, NetworkProfile>>, slots: readonly VuSlot[], isBrowser: (driver: string) => boolean): string[] {
  if (Object.keys(networks).length === 0) return [];
  const lines = [`  networks (mechanism: ${mechanismLine}):`];
  const byNetwork = new Map<string, VuSlot[]>();
  for (const slot of slots) byNetwork.set(slot.network ?? 'none', [...(byNetwork.get(slot.network ?? 'none') ?? []), slot]);
  for (const [name, users] of byNetwork) {
    const profile = networks[name];
    const browsers = users.filter((s) => isBrowser(s.driver)).length;
    const shown = users.slice(0, 6).map((s) => `${label(s.index)} ${s.journey}${isBrowser(s.driver) ? '' : ` (${s.driver})`}`).join(', ');
    const more = users.length > 6 ? ` and ${users.length - 6} more` : '';
    lines.push(`    ${name}: ${profile ? describeProfile(profile) : 'no impairment'} — ${users.length} users (${browsers} browser): ${shown}${more}`);
  }
  const relayed = slots.filter((s) => isBrowser(s.driver) && s.network && networks[s.network] && isImpairing(networks[s.network]!)).length;
  if (relayed > 0) lines.push(`    relay: ${relayed} browser users through it, ~${(relayed * relayCpuPctPerUser).toFixed(1)}% of a core at most (${relayCpuPctPerUser}% per video user, npm run bench:network)`);
  return lines;
}

/** For summary.json's plan: how the networks were applied (absent: no user had one). */
export function networkMechanismOf(networks: Readonly<Record<string, NetworkProfile>>): { networkMechanism?: string } {
  return Object.keys(networks).length > 0 ? { networkMechanism: mechanismLine } : {};
}

/** Why --network-mechanism kernel is refused before any load (exit 2). */
export const kernelMechanismProblem =
  "--network-mechanism kernel: not available: the kernel mode (a network namespace and tc netem per user) is not built, and it would need root or NET_ADMIN and a kernel with netem (this machine's has none: 'Specified qdisc kind is unknown'); use --network-mechanism relay (the default: user space, no root)";
