// The reference Waddle in SFU mode, end to end: real Janus (Debian), real Chromium, loopback.
// Two users call through the same UI as in mesh mode and decode each other's camera and a
// screen share; their media comes from Janus (the browsers' selected remote candidate is one of
// Janus's UDP sockets, not the other browser), Janus listens on 127.0.0.1 only, /metrics shows
// the media server's load, and stop() leaves no Janus process behind.
import { execFileSync } from 'node:child_process';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchTestBrowser, makeTestMedia, type TestMedia } from '../clients/browser/test-support.ts';
import { findJanus } from '../reference-waddle/sfu/janus-process.ts';
import { startReferenceWaddle, type ReferenceWaddle } from '../reference-waddle/server.ts';

const RECORD_PCS = `(() => {
  const Native = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = class extends Native { constructor(...args) { super(...args); window.__pcs.push(this); } };
})()`;
// remote "ip:port" of every open connection's selected candidate pair
const REMOTE_ENDPOINTS = `(async () => {
  const out = [];
  for (const pc of window.__pcs) {
    if (pc.connectionState !== 'connected') continue;
    const stats = await pc.getStats();
    stats.forEach((s) => {
      if (s.type !== 'transport' || !s.selectedCandidatePairId) return;
      const pair = stats.get(s.selectedCandidatePairId);
      const remote = pair && stats.get(pair.remoteCandidateId);
      if (remote) out.push(remote.address + ':' + remote.port);
    });
  }
  return out;
})()`;

let waddle: ReferenceWaddle;
let media: TestMedia;
let browser: Browser;
const contexts: BrowserContext[] = [];
let alice: Page;
let bob: Page;

async function loggedIn(username: string): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.addInitScript(RECORD_PCS);
  await page.goto(waddle.url);
  await page.getByLabel('Username').fill(username);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('connection-status').and(page.locator('[data-state="connected"]')).waitFor();
  await page.getByRole('button', { name: 'Open waddle Waddle HQ' }).click();
  return page;
}

/** Decoded frames of the remote element of that kind, over one second: [before, after]. */
async function framesGrowth(page: Page, kind: 'video' | 'screen'): Promise<[number, number]> {
  const element = page.getByTestId('voice-tile').getByTestId(`remote-${kind}`);
  const frames = (): Promise<number> => element.evaluate((v: { getVideoPlaybackQuality(): { totalVideoFrames: number } }) => v.getVideoPlaybackQuality().totalVideoFrames);
  await expect.poll(frames, { timeout: 20_000 }).toBeGreaterThan(0);
  const before = await frames();
  await page.waitForTimeout(1000);
  return [before, await frames()];
}

/** "address:port" of the sockets a process listens or sends on (ss), UDP or TCP. */
function socketsOf(pid: number, proto: 'u' | 't'): string[] {
  const out = execFileSync('ss', [`-${proto}anp`], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes(`pid=${pid},`)).map((l) => l.trim().split(/\s+/)[3] ?? '');
}

async function metrics(): Promise<Record<string, number>> {
  const text = await (await fetch(`${waddle.url}/metrics`)).text();
  return Object.fromEntries(text.split('\n').filter((l) => l.startsWith('waddle_sfu_')).map((l) => [l.split(' ')[0], Number(l.split(' ')[1])]));
}

const janusInstalled = !('problem' in findJanus());

beforeAll(async () => {
  if (!janusInstalled) return;
  waddle = await startReferenceWaddle({ port: 0, media: 'sfu' });
  media = await makeTestMedia();
  browser = await launchTestBrowser(media);
  alice = await loggedIn('alice');
  bob = await loggedIn('bob');
}, 60_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await media?.remove();
  await waddle?.stop();
});

describe.runIf(janusInstalled)('reference Waddle in SFU mode (Janus VideoRoom)', () => {
  it('calls with cameras through Janus: each side decodes the other, from Janus\'s sockets', async () => {
    expect(waddle.media).toBe('sfu');
    for (const page of [alice, bob]) {
      await page.getByRole('button', { name: 'Join voice Voice 1', exact: true }).click();
      await page.getByTestId('voice-panel').and(page.locator('[data-state="joined"]')).waitFor();
    }
    for (const page of [alice, bob]) await page.getByRole('button', { name: 'Camera', exact: true }).click();
    for (const page of [alice, bob]) {
      await page.getByTestId('voice-tile').and(page.locator('[data-camera="true"]')).waitFor();
      const [before, after] = await framesGrowth(page, 'video');
      expect(after).toBeGreaterThan(before + 5); // a 15 fps file: ~15 more in a second
    }
    const janusUdp = new Set(socketsOf(waddle.sfuPid ?? -1, 'u'));
    for (const page of [alice, bob]) {
      const remotes = (await page.evaluate(REMOTE_ENDPOINTS)) as string[];
      expect(remotes.length).toBe(2); // one connection to publish, one to receive the other
      for (const remote of remotes) expect(janusUdp, `${remote} is not a socket of Janus (${[...janusUdp].join(', ')})`).toContain(remote);
    }
    // Janus's API, admin API and media sockets are on loopback only
    const all = [...socketsOf(waddle.sfuPid ?? -1, 'u'), ...socketsOf(waddle.sfuPid ?? -1, 't')];
    expect(all.length).toBeGreaterThan(2);
    for (const address of all) expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('shares a screen the other side decodes, and /metrics shows the SFU\'s load', async () => {
    await bob.getByRole('button', { name: 'Share screen' }).click();
    const [before, after] = await framesGrowth(alice, 'screen');
    expect(after).toBeGreaterThan(before);
    await expect.poll(async () => (await metrics())['waddle_sfu_packets_out_per_s'] ?? 0, { timeout: 10_000 }).toBeGreaterThan(50);
    const m = await metrics();
    expect(m).toMatchObject({ waddle_sfu_rooms: 1, waddle_sfu_publishers: 2, waddle_sfu_subscribers: 2, waddle_sfu_peer_connections: 4 });
    expect(m['waddle_sfu_cpu_pct']).toBeGreaterThan(0);
    expect(m['waddle_sfu_memory_mb']).toBeGreaterThan(5);
    expect(m['waddle_sfu_kbps_out']).toBeGreaterThan(50);
    console.log(`SFU with 2 users (2 cameras + 1 screen): ${JSON.stringify(m)}`);
  });

  it('drops the subscription of a participant who leaves, and stops Janus with the server', async () => {
    await bob.getByRole('button', { name: 'Leave voice' }).click();
    await alice.getByTestId('voice-panel').and(alice.locator('[data-participants="1"]')).waitFor();
    await expect.poll(() => alice.getByTestId('voice-tile').count()).toBe(0);
    await expect.poll(async () => (await metrics())['waddle_sfu_subscribers']).toBe(0);
    const pid = waddle.sfuPid ?? -1;
    await waddle.stop();
    expect(() => process.kill(pid, 0)).toThrow(); // ESRCH: no such process
  });
});
