// One virtual user from its slot: its journey and driver looked up, its client made by the driver
// (a browser driver gets a page from the pool; a protocol driver nothing), wrapped for presence
// measurement (./measured-client.ts) and failure evidence, closed when the user ends. The same
// code runs users on the main thread and in protocol worker threads (fleet/workers/); what
// differs is the environment each gives.
import { userSeed } from '../../common/random.ts';
import { messageLink } from '../../network/message-link.ts';
import { isImpairing, type NetworkProfile } from '../../network/profile.ts';
import type { NetworkRelay } from '../../network/relay/relay.ts';
import type { Driver } from '../../clients/driver.ts';
import type { MetricsRecorder, RunEvent } from '../../metrics/types.ts';
import type { PlanCatalog } from '../../plans/catalog.ts';
import type { MediaSize } from '../../plans/schema.ts';
import type { VuSlot } from '../../plans/schedule.ts';
import type { FailureEvidenceRecorder, FailureInfo } from '../evidence/failure-evidence.ts';
import { FailureTrace, type TraceMode } from '../evidence/failure-trace.ts';
import { watchPageConsole } from '../evidence/page-console.ts';
import type { BrowserPool } from '../pool/browser-pool.ts';
import { watchConnection } from './connection-watch.ts';
import { measurePresence, type PresenceBoard } from './measured-client.ts';
import { runVirtualUser, type ClientSession, type VuOutcome } from './virtual-user.ts';

/** How long a browser user may wait for a pool slot (a browser launching, a busy machine). */
const acquireTimeoutMs = 60_000;

/** What the users of one thread share. */
export interface UserEnv {
  readonly catalog: PlanCatalog;
  readonly target: string;
  readonly seed: number;
  readonly thinkTimeScale: number;
  /** the plan's fake media sizes, over each journey's own */
  readonly media: { readonly camera?: MediaSize; readonly screen?: MediaSize };
  readonly recorder: MetricsRecorder;
  readonly record: (event: RunEvent) => void;
  readonly board: PresenceBoard;
  /** failure evidence (the main thread's; worker threads keep messages in their events only) */
  readonly evidence?: FailureEvidenceRecorder;
  /** the browser pool (the main thread only: workers run protocol users) */
  readonly pool?: BrowserPool;
  readonly traceFailures: TraceMode;
  /** one context per browser user even when the driver lets its users share one */
  readonly contextPerUser: boolean;
  /** the run's network profiles by name (slot.network names one) */
  readonly networks?: Readonly<Record<string, NetworkProfile>>;
  /** when the load started (epoch ms): network schedules count from it */
  readonly loadStartedAtMs?: number;
  /** the impairing relay for browser users' media (main thread, when a user needs it) */
  readonly relay?: NetworkRelay;
}

export function startUser(env: UserEnv, slot: VuSlot, stopSignal: AbortSignal, abortSignal: AbortSignal): Promise<VuOutcome> {
  const journey = env.catalog.journey(slot.journey)!; // preflight checked every name
  const driver = env.catalog.driver(slot.driver)!;
  return runVirtualUser({
    slot,
    journey,
    driver: { name: driver.name, kind: driver.kind, capabilities: driver.capabilities },
    target: env.target,
    // methods of literals here and below, not arrow properties: they are made once per user, and
    // under tsx (esbuild keepNames) a named arrow also gets its own property storage (~250 bytes)
    createClient() {
      return openSession(env, slot, driver, userMedia(journey.media, env.media), abortSignal);
    },
    recorder: env.recorder,
    onEvent: env.record,
    stopSignal,
    abortSignal,
    runSeed: env.seed,
    thinkTimeScale: env.thinkTimeScale,
  });
}

type Media = Parameters<BrowserPool['acquire']>[0]['media'];

/** The fake media a browser user's browser plays: its journey's, the plan's sizes over them (BrowserPool.prelaunch starts the same). */
export function userMedia(journeyMedia: Media | undefined, planMedia: UserEnv['media']): Media {
  return { ...journeyMedia, ...planMedia };
}

