// Findings about where the pages tried to go: the host guard refused traffic to hosts other than
// the target. Nothing reached them, but the run did not do what a user of the app would (a
// third-party script, a CDN, an analytics beacon, a redirect elsewhere): the plan or the target
// needs a look, and a host that is yours and needed is named with --allow-host.
import type { RunSummary } from '../metrics/run-summary.ts';
import { evidence, type FindingList } from './finding.ts';

export function safetyRules(summary: RunSummary, out: FindingList): void {
  const blocked = summary.blocked;
  if (!blocked || blocked.total === 0) return;
  const hosts = Object.entries(blocked.byHost).sort((a, b) => b[1] - a[1]);
  const kinds = Object.entries(blocked.byKind).map(([kind, n]) => `${kind} ×${n}`).join(', ');
  out.add({
    type: 'blocked_traffic',
    component: 'host guard',
    severity: 'high',
    area: 'load',
    observed: blocked.total,
    limit: 0,
    details: `pages tried ${blocked.total} time(s) to reach ${hosts.length} host(s) other than the target (${hosts.slice(0, 5).map(([h, n]) => `${h} ×${n}`).join(', ')}; ${kinds}); the host guard refused every attempt`,
    recommendation:
      'Nothing left the machine for these hosts, so the pages did not load what a real user\'s would. If a host is yours and needed (a CDN, an API), name it with --allow-host; otherwise find what in the app reaches out (the examples show the first URLs).',
    evidence: evidence('blockedTraffic', 'host guard refusals', {}, blocked.total, 'whole run', blocked.examples.slice(0, 3).join(' · ')),
  });
}
