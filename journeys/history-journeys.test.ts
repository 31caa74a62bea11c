// chatFlood and historyBrowsing through the real virtual user against FakeHistoryWaddle: an
// in-memory Waddle that keeps per-channel message counts (capped like a history limit) and pages
// them, for unit tests and fault injection only (the e2e tests run them on the real drivers).
import { describe, expect, it } from 'vitest';
import type { ChannelHistoryView, HistoryScroll, SentMessage, WaddleClient, WaddleInfo } from '../clients/waddle-client.ts';
import { runVirtualUser, type VuOutcome } from '../fleet/users/virtual-user.ts';
import type { Sample } from '../metrics/types.ts';
import { builtInJourneys as journeys } from './registry.ts';

class FakeHistoryWaddle {
  readonly info: WaddleInfo = { id: 'w1', name: 'Pond', textChannels: [{ id: 't1', name: 'general' }, { id: 't2', name: 'random' }], voiceChannels: [] };
  readonly counts = new Map<string, number>([['t1', 0], ['t2', 0]]);
  /** send times (performance.now) per user, to check pacing */
  readonly sendTimes = new Map<string, number[]>();
  constructor(readonly historyLimit = 1_000_000, readonly pageSize = 50) {}
}

interface FakeOptions {
  /** frame intervals the fake "renders" while scrolling; undefined = a driver that renders nothing */
  readonly frames?: readonly number[];
  /** report no total (a foreign app that does not say) */
  readonly noTotal?: boolean;
}

const notHere = (): never => {
  throw new Error('not used by the history journeys');
};

class FakeHistoryClient implements WaddleClient {
  channel: string | undefined;
  shown = 0;
  readonly opened: string[] = [];
  constructor(readonly username: string, private readonly waddle: FakeHistoryWaddle, private readonly options: FakeOptions = {}) {}
  async connect() {}
  async listWaddles() { return [this.waddle.info]; }
  async joinWaddle() { return this.waddle.info; }
  async openTextChannel(channelId?: string) { await this.openChannelHistory(channelId); }
  async openChannelHistory(channelId?: string): Promise<ChannelHistoryView> {
    this.channel = channelId ?? 't1';
    this.opened.push(this.channel);
    const total = this.waddle.counts.get(this.channel)!;
    this.shown = Math.min(total, this.waddle.pageSize);
    return { channelId: this.channel, messages: this.shown, hasMore: total > this.shown, ...(this.options.noTotal ? {} : { total }), loadMs: 12 };
  }
  async scrollHistory(pages: number): Promise<HistoryScroll> {
    const total = this.waddle.counts.get(this.channel!)!;
    const loaded = [];
    while (loaded.length < pages && this.shown < total) {
      const messages = Math.min(this.waddle.pageSize, total - this.shown);
      this.shown += messages;
      loaded.push({ messages, loadMs: 20 + loaded.length });
    }
    return { pages: loaded, reachedStart: this.shown >= total, ...(this.options.frames ? { frameIntervalsMs: this.options.frames } : {}) };
  }
  async sendMessage(text: string): Promise<SentMessage> {
    const channelId = this.channel!;
    this.waddle.counts.set(channelId, Math.min(this.waddle.historyLimit, this.waddle.counts.get(channelId)! + 1));
    const times = this.waddle.sendTimes.get(this.username) ?? [];
    times.push(performance.now());
    this.waddle.sendTimes.set(this.username, times);
    const now = Date.now();
    return { id: `m${text.length}-${times.length}`, channelId, nonce: 'n', sentAtMs: now, ackedAtMs: now };
  }
  onMessage() { return () => {}; }
  onPresence() { return () => {}; }
  react = notHere; joinVoice = notHere; setMuted = notHere; enableVideo = notHere; disableVideo = notHere;
  startScreenShare = notHere; stopScreenShare = notHere; waitForRemoteMedia = notHere; leaveVoice = notHere;
  upload = notHere; download = notHere;
  async leaveWaddle() {}
  async close() {}
}

type Recorded = Omit<Sample, 'timeMs'>;

