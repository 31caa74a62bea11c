// Drivers: how a virtual user speaks to Waddle. Journeys speak only to the WaddleClient interface
// (clients/waddle-client.ts); a driver makes one client per user. A team whose Waddle UI differs
// writes a driver in its own plan file against the public exports (`defineDriver` from
// 'waddle-fleet'), not new journeys and not a fork. Two kinds:
//   browser  — a Playwright page per user in the fleet's browser pool (real client, real fake
//              media, the WebRTC probe): what users feel;
//   protocol — no browser; speaks the server's own protocol: load, thousands per process.
// A driver declares its capabilities, a journey its needs (`requires`); a plan that pairs a
// journey with a driver lacking one is refused before any load (plans/validate.ts).
import type { MessageLink } from '../network/message-link.ts';
import type { Page } from 'playwright-core';
import type { WaddleClient } from './waddle-client.ts';

/**
 * What a client can do. 'media' means remote media is decoded and measured (waitForRemoteMedia
 * waits for frames and the probe reads getStats); a driver without it may still join calls and
 * signal (voice/video/screen) — its waitForRemoteMedia then waits for the other side's signalling.
 * 'history' means the optional openChannelHistory and scrollHistory are implemented (paging a long
 * channel's history; frame timings only where the driver renders).
 */
export const capabilityNames = ['chat', 'reactions', 'presence', 'voice', 'video', 'screen', 'upload', 'media', 'history'] as const;
export type Capability = (typeof capabilityNames)[number];

export interface DriverCreateContext {
  /** the target's base URL, e.g. http://127.0.0.1:8080 */
  readonly target: string;
  /** this user's name, unique within the run (e.g. "vu-0042") */
  readonly username: string;
  /** aborted when the user must stop at once (run aborted, page crashed) */
  readonly signal: AbortSignal;
  /**
   * the user's network, for a protocol driver to apply to its messages (the built-in one does);
   * absent when the user has no impairing network. Browser users' networks need nothing of a driver.
   */
  readonly network?: MessageLink;
  /**
   * Where a driver that measures media itself (a protocol driver with 'media') records webrtc.*
   * metrics, with `tags` (the user's journey and driver). Browser users' come from the probe.
   */
  readonly metrics?: { record(metric: string, value: number, tags?: Readonly<Record<string, string>>): void };
  readonly tags?: Readonly<Record<string, string>>;
  /** the fake media sizes for this user's journey (the plan's over the journey's own) */
  readonly media?: { readonly camera?: VideoProfile; readonly screen?: VideoProfile };
}

export interface VideoProfile {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
}

export interface BrowserDriverCreateContext extends DriverCreateContext {
  /** a fresh page in this user's own browser context, with the WebRTC probe and host guard installed */
  readonly page: Page;
}

interface DriverCommon {
  /** letters, digits, '_' or '-'; scenarios name it (`driver: 'myWaddle'`) */
  readonly name: string;
  readonly description?: string;
  readonly capabilities: readonly Capability[];
}

export interface BrowserDriver extends DriverCommon {
  readonly kind: 'browser';
  /**
   * 'context' (default): each user gets its own browser context, as separate people's browsers.
   * 'page': users may be pages of one context (they then share its cookies, storage and HTTP
   * cache), which halves the memory a user costs: declare it only when the app keeps each
   * user's session in page memory, not in cookies or storage another user's login would
   * overwrite. The fleet still isolates users when failure traces are on (a trace is per context).
   */
  readonly isolation?: 'context' | 'page';
  create(context: BrowserDriverCreateContext): WaddleClient | Promise<WaddleClient>;
}

export interface ProtocolDriver extends DriverCommon {
  readonly kind: 'protocol';
  create(context: DriverCreateContext): WaddleClient | Promise<WaddleClient>;
  /**
   * Make what its users will send (e.g. pre-encoded media files) before any user starts, once per
   * media profile of the plan (the fleet's media task), so no user waits on ffmpeg mid-journey.
   */
  prepareMedia?(media: { readonly camera?: VideoProfile; readonly screen?: VideoProfile }): Promise<void>;
}

export type Driver = BrowserDriver | ProtocolDriver;

/** Identity with types, for plan files: `defineDriver({ name, kind: 'browser', capabilities, create })`. */
export function defineDriver<const D extends Driver>(driver: D): D {
  return driver;
}

/** What a journey sees of its user's driver (to adapt a step, e.g. skip one that needs 'media'). */
export interface DriverInfo {
  readonly name: string;
  readonly kind: Driver['kind'];
  readonly capabilities: readonly Capability[];
}

/** Problems with a driver value as a plan gave it (shape and names), each saying how to fix it. */
export function driverProblems(value: unknown, where: string): string[] {
  if (value === null || typeof value !== 'object') return [`${where}: expected a driver made with defineDriver({ name, kind, capabilities, create }), got ${typeof value}`];
  const d = value as Partial<Record<keyof Driver, unknown>>;
  const problems: string[] = [];
  if (typeof d.name !== 'string' || !/^[A-Za-z][A-Za-z0-9_-]*$/.test(d.name)) problems.push(`${where}.name: expected a name of letters, digits, '_' or '-' starting with a letter, got ${JSON.stringify(d.name)}`);
  if (d.kind !== 'browser' && d.kind !== 'protocol') problems.push(`${where}.kind: expected 'browser' (a Playwright page per user) or 'protocol' (no browser), got ${JSON.stringify(d.kind)}`);
  if (typeof d.create !== 'function') problems.push(`${where}.create: expected a function ({ page, target, username }) => WaddleClient`);
  const isolation = (value as { isolation?: unknown }).isolation;
  if (isolation !== undefined && (d.kind !== 'browser' || (isolation !== 'context' && isolation !== 'page'))) problems.push(`${where}.isolation: a browser driver's users share a context ('page') or not ('context', the default); got ${JSON.stringify(isolation)}${d.kind === 'browser' ? '' : ' on a protocol driver'}`);
  if (!Array.isArray(d.capabilities)) problems.push(`${where}.capabilities: expected a list of ${capabilityNames.join(', ')}`);
  else {
    for (const c of d.capabilities) if (!(capabilityNames as readonly unknown[]).includes(c)) problems.push(`${where}.capabilities: unknown capability ${JSON.stringify(c)}; known: ${capabilityNames.join(', ')}`);
  }
  return problems;
}
