// How long one failure capture (screenshot + DOM snapshot + console log) holds its user, on the
// reference Waddle's chat page with 30 messages: node --import tsx bench/evidence-capture.ts
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { BrowserWaddleClient } from '../clients/browser/browser-waddle-client.ts';
import { FailureEvidenceRecorder } from '../fleet/evidence/failure-evidence.ts';
import { watchPageConsole } from '../fleet/evidence/page-console.ts';
import { startReferenceWaddle } from '../reference-waddle/server.ts';
const waddle = await startReferenceWaddle({ port: 0 });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
await page.addInitScript('globalThis.__name ??= (fn) => fn;');
const log = watchPageConsole(page);
const client = new BrowserWaddleClient(page, { baseUrl: waddle.url, username: 'cost' });
await client.connect(); await client.joinWaddle(); await client.openTextChannel();
for (let i = 0; i < 30; i++) await client.sendMessage(`message ${i}`);
const runDir = await mkdtemp(join(os.tmpdir(), 'capture-cost-'));
const recorder = new FailureEvidenceRecorder({ runDir, perStepLimit: 100, totalLimit: 100 });
const times: number[] = [];
for (let i = 0; i < 10; i++) {
  const t = performance.now();
  await recorder.capture({ journey: 'j', step: 's', driver: 'browser', reason: 'timeout', message: 'm', vu: i }, { page, console: log });
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
console.log(`capture ms over 10: min ${times[0]!.toFixed(0)} median ${times[5]!.toFixed(0)} max ${times[9]!.toFixed(0)}; files ${recorder.list()[0]!.files.join(', ')}`);
await browser.close();
await waddle.stop();
await rm(runDir, { recursive: true, force: true });
