// The host guard (RELIABILITY.md, safety of the target): pages reach only the target's origin
// (host:port) and the hosts the operator names (--allow-host); every other attempt is refused
// before it leaves and counted per host and kind.
//
// Two halves. All of Chromium's HTTP(S) and WebSocket traffic to anything but an allowed
// host:port goes through the guard proxy (fleet/guard-proxy.ts), so redirect hops, workers,
// service workers, iframes and WebSockets from any realm are judged where context.route could
// not see them; traffic to the allowed host:port goes direct (contextProxy says why). WebRTC is not proxied: an
// init script (in-page/network-guard-install.ts) drops ICE servers and remote candidates whose
// address is not allowed, and refuses WebSockets in the page itself so the full URL is known.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import os from 'node:os';
import type { BrowserContext, Page } from 'playwright-core';
import { isHostAllowed, isLoopbackHost, parseHostEntry } from '../../in-page/hosts.ts';
import { GUARD_BINDING, type GuardConfig, type GuardReport } from '../../in-page/guard-protocol.ts';
import { BlockedTally, hostOfBlockedUrl, type BlockedAttempt, type BlockedSummary } from './blocked-tally.ts';
import { guardInitScript } from './guard-init-script.ts';
import { CANARY_PATH, GuardProxy } from './guard-proxy.ts';

export type { BlockedAttempt, BlockedSummary, GuardKind } from './blocked-tally.ts';


/** Schemes that never leave the machine. */
const localSchemes = new Set(['data:', 'blob:', 'about:', 'chrome:', 'chrome-error:', 'devtools:']);

export function isUrlAllowed(rawUrl: string, allowedHosts: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return false;
  }
  if (localSchemes.has(url.protocol)) return true;
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) return false;
  const port = url.port || (url.protocol === 'https:' || url.protocol === 'wss:' ? '443' : '80');
  return isHostAllowed(url.hostname, port, allowedHosts);
}

/** Throws when allowedHosts is empty or names a non-loopback host without the explicit opt-in. */
export function checkAllowedHosts(allowedHosts: readonly string[], allowNonLoopbackHosts = false): void {
  if (allowedHosts.length === 0) {
    throw new Error('BrowserPool: allowedHosts is empty; name the target host (e.g. ["127.0.0.1"]) so the host guard knows what may pass');
  }
  const remote = allowedHosts.filter((h) => !isLoopbackHost(parseHostEntry(h).host));
  if (remote.length && !allowNonLoopbackHosts) {
    throw new Error(
      `BrowserPool: allowedHosts contains non-loopback hosts (${remote.join(', ')}); waddle-fleet only sends traffic to loopback ` +
        'unless allowNonLoopbackHosts: true is set (the operator\'s explicit "this target is mine", e.g. --allow-remote-target)',
    );
  }
}


/**
 * The allow list of a run: the target's host:port (its origin; the port made explicit, so other
 * services on the same host, e.g. a local InfluxDB, stay out) and the --allow-host entries
 * ("host" = any port of it, "host:port", "[v6]:port"). Throws, naming every bad entry.
 */
export function runAllowList(target: string, allowHosts: readonly string[] = []): string[] {
  const problems: string[] = [];
  let entry: string | undefined;
  try {
    const url = new URL(target);
    if (!['http:', 'https:'].includes(url.protocol)) throw new Error(`scheme ${url.protocol}`);
    entry = `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
  } catch (err) {
    problems.push(`target '${target}' is not an http(s) URL (${(err as Error).message}); give e.g. http://127.0.0.1:8080`);
  }
  for (const raw of allowHosts) {
    const { host, port } = parseHostEntry(raw);
    const badPort = port !== undefined && !(Number(port) >= 1 && Number(port) <= 65535);
    if (!host || /[/@\s]/.test(host) || badPort || raw.includes('://')) {
      problems.push(`--allow-host '${raw}' is not a host or host:port; give e.g. cdn.example.com, 127.0.0.1:9000 or [::1]:9000 (no scheme, no path)`);
    }
  }
  if (problems.length) throw new Error(`host guard: ${problems.join('; ')}`);
  return [...new Set([entry!, ...allowHosts.map((h) => h.trim())])];
}

export interface HostGuardOptions {
  /** the run's allow list (see runAllowList) */
  readonly allowedHosts: readonly string[];
  readonly allowNonLoopbackHosts?: boolean;
  /** every refused attempt, as it happens (e.g. for a warning event; the pool capped those at 20) */
  readonly onBlocked?: (attempt: BlockedAttempt) => void;
}

/** This machine's own addresses: the fleet's other pages (WebRTC peers) live there. */
function localAddresses(): string[] {
  return Object.values(os.networkInterfaces())
    .flatMap((list) => list ?? [])
    .map((i) => i.address.replace(/%.*$/, ''));
}

/** The allowed hosts' addresses (names resolved once, at start), for ICE checks in the page. */
async function resolvedAddresses(hosts: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const host of hosts) {
    if (isIP(host)) out.push(host);
    else out.push(...(await lookup(host, { all: true }).catch(() => [])).map((a) => a.address));
  }
  return out;
}

export class HostGuard {
  readonly #proxy: GuardProxy;
  readonly #tally = new BlockedTally();
  readonly #config: GuardConfig;
  readonly #onBlocked: ((attempt: BlockedAttempt) => void) | undefined;

