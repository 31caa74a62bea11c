// `run --live`: the live view served on loopback while a real run goes, read in real Chromium:
// the report's charts drawn and redrawn as intervals arrive, the verdict as it stands (here a
// threshold that fails from the first data on), and the page saying so once the fleet has gone.
// Protocol users only, so the fleet itself starts no browser; Chromium is the watcher's.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { runCli, startCli } from './helpers/cli.ts';

const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
let dir: string;
let browser: Browser;

const plan = `import { definePlan } from 'waddle-fleet';
export default definePlan({
  name: 'live-view',
  phases: [{ name: 'steady', targetUsers: 4, rampUp: '1s', duration: '14s',
    scenarios: [{ journey: 'chatMessaging', driver: 'protocol', users: 4, params: { count: 40, intervalMs: 300, receiveMs: 1000 } }] }],
  thresholds: { 'chat.send_ack_ms': ['p(95)<0.001'], 'chat.delivery_ms': ['p(95)<5000'] },
  gracefulStop: '5s',
});
`;

beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'waddle-fleet-live-'));
  await writeFile(join(dir, 'live.ts'), plan);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
});
afterAll(async () => {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

// its cases at once (describe.concurrent): each its own plan or port and results folder, no time asserted
describe.concurrent('waddle-fleet run --live', () => {
  it('serves charts that update every interval and the verdict as it stands, then says the run ended', async ({ expect }) => {
    const cli = startCli(['run', join(dir, 'live.ts'), '--results', join(dir, 'results'), '--no-progress', '--interval', '1s', '--live', '--live-port', '0'], { cwd: dir });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const m = /live view: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(cli.output());
        if (m) { clearInterval(timer); resolve(m[1]!); }
      }, 100);
      void cli.done.then(() => { clearInterval(timer); reject(new Error(`the run ended without a live view:\n${cli.output()}`)); });
    });
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(url);
    await page.waitForSelector('body[data-charts-ready="true"]');
    expect(await page.textContent('#verdict-badge')).toMatch(/^LIVE · /);
    // the page refreshes in place; once data has come, the failing threshold shows as failing now
    await page.waitForSelector('body[data-live-updates="3"]', { timeout: 20_000 });
    await page.waitForSelector('#verdict-badge[data-live-state="failing"]', { timeout: 20_000 });
    expect(await page.textContent('#verdict-reasons')).toContain('chat.send_ack_ms');
    expect(await page.textContent('#live-where')).toMatch(/phase steady · \d+ users active/);
    // (page code as strings: this file is type-checked without the DOM library)
    const points = "JSON.parse(document.getElementById('report-data').textContent).charts[0].x.length";
    const pointsEarly = Number(await page.evaluate(points));
    await expect.poll(async () => Number(await page.evaluate(points)), { timeout: 10_000 }).toBeGreaterThan(pointsEarly);
    expect(Number(await page.getAttribute('body', 'data-charts-drawn'))).toBeGreaterThan(0);

    const result = await cli.done;
    // the final verdict agrees with what the live view showed: FAIL (or INCONCLUSIVE when other
    // work starved this generator — the saturation judge's call, which outranks thresholds)
    if (result.code === 4) expect(result.stdout).toMatch(/SATURATED/);
    else expect(result.code, result.stdout.slice(-1500)).toBe(3);
    await page.waitForSelector('body[data-live-ended="true"]', { timeout: 10_000 });
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('refuses a --live-port that is taken before any load (exit 2)', async ({ expect }) => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const r = await runCli(['run', join(dir, 'live.ts'), '--results', join(dir, 'results-taken'), '--no-progress', '--live', '--live-port', String(port)], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stdout + r.stderr).toContain(`--live-port: 127.0.0.1:${port} is taken`);
    } finally {
      blocker.close();
    }
  });
});
