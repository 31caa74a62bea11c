// Small pieces the seed journeys share. They use only what a JourneyContext offers
// (client, step, metrics, signal, rng), so journeys stay driver-agnostic.
import { sleep } from '../common/async.ts';
import type { RemoteMediaKind, ReceivedMessage, WaddleInfo } from '../clients/waddle-client.ts';
import type { JourneyContext, Rng } from './types.ts';

// Helpers accept any journey's context; params are not read here.
type AnyContext = JourneyContext<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Hold for `ms` (a call, a screen share): unlike think time it is not scaled by thinkTimeScale,
 * but like it, it ends at once when the user is asked to stop, so the journey can wrap up.
 */
export function hold(ctx: AnyContext, ms: number): Promise<void> {
  return sleep(ms, ctx.signal);
}

/** A critical step resolves with its value or throws; this narrows the `T | undefined` of StepFn. */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} returned nothing; the driver must return a value here`);
  return value;
}

/**
 * The waddle each session already joined. A user connects and joins once per session, as a real
 * one does, and its next iterations go on from there: reconnecting every iteration churned
 * presence for everyone in the waddle (a 3-second upload iteration re-joined 80 times a second at
 * 2,500 users, and every join sends the online list). A failed iteration gets a fresh session
 * (fleet/virtual-user.ts), which connects again. A journey that leaves the waddle calls leftWaddle.
 */
const joinedBySession = new WeakMap<object, WaddleInfo>();

export async function connectAndJoin(ctx: AnyContext, waddleId?: string): Promise<WaddleInfo> {
  const joined = joinedBySession.get(ctx.client);
  if (joined && (waddleId === undefined || joined.id === waddleId)) return joined;
  await ctx.step('connect', () => ctx.client.connect());
  const info = required(await ctx.step('join_waddle', () => ctx.client.joinWaddle(waddleId)), 'joinWaddle');
  joinedBySession.set(ctx.client, info);
  return info;
}

/** After a journey leaves the waddle: the next connectAndJoin joins again. */
export function leftWaddle(ctx: AnyContext): void {
  joinedBySession.delete(ctx.client);
  openChannelBySession.delete(ctx.client);
}

/** The text channel each session has open (undefined key: the first channel). */
const openChannelBySession = new WeakMap<object, string>();

/** Open a text channel unless this session already has it open (opening sends its history again). */
export async function openChannelOnce(ctx: AnyContext, channelId?: string): Promise<void> {
  const key = channelId ?? '(first)';
  if (openChannelBySession.get(ctx.client) === key) return;
  await ctx.step('open_channel', () => ctx.client.openTextChannel(channelId));
  openChannelBySession.set(ctx.client, key);
}

/**
 * Which voice channel a caller joins: the call room the plan gave this user (plans/call-rooms.ts:
 * rooms of `roomSize` users by their index among the journey's users, or the pinned `room`),
 * spread over the voice channels. Outside a planned run (a unit test) the same rule is applied to
 * the user's own index. A mesh call costs the generator per peer, so room size drives its CPU.
 */
export function voiceChannelFor(ctx: AnyContext, waddle: WaddleInfo, placement: { roomSize: number; room: number }): string | undefined {
  if (waddle.voiceChannels.length === 0) {
    throw new Error(`waddle '${waddle.name}' has no voice channel; create one in the target or pick another waddle`);
  }
  const index = ctx.user.indexInJourney ?? ctx.user.index;
  const room = ctx.user.callRoom ?? (placement.room >= 0 ? Math.floor(placement.room) : Math.floor(index / Math.max(1, placement.roomSize)));
  return waddle.voiceChannels[room % waddle.voiceChannels.length]!.id;
}

/**
 * Which text channel a chatter opens: with channelSize > 0, users are grouped channelSize to a
 * channel by their index among the journey's users (spread over the waddle's text channels), as
 * real communities spread over channels; 0 = everyone in the first channel. A channel's fan-out
 * (every message to every member) is what loads the server, so it is a plan's choice.
 */
export function textChannelFor(ctx: AnyContext, waddle: WaddleInfo, channelSize: number): string | undefined {
  if (channelSize <= 0 || waddle.textChannels.length === 0) return undefined;
  const index = ctx.user.indexInJourney ?? ctx.user.index;
  return waddle.textChannels[Math.floor(index / channelSize) % waddle.textChannels.length]!.id;
}

/**
 * callRoom for the seed call journeys: roomSize users per room, or all in `room` when ≥ 0. With a
 * roomGroup, scenarios naming the same group fill the same rooms, each with its own roomSize users
 * per room (a hybrid call: roomSize 1 on browser + roomSize 5 on protocolMedia = rooms of 6).
 */
export function roomsOf(params: { roomSize: number; room: number; roomGroup?: string }): { size: number; pinned?: number; group?: string } {
  return { size: Math.max(1, Math.floor(params.roomSize)), ...(params.room >= 0 ? { pinned: Math.floor(params.room) } : {}), ...(params.roomGroup ? { group: params.roomGroup } : {}) };
}

export async function joinVoice(ctx: AnyContext, channelId: string | undefined): Promise<void> {
  await ctx.step('join_voice', async () => {
    const startedMs = performance.now();
    await ctx.client.joinVoice(channelId);
    ctx.metrics.record('voice.join_ms', performance.now() - startedMs);
  });
}

/** Wait for remote media (non-critical: being alone in a room is not a failure of Waddle). */
export async function waitForRemote(ctx: AnyContext, kind: RemoteMediaKind, timeoutMs: number): Promise<void> {
  // When the run stops while this user waits, its peers are leaving too: the wait ends as an
  // interruption (no failure, no latency), not as a timeout blamed on Waddle.
  const waitedMs = await ctx.step(`wait_remote_${kind}`, () => unlessStopped(ctx.signal, ctx.client.waitForRemoteMedia(kind, timeoutMs), `waiting for remote ${kind}`), {
    critical: false,
    timeoutMs: timeoutMs + 5_000,
  });
  if (typeof waitedMs === 'number') ctx.metrics.record('media.first_remote_ms', waitedMs, { kind });
}

/** The work's outcome, or an AbortError as soon as the user is asked to stop. */
function unlessStopped<T>(signal: AbortSignal, work: Promise<T>, what: string): Promise<T> {
  work.catch(() => {});
  const stopped = () => new DOMException(`the run is stopping while ${what}`, 'AbortError');
  if (signal.aborted) return Promise.reject(stopped());
  return new Promise<T>((resolve, reject) => {
    const onStop = (): void => reject(stopped());
    signal.addEventListener('abort', onStop, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onStop));
  });
}

/** Record what a receiver sees of others' messages: count and, when the sender stamped it, delivery time. */
export function recordReceived(ctx: AnyContext, message: ReceivedMessage): boolean {
  if (message.author === ctx.client.username) return false;
  ctx.metrics.record('chat.messages_received', 1);
  if (message.sentAtMs !== undefined) {
    const deliveryMs = message.receivedAtMs - message.sentAtMs;
    if (Number.isFinite(deliveryMs) && deliveryMs >= 0) ctx.metrics.record('chat.delivery_ms', deliveryMs);
  }
  return true;
}

/** Sessions already counting what they receive (countReceipts). */
const countingSessions = new WeakSet<object>();

/**
 * Count every message this session receives from others while it is connected, think time between
 * iterations included, for as long as the session lasts (its client closes with it). A subscription
 * per iteration missed what arrived between iterations (about 2% of receipts at the default pace).
 */
export function countReceipts(ctx: AnyContext): void {
  if (countingSessions.has(ctx.client)) return;
  countingSessions.add(ctx.client);
  ctx.client.onMessage((message) => recordReceived(ctx, message));
}

/** Send one chat message as a non-critical step; records the ack time and the sent count. */
export async function sendChat(ctx: AnyContext, text: string): Promise<void> {
  const sent = await ctx.step('send_message', () => ctx.client.sendMessage(text), { critical: false });
  if (sent) {
    ctx.metrics.record('chat.messages_sent', 1);
    ctx.metrics.record('chat.send_ack_ms', Math.max(0, sent.ackedAtMs - sent.sentAtMs));
  }
}

const words = ['waddle', 'quack', 'pond', 'voice', 'load', 'test', 'ship', 'it', 'hello', 'team', 'latency', 'fleet'];

/** Human-ish text of a length in [min, max] chars, drawn from the user's rng. */
export function randomText(rng: Rng, minChars: number, maxChars: number): string {
  const length = Math.max(1, Math.round(rng.between(minChars, maxChars)));
  let text = '';
  while (text.length < length) text += (text ? ' ' : '') + rng.pick(words);
  return text.slice(0, length);
}
