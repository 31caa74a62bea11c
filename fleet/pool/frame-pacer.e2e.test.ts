// --frame-rate (frame-pacer.ts) through the real pool: the headless shell under BeginFrame control,
// real pages on a loopback server. Frames are counted in the page with requestAnimationFrame.
// Bounds are what pacing guarantees, loose for a busy machine: a paced idle page never gets more
// than asked (plus timer slack); it gets many more while a driver acts; a plain page gets ~60.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headlessShellPath } from '../../fake-media/chromium-binary.ts';
import type { RunEvent } from '../../metrics/types.ts';
import { withFrames } from '../../clients/browser/frame-demand.ts';
import { PageUi } from '../../clients/browser/page-ui.ts';
import { BrowserPool, type PoolSession } from './browser-pool.ts';

const mediaCacheDir = join(tmpdir(), 'waddle-fleet-test-media');
const recorder = { record: () => {} };
// a button that, clicked, adds #done a moment later (as an app answers a click)
const html = `<!doctype html><title>pacer test</title>
<button onclick="setTimeout(() => { const d = document.createElement('p'); d.id = 'done'; document.body.append(d); }, 20)">go</button>`;
/** animation frames the page gets in ms (page code as a string: no DOM lib here) */
const rafsIn = (ms: number) => `new Promise((done) => { let n = 0; const t0 = performance.now();
  const tick = () => { n++; if (performance.now() - t0 < ${ms}) requestAnimationFrame(tick); else done(n); };
  requestAnimationFrame(tick); })`;

let server: http.Server;
let baseUrl: string;
beforeAll(async () => {
  server = http.createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(html);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});

async function withPool<T>(frameRate: number, users: number, use: (sessions: PoolSession[], events: RunEvent[]) => Promise<T>): Promise<T> {
  const events: RunEvent[] = [];
  const pool = await BrowserPool.launch({ maxBrowsers: 1, contextsPerBrowser: users, mediaCacheDir, allowedHosts: ['127.0.0.1'], onEvent: (e) => events.push(e), frameRate, executablePath: headlessShellPath });
  try {
    const sessions: PoolSession[] = [];
    for (let i = 0; i < users; i++) sessions.push(await pool.acquire({ label: `vu-${i}`, media: {}, recorder, tags: { journey: 'test' }, timeoutMs: 60_000 }));
    for (const s of sessions) await s.page.goto(baseUrl);
    return await use(sessions, events);
  } finally {
    await pool.close();
  }
}

describe.skipIf(!existsSync(headlessShellPath))('--frame-rate: pages nobody looks at get fewer frames', () => {
  it('a plain page gets ~60 frames a second (what the counts below are against)', async () => {
    await withPool(0, 1, async ([s]) => {
      expect(await s!.page.evaluate(rafsIn(1000))).toBeGreaterThanOrEqual(30);
    });
  }, 90_000);

  it('three paced pages of one browser: each gets the asked 4 a second idle, more while a driver acts; clicks work; the browser lives', async () => {
    await withPool(4, 3, async (sessions, events) => {
      // all three at once: one beginFrame at a time per browser (two at once crash its GPU process)
      const idle = (await Promise.all(sessions.map((s) => s.page.evaluate(rafsIn(2000))))) as number[];
      for (const n of idle) {
        expect(n).toBeGreaterThanOrEqual(2);
        expect(n).toBeLessThanOrEqual(12); // 8 asked in 2 s; never the ~120 of a plain page
      }
      const page = sessions[0]!.page;
      const acting = (await withFrames(page, () => page.evaluate(rafsIn(2000)))) as number;
      expect(acting).toBeGreaterThanOrEqual(40);
      // a click waits for its target to hold still over two frames: it completes, as a person's would
      const ui = new PageUi(page, 'vu-0', 10_000);
      await ui.click('the go button', page.locator('button'));
      await ui.waitFor('#done', page.locator('#done'), 'attached');
      // after the action the page is back to the asked rate
      expect(await page.evaluate(rafsIn(2000))).toBeLessThanOrEqual(12);
      expect(sessions[0]!.page.context().browser()!.isConnected()).toBe(true);
      expect(events.filter((e) => e.type === 'browser_crash')).toEqual([]);
      // the launch says its pages are paced: their paint timings follow the pacer
      const launch = events.find((e) => e.type === 'browser_launch')!;
      expect(launch.data).toMatchObject({ frameRate: 4 });
      expect(launch.message).toContain('pages paced at 4 frames/s');
    });
  }, 120_000);
});
