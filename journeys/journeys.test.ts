// The six seed journeys run through the real virtual user against FakeWaddleClient: an in-memory
// Waddle for unit tests and fault injection only (the lead runs journeys on real browsers).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type {
  DownloadResult, PresenceChange, ReceivedMessage, RemoteMediaKind, SentMessage, UploadResult, WaddleClient, WaddleInfo,
} from '../clients/waddle-client.ts';
import { runVirtualUser, type VuOutcome } from '../fleet/users/virtual-user.ts';
import type { Sample } from '../metrics/types.ts';
import { builtInJourneys as journeys } from './registry.ts';
import { removeUploadFiles } from './upload-payloads.ts';

class FakeWaddle {
  readonly info: WaddleInfo = {
    id: 'w1',
    name: 'Pond',
    textChannels: [{ id: 't1', name: 'general' }],
    voiceChannels: [{ id: 'v1', name: 'Lounge' }, { id: 'v2', name: 'Den' }],
  };
  readonly clients = new Set<FakeWaddleClient>();
  readonly attachments = new Map<string, Buffer>();
  readonly reactions: { messageId: string; emoji: string; by: string }[] = [];
  nextId = 1;
}

type Fault = 'corrupt_download' | 'http_503_upload';

class FakeWaddleClient implements WaddleClient {
  voiceChannel: string | undefined;
  video = false;
  screen = false;
  muted = false;
  textChannel: string | undefined;
  readonly calls: string[] = [];
  private readonly handlers = new Set<(m: ReceivedMessage) => void>();
  constructor(readonly username: string, private readonly waddle: FakeWaddle, private readonly faults: readonly Fault[] = []) {
    waddle.clients.add(this);
  }
  private others(): FakeWaddleClient[] {
    return [...this.waddle.clients].filter((c) => c !== this);
  }
  async connect() { this.calls.push('connect'); }
  async listWaddles() { return [this.waddle.info]; }
  async joinWaddle() { this.calls.push('joinWaddle'); return this.waddle.info; }
  async openTextChannel(channelId?: string) { this.textChannel = channelId ?? 't1'; this.calls.push('openTextChannel'); }
  async sendMessage(text: string): Promise<SentMessage> {
    if (!this.textChannel) throw new Error('sendMessage: no text channel open');
    const id = `m${this.waddle.nextId++}`;
    const sentAtMs = Date.now();
    for (const other of this.others()) {
      if (other.textChannel !== this.textChannel) continue;
      setTimeout(() => other.deliver({ id, channelId: this.textChannel!, author: this.username, text, nonce: id, sentAtMs, receivedAtMs: Date.now() }), 2);
    }
    await new Promise((r) => setTimeout(r, 1));
    return { id, channelId: this.textChannel, nonce: id, sentAtMs, ackedAtMs: Date.now() };
  }
  private deliver(message: ReceivedMessage) { for (const handler of this.handlers) handler(message); }
  onMessage(handler: (m: ReceivedMessage) => void) { this.handlers.add(handler); return () => void this.handlers.delete(handler); }
  onPresence(_handler: (c: PresenceChange) => void) { return () => {}; }
  async react(messageId: string, emoji: string) { this.waddle.reactions.push({ messageId, emoji, by: this.username }); }
  async joinVoice(channelId?: string) { this.voiceChannel = channelId ?? 'v1'; this.calls.push(`joinVoice:${this.voiceChannel}`); }
  async setMuted(muted: boolean) { this.muted = muted; this.calls.push(`setMuted:${muted}`); }
  async enableVideo() { this.video = true; this.calls.push('enableVideo'); }
  async disableVideo() { this.video = false; this.calls.push('disableVideo'); }
  async startScreenShare() { this.screen = true; this.calls.push('startScreenShare'); }
  async stopScreenShare() { this.screen = false; this.calls.push('stopScreenShare'); }
  async waitForRemoteMedia(kind: RemoteMediaKind, timeoutMs: number): Promise<number> {
    const startedMs = Date.now();
    const has = () => this.others().some((o) => o.voiceChannel === this.voiceChannel && (kind === 'audio' || (kind === 'video' ? o.video : o.screen)));
    while (!has()) {
      if (Date.now() - startedMs > Math.min(timeoutMs, 200)) throw new Error(`no remote ${kind} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
    return Date.now() - startedMs;
  }
  async leaveVoice() { this.calls.push('leaveVoice'); this.voiceChannel = undefined; this.video = false; }
  async upload(filePath: string): Promise<UploadResult> {
    if (this.faults.includes('http_503_upload')) throw Object.assign(new Error('upload: HTTP 503 Service Unavailable'), { status: 503 });
    const bytes = readFileSync(filePath);
    const attachmentId = `a${this.waddle.nextId++}`;
    this.waddle.attachments.set(attachmentId, bytes);
    return { attachmentId, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), durationMs: 4 };
  }
  async download(attachmentId: string): Promise<DownloadResult> {
    const stored = Buffer.from(this.waddle.attachments.get(attachmentId)!);
    if (this.faults.includes('corrupt_download')) stored[0] = stored[0]! ^ 0xff;
    return { bytes: stored.length, sha256: createHash('sha256').update(stored).digest('hex'), durationMs: 3 };
  }
  async leaveWaddle() {}
  async close() { this.waddle.clients.delete(this); }
}

type Recorded = Omit<Sample, 'timeMs'>;

/** Run `users` VUs of one journey for exactly one iteration each, sharing one FakeWaddle. */
async function runJourney(name: string, params: Record<string, unknown>, users = 1, faults: readonly Fault[] = [], thinkTimeScale = 0) {
  const waddle = new FakeWaddle();
  const samples: Recorded[] = [];
  const clients: FakeWaddleClient[] = [];
  const stops = Array.from({ length: users }, () => new AbortController());
  const outcomes: Promise<VuOutcome>[] = [];
  for (let index = 0; index < users; index++) {
    outcomes.push(
      runVirtualUser({
        slot: { index, journey: name, indexInJourney: index, driver: 'browser', params, phase: 'test', phaseIndex: 0, startAtMs: 0, stopAtMs: 1 },
        journey: journeys[name]!,
        createClient: async () => {
          const client = new FakeWaddleClient(`vu-${index}`, waddle, faults);
          clients.push(client);
          return { client, close: () => client.close() };
        },
        recorder: {
          record: (metric, value, tags = {}) => {
            samples.push({ metric, value, tags });
            if (metric === 'journey.errors') stops[index]!.abort(); // one iteration each
          },
        },
        onEvent: () => {},
        stopSignal: stops[index]!.signal,
        abortSignal: new AbortController().signal,
        runSeed: 5,
        thinkTimeScale,
        driver: { name: 'fake', kind: 'protocol', capabilities: [] },
        target: 'http://127.0.0.1:1',
      }),
    );
  }
  const settled = await Promise.all(outcomes);
  const values = (metric: string, tags: Record<string, string> = {}) =>
    samples.filter((s) => s.metric === metric && Object.entries(tags).every(([k, v]) => s.tags[k] === v)).map((s) => s.value);
  return { settled, samples, values, clients, waddle };
}

const allCompleted = (settled: VuOutcome[]) => {
  for (const outcome of settled) expect(outcome.iterations).toEqual({ started: 1, completed: 1, failed: 0, interrupted: 0 });
};

afterAll(() => removeUploadFiles());

describe('seed journeys on FakeWaddleClient', () => {
  it('voiceCall: joins a room by index, hears the other, talks, leaves', async () => {
    const r = await runJourney('voiceCall', { talkMs: 60, speakSegmentMs: 5, roomSize: 2 }, 2);
    allCompleted(r.settled);
    expect(r.values('voice.join_ms', { journey: 'voiceCall' })).toHaveLength(2);
    expect(r.values('media.first_remote_ms', { journey: 'voiceCall', kind: 'audio' }).length).toBeGreaterThanOrEqual(1);
    expect(r.values('step.errors', { step: 'leave_voice' })).toEqual([0, 0]);
    expect(r.clients[0]!.calls).toContain('joinVoice:v1'); // users 0 and 1 share room 0
    expect(r.clients[1]!.calls).toContain('joinVoice:v1');
    expect(r.clients.flatMap((c) => c.calls).some((call) => call.startsWith('setMuted:'))).toBe(true);
    expect(r.values('journey.errors')).toEqual([0, 0]);
  });

  it('videoCall alone: waiting for remote video fails as a non-critical step, the journey still completes', async () => {
    const r = await runJourney('videoCall', { holdMs: 10, remoteMediaTimeoutMs: 50 });
    allCompleted(r.settled);
    expect(r.values('step.errors', { journey: 'videoCall', step: 'wait_remote_video' })).toEqual([1]);
    expect(r.values('media.first_remote_ms')).toEqual([]);
    expect(r.clients[0]!.calls).toEqual(['connect', 'joinWaddle', 'joinVoice:v1', 'enableVideo', 'disableVideo', 'leaveVoice']);
    expect(r.values('journey.errors')).toEqual([0]);
  });

  it('videoCall in pairs records first remote video', async () => {
    const r = await runJourney('videoCall', { holdMs: 30, remoteMediaTimeoutMs: 500 }, 2);
    allCompleted(r.settled);
    expect(r.values('media.first_remote_ms', { kind: 'video' })).toHaveLength(2);
  });

  it('screenShare: starts and stops the share inside the room', async () => {
    const r = await runJourney('screenShare', { holdMs: 10 });
    allCompleted(r.settled);
    expect(r.clients[0]!.calls).toEqual(['connect', 'joinWaddle', 'joinVoice:v1', 'startScreenShare', 'stopScreenShare', 'leaveVoice']);
    expect(r.values('step.errors', { step: 'start_screen_share' })).toEqual([0]);
  });
});

describe('seed journeys on FakeWaddleClient: chat, uploads, mixed usage and defaults', () => {
  it('chatMessaging: sends count messages and measures ack and delivery of the others', async () => {
    const r = await runJourney('chatMessaging', { count: 4, intervalMs: 5, receiveMs: 60, sizeRange: { min: 10, max: 20 } }, 2);
    allCompleted(r.settled);
    expect(r.values('chat.messages_sent', { journey: 'chatMessaging' })).toEqual(Array(8).fill(1));
    expect(r.values('chat.send_ack_ms')).toHaveLength(8);
    expect(r.values('chat.messages_received')).toHaveLength(8); // each sees the other's 4, never its own
    const delivery = r.values('chat.delivery_ms');
    expect(delivery).toHaveLength(8);
    for (const ms of delivery) expect(ms).toBeGreaterThanOrEqual(0);
    expect(r.values('step.errors', { step: 'send_message' })).toEqual(Array(8).fill(0));
  });

  it('fileUpload: uploads, downloads and verifies sha-256', async () => {
    const r = await runJourney('fileUpload', { sizeBytes: 65_536 });
    allCompleted(r.settled);
    expect(r.values('upload.bytes', { journey: 'fileUpload' })).toEqual([65_536]);
    expect(r.values('upload.duration_ms')).toEqual([4]);
    expect(r.values('upload.throughput_mbps')[0]).toBeCloseTo((65_536 * 8) / 1e6 / 0.004, 6);
    expect(r.values('download.verify_errors')).toEqual([0]);
    expect(r.values('step.errors', { step: 'verify_download' })).toEqual([0]);
  });

  it('fileUpload: rests restMs after each upload, within the iteration and scaled like think time', async () => {
    const rested = await runJourney('fileUpload', { sizeBytes: 4_096, restMs: 400 }, 1, [], 0.5);
    allCompleted(rested.settled);
    expect(rested.values('journey.duration_ms')[0]).toBeGreaterThanOrEqual(200);
    const unscaled = await runJourney('fileUpload', { sizeBytes: 4_096, restMs: 400 }, 1, [], 0);
    expect(unscaled.values('journey.duration_ms')[0]).toBeLessThan(200);
  });

  it('fileUpload: a corrupted download is recorded, not thrown', async () => {
    const r = await runJourney('fileUpload', { sizeBytes: 4_096 }, 1, ['corrupt_download']);
    allCompleted(r.settled);
    expect(r.values('download.verify_errors')).toEqual([1]);
    expect(r.values('step.errors', { step: 'verify_download' })).toEqual([1]);
  });

  it('fileUpload: an HTTP 503 fails the iteration as target_error', async () => {
    const r = await runJourney('fileUpload', { sizeBytes: 4_096 }, 1, ['http_503_upload']);
    expect(r.settled[0]!.iterations).toEqual({ started: 1, completed: 0, failed: 1, interrupted: 0 });
    expect(r.values('step.errors', { step: 'upload' })).toEqual([1]);
    expect(r.values('journey.errors')).toEqual([1]);
  });

  it('mixedUsage: voice, chat and reactions in parallel', async () => {
    const r = await runJourney(
      'mixedUsage',
      { messageCount: 3, messageIntervalMs: 5, waitMs: 80, reactProbability: 1, remoteMediaTimeoutMs: 200 },
      2,
    );
    allCompleted(r.settled);
    expect(r.values('chat.messages_sent')).toHaveLength(6);
    expect(r.values('reactions.sent').length).toBeGreaterThanOrEqual(1);
    expect(r.waddle.reactions.length).toBe(r.values('reactions.sent').length);
    expect(r.values('voice.join_ms')).toHaveLength(2);
    expect(r.values('step.errors', { step: 'leave_voice' })).toEqual([0, 0]);
  });

  it('every journey declares defaults that plans can override', () => {
    expect(Object.keys(journeys).sort()).toEqual(['chatFlood', 'chatMessaging', 'fileUpload', 'historyBrowsing', 'mixedUsage', 'screenShare', 'videoCall', 'voiceCall']);
    expect(journeys.voiceCall!.defaults).toMatchObject({ talkMs: 180_000, roomSize: 6 });
    expect(journeys.chatMessaging!.defaults).toMatchObject({ count: 100, intervalMs: 2_000, sizeRange: { min: 10, max: 200 } });
    expect(journeys.videoCall!.media).toEqual({ camera: { width: 1280, height: 720, fps: 30 } });
    expect(journeys.screenShare!.media).toEqual({ screen: { width: 1920, height: 1080, fps: 15 } });
  });
});
