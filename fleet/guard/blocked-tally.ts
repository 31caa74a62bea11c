// Counts what the host guard refused, per host and per kind, with the full URL of the first few,
// so a run can say where blocked traffic tried to go (summary.json, terminal, report).
import { iceUrlHost } from '../../in-page/hosts.ts';

/** What was refused: one of the proxy's kinds, or what the page refused itself. */
export type GuardKind = 'request' | 'redirect' | 'navigation' | 'iframe' | 'worker' | 'websocket' | 'webtransport' | 'tunnel' | 'ice_server' | 'ice_candidate';

export interface BlockedAttempt {
  readonly kind: GuardKind;
  /** the full URL ("tunnel" attempts: host:port, the proxy sees no more) */
  readonly url: string;
  /** "host:port" (ICE servers without a port: the host) */
  readonly host: string;
  /**
   * 'browser': refused on the browser-wide proxy: Chromium's own background traffic (updates,
   * sign-in), or a context created without contextProxy() (HostGuard.verify catches that)
   */
  readonly source: 'page' | 'browser';
  /** the virtual user whose page refused it, when known (in-page refusals) */
  readonly user?: string;
}

export interface BlockedCounts {
  readonly total: number;
  readonly byHost: Record<string, number>;
  /** "kind url" of the first distinct attempts (a few of each kind, so one noisy kind hides no other) */
  readonly examples: string[];
}

export interface BlockedSummary extends BlockedCounts {
  readonly byKind: Partial<Record<GuardKind, number>>;
  /** refused on the browser-wide proxy (Chromium's own background requests): counted apart, no guarded page made them */
  readonly browser: BlockedCounts;
}

const EXAMPLES_PER_KIND = 3;
const MAX_BROWSER_EXAMPLES = 5;

/** "host:port" of a refused URL: http(s)/ws(s) with default ports, stun:/turn:, udp:/tcp: candidates. */
export function hostOfBlockedUrl(url: string): string {
  const ice = iceUrlHost(url);
  if (ice) return ice.port ? `${ice.host.includes(':') ? `[${ice.host}]` : ice.host}:${ice.port}` : ice.host;
  try {
    const u = new URL(url);
    const port = u.port || ({ 'http:': '80', 'ws:': '80', 'https:': '443', 'wss:': '443' } as Record<string, string>)[u.protocol] || '';
    if (!u.hostname) return url;
    return port ? `${u.hostname}:${port}` : u.hostname;
  } catch {
    return url; // "host:port" of a tunnel already
  }
}

class Counts {
  total = 0;
  readonly byHost: Record<string, number> = {};
  readonly examples: string[] = [];
  readonly #examplesOfKind = new Map<GuardKind, number>();

  constructor(private readonly examplesPerKind: number) {}

  add(kind: GuardKind, host: string, url: string): void {
    this.total++;
    this.byHost[host] = (this.byHost[host] ?? 0) + 1;
    const example = `${kind} ${url}`;
    const ofKind = this.#examplesOfKind.get(kind) ?? 0;
    if (ofKind < this.examplesPerKind && !this.examples.includes(example)) {
      this.examples.push(example);
      this.#examplesOfKind.set(kind, ofKind + 1);
    }
  }

  snapshot(): BlockedCounts {
    return { total: this.total, byHost: { ...this.byHost }, examples: [...this.examples] };
  }
}

export class BlockedTally {
  readonly #page = new Counts(EXAMPLES_PER_KIND);
  readonly #browser = new Counts(MAX_BROWSER_EXAMPLES);
  readonly #byKind: Partial<Record<GuardKind, number>> = {};

  add(attempt: BlockedAttempt): void {
    if (attempt.source === 'browser') return this.#browser.add(attempt.kind, attempt.host, attempt.url);
    this.#page.add(attempt.kind, attempt.host, attempt.url);
    this.#byKind[attempt.kind] = (this.#byKind[attempt.kind] ?? 0) + 1;
  }

  summary(): BlockedSummary {
    return { ...this.#page.snapshot(), byKind: { ...this.#byKind }, browser: this.#browser.snapshot() };
  }
}
