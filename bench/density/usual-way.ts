// The usual way to drive browser users, written as a tester writes it: plain Playwright, no fleet
// code. One browser (Playwright's defaults plus the fake-device and autoplay switches any WebRTC
// load test needs), a context per user, locators, fill and click; for chat one page.evaluate every
// second reads the messages rendered since the last read (the reference client stamps each with
// its sender's send time and its own render time, so delivery = rendered − sent, no observer);
// for video one page.evaluate every 2 s reads getStats of the page's RTCPeerConnections, recorded
// by an init script. The bench prepares the media files (the fleet's, so both ways send the same
// frames) and passes their paths; everything else here is Playwright.
//
//   node --import tsx bench/density/usual-way.ts <chat|video|idle> <users> <target> <out.json> [rampMs]
//   env DENSITY_USUAL_SHAPE='{"channelSize":10,"chatIntervalMs":2000,"roomSize":2}'
//       DENSITY_USUAL_MEDIA='{"mic":"/path/mic.wav","camera":"/path/cam.y4m"}'
//       DENSITY_USUAL_VARIANT='{"context":{...},"args":[...]}' (a lever screened on the usual way)
// Runs until SIGTERM, then writes what it measured to out.json and exits.
import { existsSync, writeFileSync } from 'node:fs';
import { chromium, type BrowserContextOptions, type Page } from 'playwright-core';

export interface TimedValue { readonly atMs: number; readonly value: number }

export interface WayMeasurements {
  readonly sent: number[];
  readonly delivered: TimedValue[];
  readonly fps: TimedValue[];
  readonly freezes: TimedValue[];
  ready: number;
  readonly failures: string[];
}

// Playwright's own headless runs use the headless shell; a tester on Debian installs its package
// (chromium-headless-shell) or the full browser, and names the binary. The same binary as the
// fleet's default, so the ways differ by their code, not their browser.
const usualChromium = () => (existsSync('/usr/lib/chromium/chromium-headless-shell') ? '/usr/lib/chromium/chromium-headless-shell' : '/usr/bin/chromium');

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => (clearTimeout(t), signal.removeEventListener('abort', done), resolve());
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

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
/** the others' messages rendered since the last call: [sent, rendered] epoch ms, each read once */
const newMessages = (me: string) => `(() => {
  const out = [];
  for (const li of document.querySelectorAll('li[data-testid="message"]:not([data-read])')) {
    if (!li.dataset.renderedAt) continue;
    li.dataset.read = '';
    if (li.dataset.author !== ${JSON.stringify(me)} && li.dataset.sentAt && !li.dataset.history) out.push([Number(li.dataset.sentAt), Number(li.dataset.renderedAt)]);
  }
  return out;
})()`;

async function login(page: Page, target: string, username: string): Promise<void> {
  await page.goto(target);
  await page.getByLabel('Username').fill(username);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('connection-status').and(page.locator('[data-state="connected"]')).waitFor();
  await page.getByTestId('waddle').first().getByRole('button').click();
  await page.getByTestId('text-channel').first().waitFor();
}

async function chatUser(page: Page, me: string, channel: number, sendEveryMs: number | undefined, m: WayMeasurements, signal: AbortSignal): Promise<void> {
  await page.getByTestId('text-channel').nth(channel).click();
  await page.getByTestId('channel-title').waitFor();
  m.ready++;
  const read = newMessages(me);
  const reading = (async () => {
    while (!signal.aborted) {
      await sleep(1000, signal);
      for (const [sent, rendered] of ((await page.evaluate(read).catch(() => [])) as [number, number][])) m.delivered.push({ atMs: rendered, value: rendered - sent });
    }
  })();
  for (let n = 0; sendEveryMs !== undefined && !signal.aborted; n++) {
    const next = Date.now() + sendEveryMs;
    await page.getByLabel('Write a message').fill(chatText(n));
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    m.sent.push(Date.now());
    await sleep(next - Date.now(), signal);
  }
  await reading;
}