/** Run `users` VUs of one journey for one iteration each (or until `stopAfterMs`), sharing one waddle. */
async function runJourney(name: string, params: Record<string, unknown>, options: { users?: number; waddle?: FakeHistoryWaddle; client?: FakeOptions; stopAfterMs?: number } = {}) {
  const waddle = options.waddle ?? new FakeHistoryWaddle();
  const samples: Recorded[] = [];
  const errors: string[] = [];
  const clients: FakeHistoryClient[] = [];
  const users = options.users ?? 1;
  const stops = Array.from({ length: users }, () => new AbortController());
  if (options.stopAfterMs !== undefined) setTimeout(() => stops.forEach((s) => s.abort()), options.stopAfterMs);
  const outcomes: Promise<VuOutcome>[] = [];
  for (let index = 0; index < users; index++) {
    outcomes.push(runVirtualUser({
      slot: { index, journey: name, indexInJourney: index, driver: 'fake', params, phase: 'test', phaseIndex: 0, startAtMs: 0, stopAtMs: 1 },
      journey: journeys[name]!,
      createClient: async () => {
        const client = new FakeHistoryClient(`vu-${index}`, waddle, options.client);
        clients.push(client);
        return { client, close: () => client.close() };
      },
      recorder: {
        record: (metric, value, tags = {}) => {
          samples.push({ metric, value, tags });
          if (metric === 'journey.errors') stops[index]!.abort(); // one iteration each
        },
      },
      onEvent: (event) => {
        if (event.type === 'journey_error' || event.type === 'step_error') errors.push(event.message ?? '');
      },
      stopSignal: stops[index]!.signal,
      abortSignal: new AbortController().signal,
      runSeed: 7,
      thinkTimeScale: 0,
      driver: { name: 'fake', kind: 'protocol', capabilities: ['chat', 'history'] },
      target: 'http://127.0.0.1:1',
    }));
  }
  const settled = await Promise.all(outcomes);
  const values = (metric: string, tags: Record<string, string> = {}) =>
    samples.filter((s) => s.metric === metric && Object.entries(tags).every(([k, v]) => s.tags[k] === v)).map((s) => s.value);
  return { settled, values, clients, waddle, errors: errors.join('\n') };
}

const iterations = (r: { settled: VuOutcome[] }) => r.settled.map((s) => s.iterations);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('chatFlood', () => {
  it('three seeders fill one channel to fillTo and stop within a check of it, then idle', async () => {
    const r = await runJourney('chatFlood', { fillTo: 150, ratePerSec: 2_000, holdMs: 0 }, { users: 3 });
    expect(iterations(r)).toEqual(Array(3).fill({ started: 1, completed: 1, failed: 0, interrupted: 0 }));
    const held = r.waddle.counts.get('t1')!;
    expect(held).toBeGreaterThanOrEqual(150);
    expect(held).toBeLessThanOrEqual(150 + 3 * 2_000); // each stops within one batch (a second of sending) of full
    expect(sum(r.values('chat.messages_sent', { journey: 'chatFlood' }))).toBe(held);
    expect(r.values('chat.history_messages', { journey: 'chatFlood' }).every((n) => n >= 150)).toBe(true);
    expect(r.waddle.counts.get('t2')).toBe(0);
    expect(r.values('step.errors', { step: 'send_message' }).every((e) => e === 0)).toBe(true);
  });

  it('paces sends on a fixed schedule at ratePerSec, never faster', async () => {
    const r = await runJourney('chatFlood', { fillTo: 26, ratePerSec: 50, holdMs: 0 });
    const times = r.waddle.sendTimes.get('vu-0')!;
    expect(times).toHaveLength(26);
    // times[0] is the first send, a few µs after the schedule's origin; a timer's rounding would be up to 2 ms early
    for (let k = 1; k < times.length; k++) expect(times[k]! - times[0]!).toBeGreaterThanOrEqual((k * 1000) / 50 - 1);
    expect(times.at(-1)! - times[0]!).toBeLessThan(1_500); // and not much slower either (25 intervals of 20 ms)
  });

  it('spreads seeders over `channels` channels: user i fills channel i % channels', async () => {
    const r = await runJourney('chatFlood', { fillTo: 10, ratePerSec: 5_000, channels: 2, holdMs: 0 }, { users: 2 });
    expect(r.clients.map((c) => c.opened[0])).toEqual(['t1', 't2']);
    expect(r.waddle.counts.get('t1')).toBe(10);
    expect(r.waddle.counts.get('t2')).toBe(10);
  });

  it('sends nothing into a channel already full', async () => {
    const waddle = new FakeHistoryWaddle();
    waddle.counts.set('t1', 500);
    const r = await runJourney('chatFlood', { fillTo: 100, holdMs: 0 }, { waddle });
    expect(iterations(r)[0]).toMatchObject({ completed: 1, failed: 0 });
    expect(r.values('chat.messages_sent')).toEqual([]);
    expect(r.values('chat.history_messages')).toEqual([500]);
  });

  it('fails, saying how to fix it, when the target keeps fewer messages than fillTo', async () => {
    const r = await runJourney('chatFlood', { fillTo: 100, ratePerSec: 5_000, holdMs: 0 }, { waddle: new FakeHistoryWaddle(40) });
    expect(iterations(r)[0]).toMatchObject({ completed: 0, failed: 1 });
    expect(r.waddle.counts.get('t1')).toBe(40);
    expect(r.values('journey.errors')).toEqual([1]);
    expect(r.errors).toContain('t1 stays at 40 messages while more are sent');
    expect(r.errors).toContain('--history-limit 100');
  });

  it('fails on a driver that does not report the channel total', async () => {
    const r = await runJourney('chatFlood', { fillTo: 100, holdMs: 0 }, { client: { noTotal: true } });
    expect(iterations(r)[0]).toMatchObject({ failed: 1 });
    expect(r.values('chat.messages_sent')).toEqual([]);
    expect(r.errors).toContain("driver 'fake' does not report how many messages t1 holds");
  });

  it('stops filling when asked to stop, and the iteration still completes', async () => {
    const r = await runJourney('chatFlood', { fillTo: 100_000, ratePerSec: 100, holdMs: 0 }, { stopAfterMs: 300 });
    expect(iterations(r)[0]).toMatchObject({ completed: 1, failed: 0, interrupted: 0 });
    const held = r.waddle.counts.get('t1')!;
    expect(held).toBeGreaterThan(5);
    expect(held).toBeLessThan(100); // ~30 at 100/s over 0.3 s
  });
});

