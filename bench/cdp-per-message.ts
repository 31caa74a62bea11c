// bench/cdp-per-message.ts — how many CDP messages the fleet's Node exchanges with Chromium per chat
// message a browser user sends and per message it receives (issue 18). Each message costs Playwright
// work in Node (JSON, dispatch, an error object with a stack per call), so the counts say what a
// lever on the browser driver saves, and unlike CPU figures they do not move with a busy machine.
//
//   node --import tsx bench/cdp-per-message.ts [ROOT]     (ROOT: another checkout, to compare)
//
// One real Chromium page (BrowserWaddleClient) and one protocol user on a reference Waddle in this
// process: the page sends 20 messages, then receives 40 from the protocol user. Playwright's own
// protocol log (DEBUG=pw:protocol, in a child process) is counted between marks.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SENDS = 20;
const RECEIPTS = 40;
const root = resolve(process.argv[2] ?? fileURLToPath(new URL('..', import.meta.url)));

if (process.env['CDP_PER_MESSAGE_CHILD'] !== '1') {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), root], { env: { ...process.env, DEBUG: 'pw:protocol', CDP_PER_MESSAGE_CHILD: '1' }, stdio: ['ignore', 'inherit', 'pipe'] });
  const counts = { send: { out: 0, in: 0 }, receive: { out: 0, in: 0 } };
  let phase: keyof typeof counts | undefined;
  let rest = '';
  child.stderr!.on('data', (d: Buffer) => {
    const lines = (rest + d.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (line.includes('MARK send-start')) phase = 'send';
      else if (line.includes('MARK send-end')) phase = 'receive';
      else if (line.includes('MARK receive-end')) phase = undefined;
      else if (phase && line.includes('SEND ►')) counts[phase].out++;
      else if (phase && line.includes('◀ RECV')) counts[phase].in++;
    }
  });
  const code = await new Promise<number>((r) => child.on('exit', (c) => r(c ?? 1)));
  if (code !== 0) throw new Error(`bench/cdp-per-message: the measuring child exited ${code}`);
  const per = (n: number, of: number) => (n / of).toFixed(2);
  console.log(`${root}: per message sent ${per(counts.send.out, SENDS)} CDP messages out, ${per(counts.send.in, SENDS)} in; per message received ${per(counts.receive.out, RECEIPTS)} out, ${per(counts.receive.in, RECEIPTS)} in`);
} else {
  const { chromium } = await import('playwright-core');
  const { BrowserWaddleClient } = (await import(`${root}/clients/browser/browser-waddle-client.ts`)) as typeof import('../clients/browser/browser-waddle-client.ts');
  const { ProtocolWaddleClient } = (await import(`${root}/clients/protocol/protocol-waddle-client.ts`)) as typeof import('../clients/protocol/protocol-waddle-client.ts');
  const { startReferenceWaddle } = (await import(`${root}/reference-waddle/server.ts`)) as typeof import('../reference-waddle/server.ts');
  const mark = (s: string) => process.stderr.write(`MARK ${s}\n`);
  const waddle = await startReferenceWaddle({ port: 0 });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const web = new BrowserWaddleClient(await browser.newPage(), { baseUrl: waddle.url, username: 'web' });
    await web.connect();
    await web.joinWaddle();
    await web.openTextChannel();
    const proto = new ProtocolWaddleClient({ baseUrl: waddle.url, username: 'proto' });
    await proto.connect();
    await proto.joinWaddle();
    await proto.openTextChannel();
    let got = 0;
    web.onMessage((m) => void (m.author === 'proto' && got++));
    mark('send-start');
    for (let i = 0; i < SENDS; i++) await web.sendMessage(`counted send ${i}`);
    mark('send-end');
    for (let i = 0; i < RECEIPTS; i++) {
      await proto.sendMessage(`counted receipt ${i}`);
      await new Promise((r) => setTimeout(r, 50)); // a channel's pace, not a burst
    }
    while (got < RECEIPTS) await new Promise((r) => setTimeout(r, 50));
    mark('receive-end');
    await web.close();
    await proto.close();
  } finally {
    await browser.close();
    await waddle.stop();
  }
}
