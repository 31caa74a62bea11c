// The usual way to drive browser users with Playwright (as Artillery's Playwright engine or a
// hand-written script does): one browser with Playwright's default flags (plus the fake-device
// and autoplay flags any WebRTC load test needs), one context per user with the default viewport,
// the same page actions as the fleet (BrowserWaddleClient's locators) and the same measurements:
// chat delivery from the same in-page observer, video fps and freezes from getStats, polled
// with page.evaluate every 2 s through a recorded list of the page's RTCPeerConnections.
//
//   node --import tsx bench/density/usual-way.ts <workload> <users> <target> <out.json> [rampMs]
//   (env DENSITY_USUAL_VARIANT='{"context":{...},"args":[...]}' screens a lever on the usual way)
// Runs until SIGTERM, then writes what it measured to out.json and exits.
import { writeFileSync } from 'node:fs';
import { chromium, type BrowserContextOptions, type Page } from 'playwright-core';
import { BrowserWaddleClient } from '../../clients/browser/browser-waddle-client.ts';
import { defaultMediaCacheDir } from '../../fake-media/media-cache.ts';
import { prepareMedia } from '../../fake-media/prepare-media.ts';
import { sleep, type TimedValue } from './fillers.ts';
import { channelIndexOf, roomIndexOf, workloads, type WorkloadName } from './workloads.ts';

export interface WayMeasurements {
  readonly sent: number[];
  readonly delivered: TimedValue[];
  readonly fps: TimedValue[];
  readonly freezes: TimedValue[];
  ready: number;
  readonly failures: string[];
}

const recordPeerConnections = `(() => {
  const Native = window.RTCPeerConnection;
  if (!Native || window.__pcs) return;
  const pcs = (window.__pcs = []);
  window.RTCPeerConnection = class extends Native { constructor(...a) { super(...a); pcs.push(this); } };
})()`;
const inboundVideo = `(async () => {
  const out = [];
  for (const pc of window.__pcs || []) {
    if (pc.connectionState === 'closed') continue;
    (await pc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') out.push({ id: s.id, frames: s.framesDecoded || 0, freezes: s.freezeCount || 0 }); });
  }
  return out;
})()`;

async function pollVideo(page: Page, m: WayMeasurements, signal: AbortSignal): Promise<void> {
  let prev = new Map<string, { frames: number; freezes: number; atMs: number }>();
  while (!signal.aborted) {
    await sleep(2000, signal);
    const atMs = Date.now();
    const now = (await page.evaluate(inboundVideo).catch(() => [])) as { id: string; frames: number; freezes: number }[];
    const next = new Map<string, { frames: number; freezes: number; atMs: number }>();
    for (const s of now) {
      const p = prev.get(s.id);
      if (p && s.frames > 0) {
        m.fps.push({ atMs, value: ((s.frames - p.frames) * 1000) / (atMs - p.atMs) });
        m.freezes.push({ atMs, value: s.freezes - p.freezes });
      }
      next.set(s.id, { ...s, atMs });
    }
    prev = next;
  }
}

async function main(): Promise<void> {
  const [name, usersText, target, out, rampText] = process.argv.slice(2);
  const w = workloads[name as WorkloadName];
  const users = Number(usersText);
  if (!w || !target || !out || !(users > 0)) throw new Error('usage: usual-way.ts <chat|video|idle> <users> <target> <out.json> [rampMs]');
  const rampMs = Number(rampText ?? 10_000);
  const media = await prepareMedia({ cacheDir: defaultMediaCacheDir(), voiceActivity: 0.5, ...(w.camera ? { camera: { ...w.camera, label: `waddle-fleet ${w.camera.width}x${w.camera.height}@${w.camera.fps}` } } : {}) });
  const args = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${media.micWav}`, '--autoplay-policy=no-user-gesture-required'];
  if (media.cameraY4m) args.push(`--use-file-for-fake-video-capture=${media.cameraY4m}`);
  // a variant of the usual way (bench:density --variant NAME=usual:JSON): context options and extra switches, to screen a lever
  const variant = JSON.parse(process.env.DENSITY_USUAL_VARIANT ?? '{}') as { context?: BrowserContextOptions; args?: string[] };
  args.push(...(variant.args ?? []));
  const browser = await chromium.launch({ executablePath: process.env.WADDLE_FLEET_CHROMIUM ?? '/usr/bin/chromium', args });
  const m: WayMeasurements = { sent: [], delivered: [], fps: [], freezes: [], ready: 0, failures: [] };
  const stop = new AbortController();
  process.once('SIGTERM', () => stop.abort());
  const loops: Promise<void>[] = [];
  const startUser = async (i: number): Promise<void> => {
    const context = await browser.newContext(variant.context);
    const page = await context.newPage();
    await page.addInitScript(recordPeerConnections);
    const client = new BrowserWaddleClient(page, { baseUrl: target, username: `usual-${String(i).padStart(4, '0')}` });
    await client.connect();
    const waddle = await client.joinWaddle();
    if (w.name === 'video') {
      await client.joinVoice(waddle.voiceChannels[roomIndexOf(i, w.roomSize ?? 2) % waddle.voiceChannels.length]!.id);
      await client.enableVideo();
      await client.waitForRemoteMedia('video', 30_000);
      loops.push(pollVideo(page, m, stop.signal));
    } else {
      await client.openTextChannel(waddle.textChannels[channelIndexOf(i, w.channelSize ?? 10) % waddle.textChannels.length]!.id);
      client.onMessage((msg) => {
        if (msg.author !== client.username && msg.sentAtMs !== undefined) m.delivered.push({ atMs: msg.receivedAtMs, value: msg.receivedAtMs - msg.sentAtMs });
      });
      if (w.name === 'chat') loops.push(chatLoop(client, w.chatIntervalMs ?? 2000, m, stop.signal));
    }
    m.ready++;
  };
  console.log('load');
  const starts = Array.from({ length: users }, (_, i) =>
    sleep((i * rampMs) / users, stop.signal).then(() => (stop.signal.aborted ? undefined : startUser(i).catch((e: Error) => void m.failures.push(`user ${i}: ${e.message.split('\n')[0]}`)))),
  );
  await Promise.all(starts);
  console.log(`ready ${m.ready}/${users}`);
  await new Promise<void>((resolve) => (stop.signal.aborted ? resolve() : stop.signal.addEventListener('abort', () => resolve(), { once: true })));
  await Promise.allSettled(loops);
  writeFileSync(out, JSON.stringify(m));
  await browser.close().catch(() => {});
  process.exit(0);
}

async function chatLoop(client: BrowserWaddleClient, intervalMs: number, m: WayMeasurements, signal: AbortSignal): Promise<void> {
  let n = 0;
  while (!signal.aborted) {
    const ok = await client.sendMessage(chatText(n++)).then(() => true, () => false);
    if (ok) m.sent.push(Date.now());
    await sleep(intervalMs, signal);
  }
}

await main();

/** 10 to 200 characters, like the fleet's chatMessaging default sizeRange. */
function chatText(n: number): string {
  const length = 10 + ((n * 97) % 191);
  return 'usual way message, some words to render. '.repeat(6).slice(0, length);
}
