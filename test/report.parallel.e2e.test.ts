// report.html in a real Debian Chromium: self-contained (no request but the file itself), no console
// errors, every chart drawn (coloured pixels on each canvas), badge = verdict, hostile text escaped.
// Also the release gate: a baseline and a run with one step slowed on purpose → exactly that step flagged.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReportCharts, compareRuns, comparisonVerdictReasons, readRunForReport, writeReport } from '../reports/index.ts';
import { hostileErrorMessage, makeFixtureRun, writeFixtureRunFolder } from '../reports/testing/fixture-run.ts';

const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let browser: Browser | undefined;
let workDir = '';

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'waddle-report-'));
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
});

afterAll(async () => {
  await browser?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

// Runs in the page (a string, because this file is compiled without the DOM lib): per chart, how
// many canvas pixels are strongly coloured — series lines, not grey axes or grid.
const countColouredPixels = `[...document.querySelectorAll('[data-chart]')].map((el) => {
  const canvas = el.querySelector('canvas');
  if (!canvas) return { id: el.getAttribute('data-chart'), coloured: 0 };
  const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
  let coloured = 0;
  for (let i = 0; i < data.length; i += 4) {
    const r = data[i], g = data[i + 1], b = data[i + 2], a = data[i + 3];
    if (a > 200 && Math.max(r, g, b) - Math.min(r, g, b) > 60) coloured++;
  }
  return { id: el.getAttribute('data-chart'), coloured };
})`;

interface Opened { requests: string[]; consoleErrors: string[]; page: import('playwright-core').Page; close(): Promise<void> }

async function openReport(path: string, allowUnder?: string): Promise<Opened> {
  const context = await browser!.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  const fileUrl = pathToFileURL(path).href;
  const allowed = allowUnder ? `${pathToFileURL(allowUnder).href}/` : undefined;
  // Abort anything but the report itself (and, when asked, files of its run folder): a report that
  // needs the network shows up as a request here.
  await context.route('**', (route) => {
    const url = route.request().url();
    return url === fileUrl || (allowed && url.startsWith(allowed)) ? route.continue() : route.abort();
  });
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(message.text()); });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));
  await page.goto(fileUrl);
  await page.waitForSelector('body[data-charts-ready="true"]', { timeout: 30_000 });
  return { requests, consoleErrors, page, close: () => context.close() };
}