  private constructor(proxy: GuardProxy, config: GuardConfig, onBlocked: HostGuardOptions['onBlocked']) {
    this.#proxy = proxy;
    this.#config = config;
    this.#onBlocked = onBlocked;
  }

  /** Checks the allow list, resolves its names and starts the guard proxy on 127.0.0.1. */
  static async start(options: HostGuardOptions): Promise<HostGuard> {
    checkAllowedHosts(options.allowedHosts, options.allowNonLoopbackHosts);
    if (process.env['PLAYWRIGHT_DISABLE_FORCED_CHROMIUM_PROXIED_LOOPBACK']) {
      // with it, Playwright stops adding "<-loopback>" and Chromium sends loopback traffic around the proxy
      throw new Error('host guard: PLAYWRIGHT_DISABLE_FORCED_CHROMIUM_PROXIED_LOOPBACK is set, so loopback traffic would bypass the guard proxy; unset it');
    }
    const allowedHosts = [...options.allowedHosts];
    const hosts = [...new Set(allowedHosts.map((e) => parseHostEntry(e).host))];
    const addresses = await resolvedAddresses(hosts);
    const config: GuardConfig = {
      allowedHosts,
      iceHosts: [...new Set([...hosts, ...addresses])],
      candidateAddresses: [...new Set([...addresses, ...localAddresses()])],
    };
    let record: (attempt: BlockedAttempt) => void = () => {};
    const proxy = await GuardProxy.start({
      isAllowed: (host, port) => isHostAllowed(host, port, allowedHosts),
      onRefused: (r) => record({ kind: r.kind, url: r.url, host: r.host, source: r.source }),
    });
    const guard = new HostGuard(proxy, config, options.onBlocked);
    record = (attempt) => guard.#record(attempt);
    return guard;
  }

  /** For chromium.launch({ proxy }): the browser's own traffic (counted apart as `browser`). */
  launchProxy(): { server: string } {
    return { server: this.#proxy.url('browser') };
  }

  /**
   * For browser.newContext({ proxy }): everything the context's pages and workers send, except what
   * goes to an allowed host:port, which Chromium sends direct (`bypass`). The proxy would only pass
   * those bytes on, at a cost in the fleet's Node (issue 18: every chat frame of every page) and
   * in latency (the frames waited for its event loop); every other destination still reaches the
   * proxy and is refused there. What the proxy then no longer sees is the target's own 3xx, so a
   * refused hop after it is counted by what it is (request, navigation, iframe), not as a redirect.
   * Allow-list entries without a port stay proxied: a bare loopback host in the bypass list makes
   * Playwright drop its "<-loopback>" rule, and would send the canary around the proxy.
   */
  contextProxy(): { server: string; bypass?: string } {
    const direct = this.#config.allowedHosts.filter((entry) => parseHostEntry(entry).port !== undefined);
    return { server: this.#proxy.url('page'), ...(direct.length ? { bypass: direct.join(',') } : {}) };
  }

  /**
   * The in-page half for one context (WebSockets, ICE); call before its first page opens. `user`
   * names who a refusal is charged to: a label, or (a context shared by users) a page's label.
   */
  async attach(context: BrowserContext, user?: string | ((page: Page) => string | undefined), relay?: GuardConfig['relay']): Promise<void> {
    await context.exposeBinding(GUARD_BINDING, (source, report: GuardReport) => {
      if (!report || typeof report.url !== 'string' || !['websocket', 'webtransport', 'ice_server', 'ice_candidate'].includes(report.kind)) return;
      const who = typeof user === 'function' ? user(source.page) : user;
      this.#record({ kind: report.kind, url: report.url, host: hostOfBlockedUrl(report.url), source: 'page', ...(who ? { user: who } : {}) });
    });
    await context.addInitScript({ content: await guardInitScript(relay ? { ...this.#config, relay } : this.#config) });
  }

  /**
   * Proves a page's traffic goes through the guard proxy (a canary on loopback only the proxy
   * answers with 204), so a context created without contextProxy() fails loudly instead of
   * running unguarded. One fetch; call it once per context, after the page's first navigation.
   */
  async verify(page: Page): Promise<void> {
    const canary = `${this.#proxy.url('page')}${CANARY_PATH}`;
    const status = await page.evaluate(`fetch(${JSON.stringify(canary)}, { cache: 'no-store' }).then((r) => r.status, (e) => String(e))`);
    if (status !== 204) {
      throw new Error(
        `host guard: this page's traffic does not go through the guard proxy (the canary ${canary} answered ${String(status)}); ` +
          'create its context with browser.newContext({ proxy: guard.contextProxy() }) and leave PLAYWRIGHT_DISABLE_FORCED_CHROMIUM_PROXIED_LOOPBACK unset',
      );
    }
  }

  /** Addresses WebRTC peers may have (the allowed hosts' and this machine's): the relay sends nowhere else. */
  get peerAddresses(): readonly string[] {
    return this.#config.candidateAddresses;
  }

  /** What was refused so far: per host, per kind, the first URLs; the browser's own apart. */
  blocked(): BlockedSummary {
    return this.#tally.summary();
  }

  async close(): Promise<void> {
    await this.#proxy.close();
  }

  #record(attempt: BlockedAttempt): void {
    this.#tally.add(attempt);
    try {
      this.#onBlocked?.(attempt);
    } catch {}
  }
}