describe('historyBrowsing', () => {
  it('times the latest page, each older page and every frame; a frame over 50 ms counts as a stutter', async () => {
    const waddle = new FakeHistoryWaddle();
    waddle.counts.set('t1', 10_000);
    const r = await runJourney('historyBrowsing', { pages: 4, readMs: 0 }, { waddle, client: { frames: [16.7, 16.6, 83.4, 16.7] } });
    expect(iterations(r)[0]).toEqual({ started: 1, completed: 1, failed: 0, interrupted: 0 });
    expect(r.values('chat.history_load_ms', { journey: 'historyBrowsing', driver: 'fake' })).toEqual([12]);
    expect(r.values('chat.history_messages')).toEqual([10_000]);
    expect(r.values('chat.history_page_ms')).toEqual([20, 21, 22, 23]);
    expect(r.values('chat.history_pages')).toEqual([4]);
    expect(r.values('chat.scroll_frame_ms')).toEqual([16.7, 16.6, 83.4, 16.7]);
    expect(r.values('chat.scroll_long_frames')).toEqual([0, 0, 1, 0]);
    expect(r.values('step.errors', { step: 'scroll_history' })).toEqual([0]);
  });

  it('stops at the start of a short history, and records no frames on a driver that renders none', async () => {
    const waddle = new FakeHistoryWaddle();
    waddle.counts.set('t2', 120);
    const r = await runJourney('historyBrowsing', { pages: 10, readMs: 0, channels: 2 }, { users: 2, waddle });
    expect(r.clients.map((c) => c.opened[0])).toEqual(['t1', 't2']);
    expect(r.values('chat.history_pages')).toEqual([0, 2]); // t1 is empty; t2: 50 shown, then 50 + 20
    expect(r.values('chat.scroll_frame_ms')).toEqual([]);
    expect(r.values('chat.scroll_long_frames')).toEqual([]);
  });

  it('refuses more long channels than the waddle has, naming both numbers', async () => {
    const r = await runJourney('historyBrowsing', { channels: 3, readMs: 0 });
    expect(iterations(r)[0]).toMatchObject({ failed: 1 });
    expect(r.values('chat.history_load_ms')).toEqual([]);
    expect(r.errors).toContain('has 2 text channel(s) but params.channels asks for 3');
  });
});