/** A browser user gets a page of its browser's shared context: its driver allows it, no failure trace (per context), no network of its own. */
export function sharesContext(driver: { readonly isolation?: 'context' | 'page' }, env: Pick<UserEnv, 'traceFailures' | 'contextPerUser'>, impaired: boolean): boolean {
  return driver.isolation === 'page' && env.traceFailures === 'off' && !env.contextPerUser && !impaired;
}

/** A user's client on its driver, measured; close() undoes all of it. */
async function openSession(env: UserEnv, slot: VuSlot, driver: Driver, media: Media, abortSignal: AbortSignal): Promise<ClientSession> {
  const username = `vu-${String(slot.index).padStart(4, '0')}`;
  const tags = { journey: slot.journey, driver: driver.name, ...(slot.network !== undefined ? { network: slot.network } : {}) };
  const profile = slot.network !== undefined ? env.networks?.[slot.network] : undefined;
  const { target, board, recorder, evidence } = env;
  if (driver.kind === 'protocol') {
    const network = profile && isImpairing(profile) ? messageLink(profile, userSeed(env.seed, slot.index), env.loadStartedAtMs) : undefined;
    const client = await driver.create({ target, username, signal: abortSignal, metrics: recorder, tags, ...(media ? { media } : {}), ...(network ? { network } : {}) });
    const measured = measurePresence(client, board, recorder, tags);
    const connection = watchConnection(client, recorder, tags, (e) => env.record({ timeMs: Date.now(), ...e }));
    // no page to show: a protocol user's evidence is its message
    return {
      client: measured.client,
      ...(connection ? { connection } : {}),
      ...(evidence ? { captureFailure(failure: FailureInfo) { return evidence.capture(failure); } } : {}),
      async close() {
        connection?.stop();
        measured.stop();
        await client.close();
      },
    };
  }
  if (!env.pool) throw new Error(`a browser user (${username}, driver '${driver.name}') has no browser pool here; browser users run on the main thread`);
  // a trace is per context: users with failure traces keep their own
  const shareContext = sharesContext(driver, env, false); // an impaired user's own context: BrowserPool.acquire
  const relay = profile && isImpairing(profile) ? env.relay : undefined;
  const credentials = relay?.addUser(username, profile!, userSeed(env.seed, slot.index));
  // HTTP and WebSocket bytes cross the same profile (seeded apart from the relay's media draws)
  const network = profile && isImpairing(profile) ? messageLink(profile, userSeed(env.seed, slot.index) ^ 0x5f3759df, env.loadStartedAtMs) : undefined;
  const session = await env.pool.acquire({ label: username, media, recorder, tags, timeoutMs: acquireTimeoutMs, shareContext, ...(credentials ? { relay: credentials } : {}), ...(network ? { network } : {}) }).catch((error: unknown) => {
    relay?.removeUser(username);
    throw error;
  });
  const release = async () => {
    await session.release();
    relay?.removeUser(username);
  };
  // before the driver navigates, so the log holds everything the page said
  const pageConsole = watchPageConsole(session.page);
  try {
    const trace = await FailureTrace.start(session.context, env.traceFailures);
    const client = await driver.create({ page: session.page, target, username, signal: AbortSignal.any([abortSignal, session.signal]) });
    const measured = measurePresence(client, board, recorder, tags);
    const connection = watchConnection(client, recorder, tags, (e) => env.record({ timeMs: Date.now(), ...e }));
    return {
      client: measured.client,
      page: session.page,
      ...(connection ? { connection } : {}),
      ...(evidence ? { captureFailure: (failure) => evidence.capture(failure, { page: session.page, console: pageConsole, ...(trace ? { trace } : {}) }) } : {}),
      ...(trace ? { startIteration: () => trace.restart() } : {}),
      close: async () => {
        connection?.stop();
        measured.stop();
        await client.close().catch(() => {});
        await release();
      },
    };
  } catch (error) {
    await release();
    throw error;
  }
}