async function videoUser(page: Page, room: number, m: WayMeasurements, signal: AbortSignal): Promise<void> {
  await page.getByTestId('voice-channel').nth(room).click();
  await page.getByTestId('voice-panel').and(page.locator('[data-state="joined"]')).waitFor();
  await page.getByRole('button', { name: 'Camera', exact: true }).click();
  await page.getByTestId('remote-video').first().waitFor({ timeout: 30_000 });
  m.ready++;
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
  const [workload, usersText, target, out, rampText] = process.argv.slice(2);
  const users = Number(usersText);
  if (!['chat', 'video', 'idle'].includes(workload ?? '') || !target || !out || !(users > 0)) throw new Error('usage: usual-way.ts <chat|video|idle> <users> <target> <out.json> [rampMs]');
  const rampMs = Number(rampText ?? 10_000);
  const shape = JSON.parse(process.env.DENSITY_USUAL_SHAPE ?? '{}') as { channelSize?: number; chatIntervalMs?: number; roomSize?: number };
  const media = JSON.parse(process.env.DENSITY_USUAL_MEDIA ?? '{}') as { mic?: string; camera?: string };
  const variant = JSON.parse(process.env.DENSITY_USUAL_VARIANT ?? '{}') as { context?: BrowserContextOptions; args?: string[]; executablePath?: string };
  // the last flag: the headless shell names ICE host candidates by mDNS, which nothing resolves
  // here, so its calls never connect; a tester adds it when they do not
  const args = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--autoplay-policy=no-user-gesture-required', '--disable-features=WebRtcHideLocalIpsWithMdns', ...(variant.args ?? [])];
  if (media.mic) args.push(`--use-file-for-fake-audio-capture=${media.mic}`);
  if (media.camera) args.push(`--use-file-for-fake-video-capture=${media.camera}`);
  // SIGTERM is the bench's "stop and report", not a crash: Playwright's own handler would close the
  // browser under a user's fill at once (the confirms at 9 and 10 users each counted that as a failure)
  const browser = await chromium.launch({ executablePath: variant.executablePath ?? process.env.WADDLE_FLEET_CHROMIUM ?? usualChromium(), args, handleSIGTERM: false });
  const m: WayMeasurements = { sent: [], delivered: [], fps: [], freezes: [], ready: 0, failures: [] };
  const stop = new AbortController();
  process.once('SIGTERM', () => stop.abort());
  const running: Promise<void>[] = [];
  const user = async (i: number): Promise<void> => {
    const page = await (await browser.newContext(variant.context)).newPage();
    await page.addInitScript(recordPeerConnections);
    const me = `usual-${String(i).padStart(4, '0')}`;
    await login(page, target, me);
    // the same channels and rooms as the fleet's users: channelSize (roomSize) users to each, by index
    if (workload === 'video') running.push(videoUser(page, Math.floor(i / (shape.roomSize ?? 2)), m, stop.signal));
    else running.push(chatUser(page, me, Math.floor(i / (shape.channelSize ?? 10)), workload === 'chat' ? shape.chatIntervalMs ?? 2000 : undefined, m, stop.signal));
  };
  console.log('load');
  await Promise.all(Array.from({ length: users }, (_, i) =>
    sleep((i * rampMs) / users, stop.signal).then(() => (stop.signal.aborted ? undefined : user(i).catch((e: Error) => void m.failures.push(`user ${i}: ${e.message.split('\n')[0]}`))))));
  await new Promise<void>((resolve) => (stop.signal.aborted ? resolve() : stop.signal.addEventListener('abort', () => resolve(), { once: true })));
  const settled = await Promise.allSettled(running);
  for (const s of settled) if (s.status === 'rejected') m.failures.push(String((s.reason as Error).message).split('\n')[0]!);
  writeFileSync(out, JSON.stringify(m));
  await browser.close().catch(() => {});
  process.exit(0);
}

/** 10 to 200 characters, like the fleet's chatMessaging default sizeRange. */
function chatText(n: number): string {
  const length = 10 + ((n * 97) % 191);
  return 'usual way message, some words to render. '.repeat(6).slice(0, length);
}

await main();