describe('report.html in Chromium', () => {
  it('is self-contained, draws every chart, shows the verdict and escapes run text', async () => {
    const run = makeFixtureRun({ withHdr: true, stepErrorRate: { 'fileUpload/upload': 0.12 } });
    expect(run.summary.verdict.result).toBe('fail');
    const runDir = await writeFixtureRunFolder(join(workDir, 'run-a'), run);
    const reportPath = await writeReport(runDir);
    expect(reportPath).toBe(join(runDir, 'report.html'));
    const html = await readFile(reportPath, 'utf8');
    expect(html).not.toContain('<script>window.__pwned');
    expect(html).toContain('&lt;script&gt;window.__pwned');
    expect(html).not.toMatch(/(src|href)=["']https?:/);

    const opened = await openReport(reportPath);
    try {
      const { page } = opened;
      expect(opened.requests).toEqual([pathToFileURL(reportPath).href]);
      expect(opened.consoleErrors).toEqual([]);
      expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
      expect((await page.textContent('#verdict-badge'))?.trim()).toBe('FAIL');
      for (const id of ['facts', 'plan', 'thresholds', 'charts', 'journeys', 'steps', 'errors', 'bottlenecks', 'recommendations', 'generator']) {
        expect(await page.locator(`section#${id}`).count(), `section #${id}`).toBe(1);
      }
      expect(await page.locator('#errors-table').textContent()).toContain(hostileErrorMessage);
      expect(await page.locator('#bottlenecks-table').textContent()).toContain('fileUpload/upload');
      expect(await page.locator('#thresholds-table tbody tr').count()).toBe(run.summary.thresholds.length);
      expect(await page.locator('#steps-table tbody tr').count()).toBe(run.summary.steps.length);

      // Each chart's canvas must hold coloured (series) pixels, not only grey axes and grid.
      const charts = (await page.evaluate(countColouredPixels)) as { id: string; coloured: number }[];
      expect(charts.length).toBeGreaterThanOrEqual(15);
      expect(Number(await page.getAttribute('body', 'data-charts-drawn'))).toBe(charts.length);
      for (const chart of charts) expect(chart.coloured, `chart ${chart.id}`).toBeGreaterThan(50);

      await mkdir('test-output', { recursive: true });
      await page.screenshot({ path: 'test-output/report.png', fullPage: true });
    } finally {
      await opened.close();
    }
  });

  it('badges an inconclusive run and lists generator saturation as a bottleneck', async () => {
    const run = makeFixtureRun({ generatorCpuPct: 96, seed: 3 });
    expect(run.summary.verdict.result).toBe('inconclusive');
    const runDir = await writeFixtureRunFolder(join(workDir, 'run-saturated'), run);
    const opened = await openReport(await writeReport(runDir));
    try {
      expect((await opened.page.textContent('#verdict-badge'))?.trim()).toBe('INCONCLUSIVE');
      expect(await opened.page.locator('#bottlenecks-table').textContent()).toContain('generator_saturation');
      expect(await opened.page.locator('#recommendations-table').textContent()).toContain('Shard the load');
      expect(opened.consoleErrors).toEqual([]);
    } finally {
      await opened.close();
    }
  });
});

describe('report.html in Chromium: against a baseline, and many steps', () => {
  it('flags exactly the step made slower on purpose against a baseline', async () => {
    const baselineDir = await writeFixtureRunFolder(join(workDir, 'baseline'), makeFixtureRun({ runId: 'baseline-run', seed: 11 }));
    const currentDir = await writeFixtureRunFolder(join(workDir, 'current'),
      makeFixtureRun({ runId: 'current-run', seed: 11, stepLatencyFactor: { 'videoCall/join_voice': 1.6 } }));
    const current = await readRunForReport(currentDir);
    const baseline = await readRunForReport(baselineDir);
    const comparison = compareRuns(current.summary, baseline.summary, { marginPct: 10, minAbsMs: 5 });
    expect(comparison.regressions.map((r) => `${r.kind} ${r.key}`)).toEqual(['step_p95 videoCall/join_voice']);
    expect(comparisonVerdictReasons(comparison)).toHaveLength(1);
    expect(comparisonVerdictReasons(comparison)[0]).toContain('baseline-run');

    const opened = await openReport(await writeReport(currentDir, { baselineDir }));
    try {
      const regressions = await opened.page.locator('#regressions li').allTextContents();
      expect(regressions).toHaveLength(1);
      expect(regressions[0]).toContain('videoCall/join_voice');
      const flaggedRows = await opened.page.locator('#comparison-table tbody tr', { hasText: 'regression' }).allTextContents();
      expect(flaggedRows).toHaveLength(1);
      expect(flaggedRows[0]).toContain('videoCall/join_voice');
      expect(opened.consoleErrors).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  it('draws the 6 slowest of 38 step lines by default, the rest a click away, and reads well (screenshot)', async () => {
    const run = makeFixtureRun({ seed: 6, extraSteps: 9, stepLatencyFactor: { 'chatMessaging/open_channel': 12, 'videoCall/join_voice': 3 } });
    const runDir = await writeFixtureRunFolder(join(workDir, 'many-steps'), run);
    const opened = await openReport(await writeReport(runDir));
    try {
      const { page } = opened;
      const legend = (state: string) => page.locator(`#chart-step-p95 .u-legend .u-series${state}`).allTextContents();
      expect(await legend('')).toHaveLength(38);
      const drawn = (await legend(':not(.u-off)')).map((t) => t.trim());
      const slowest = buildReportCharts(run.intervals).find((c) => c.id === 'step-p95')!.series.slice(0, 6).map((x) => x.label);
      expect(drawn).toEqual(slowest);
      expect(drawn).toEqual(expect.arrayContaining(['chatMessaging / open_channel', 'videoCall / join_voice', 'fileUpload / upload']));
      await page.click('button[data-chart-show="all"][data-for="step-p95"]');
      expect(await legend('.u-off')).toHaveLength(0);
      await page.click('button[data-chart-show="top"][data-for="step-p95"]');
      expect(await legend('.u-off')).toHaveLength(32);
      // a hidden step is one click on its name away
      await page.locator('#chart-step-p95 .u-legend .u-series', { hasText: 'fileUpload / extra_9' }).click();
      expect(await legend('.u-off')).toHaveLength(31);
      expect(opened.consoleErrors).toEqual([]);
      await page.locator('#chart-step-p95 .u-legend .u-series', { hasText: 'fileUpload / extra_9' }).click();
      await mkdir('test-output', { recursive: true });
      await page.locator('#chart-step-p95').locator('xpath=..').screenshot({ path: 'test-output/report-step-chart.png' });
    } finally {
      await opened.close();
    }
  });
});

describe('report.html in Chromium: evidence of a failed step', () => {
  it('links what the page looked like when a step failed: a thumbnail that opens the full screenshot, the trace, DOM and console log', async () => {
    const runDir = join(workDir, 'failed-run');
    const base = 'evidence/videoCall-wait_remote_video-1';
    await mkdir(join(runDir, 'evidence'), { recursive: true });
    // real evidence, made as the run makes it: a screenshot, a Playwright trace and the DOM of a page
    const context = await browser!.newContext({ viewport: { width: 640, height: 360 } });
    await context.tracing.start({ screenshots: true, snapshots: true });
    const evidencePage = await context.newPage();
    await evidencePage.setContent('<h1>General voice</h1><p>Waiting for remote video…</p><div style="width:320px;height:180px;background:#1b3a5c;color:#fff">no remote video</div>');
    await evidencePage.screenshot({ path: join(runDir, `${base}.png`) });
    await writeFile(join(runDir, `${base}.html`), await evidencePage.content());
    await context.tracing.stop({ path: join(runDir, `${base}.zip`) });
    await context.close();
    await writeFile(join(runDir, `${base}.console.txt`), '[error] remote track never arrived\n');
    const files = [`${base}.png`, `${base}.zip`, `${base}.html`, `${base}.console.txt`, 'evidence/gone.png', '../../etc/passwd'];
    const run = makeFixtureRun({ seed: 8, evidence: [{ journey: 'videoCall', step: 'wait_remote_video', reason: 'timeout', message: 'vu-0003 videoCall/wait_remote_video: no remote video after 15000 ms', atMs: Date.UTC(2025, 0, 15, 10, 1, 5), files }] });
    await writeFixtureRunFolder(runDir, run);
    const opened = await openReport(await writeReport(runDir), runDir);
    try {
      const { page } = opened;
      const row = page.locator('#evidence-table tbody tr');
      expect(await row.count()).toBe(1);
      expect(await row.textContent()).toContain('videoCall/wait_remote_video');
      const thumb = row.locator('a.thumb-link img.thumb');
      await thumb.scrollIntoViewIfNeeded(); // thumbnails load lazily
      await expect.poll(() => thumb.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(640);
      expect((await thumb.boundingBox())!.width).toBeLessThanOrEqual(240);
      const href = (name: string) => row.locator('a', { hasText: name }).evaluate((a) => (a as unknown as { href: string }).href);
      expect(await href('Playwright trace')).toBe(pathToFileURL(join(runDir, `${base}.zip`)).href);
      expect(await href('DOM snapshot')).toBe(pathToFileURL(join(runDir, `${base}.html`)).href);
      expect(await href('console log')).toBe(pathToFileURL(join(runDir, `${base}.console.txt`)).href);
      expect(await row.textContent()).toContain('evidence/gone.png (missing from the run folder)');
      expect(await row.textContent()).toContain('../../etc/passwd (not a path inside the run folder; not linked)');
      // the thumbnail opens the screenshot full size
      const [full] = await Promise.all([page.context().waitForEvent('page'), thumb.click()]);
      await full.waitForLoadState();
      expect(full.url()).toBe(pathToFileURL(join(runDir, `${base}.png`)).href);
      expect(await full.evaluate('document.images[0].naturalWidth')).toBe(640);
      expect(opened.consoleErrors).toEqual([]);
      await mkdir('test-output', { recursive: true });
      await page.locator('#errors').screenshot({ path: 'test-output/report-failures.png' });
    } finally {
      await opened.close();
    }
  });
});
