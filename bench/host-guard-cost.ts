// What the host guard costs the generator: N chat users on the reference Waddle (real Chromium,
// the pool's flags and probe, BrowserWaddleClient), with
//   none   no guard at all (the probe's own checks off),
//   route  the guard before issue 9: context.route on every request + the probe's in-page checks,
//   proxy  HostGuard: every request through the guard proxy in this process + its in-page half.
// Per mode: page load (goto → load event of the first page), user setup (login, join the waddle,
// open the channel; users one after another), the send → ack time of chat messages, and CPU of
// this process (which runs the proxy) and of the Chromium tree while every user sends a message
// every 2 s. Modes are interleaved round by round so drift of a shared machine spreads evenly.
//
//   node --import tsx bench/host-guard-cost.ts [--users 8] [--rounds 3] [--active-ms 20000] [--modes none,route,proxy]
//
// Prints medians and asserts nothing (this machine is shared: compare modes within one run).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { BrowserWaddleClient } from '../clients/browser/browser-waddle-client.ts';
import { chromiumArgs } from '../fake-media/chromium-flags.ts';
import { HostGuard, isUrlAllowed, runAllowList } from '../fleet/guard/host-guard.ts';
import { childPids, clockTicks, processTree, readProcCpu } from '../fleet/monitor/resource-monitor.ts';
import { probeInitScript } from '../in-page/bundle.ts';

type Mode = 'none' | 'route' | 'proxy';
interface RoundResult {
  /** sequential round trips from the first user's page: fetch('/healthz') and a WebSocket ping → pong */
  fetchRttMs: number;
  wsRttMs: number;
  /** CPU of this process (proxy, Playwright) per fetch during those round trips */
  nodeUsPerFetch: number;
  firstLoadMs: number[];
  setupMs: number[];
  sendMs: number[];
  nodePct: number;
  browserPct: number;
}

const readCmdline = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function startWaddle(): Promise<{ url: string; child: ChildProcess }> {
  const cli = fileURLToPath(new URL('../reference-waddle/cli.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`bench: the reference Waddle did not start within 20 s (output: ${out})`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /reference Waddle at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m[1]!);
      }
    });
    child.on('exit', (code) => (clearTimeout(t), reject(new Error(`bench: the reference Waddle exited (${code}): ${out}`))));
  });
  child.stderr!.resume();
  return { url, child };
}

/** A browser and a context factory guarded the way `mode` says, as the pool would set them up. */
async function guarded(mode: Mode, target: string): Promise<{ browser: Browser; newContext: () => Promise<BrowserContext>; close: () => Promise<void> }> {
  const guard = mode === 'proxy' ? await HostGuard.start({ allowedHosts: runAllowList(target) }) : undefined;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs(), ...(guard ? { proxy: guard.launchProxy() } : {}) });
  const legacyAllowed = ['127.0.0.1', 'localhost', '[::1]', '::1', new URL(target).hostname];
  const newContext = async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, ...(guard ? { proxy: guard.contextProxy() } : {}) });
    // the old installHostGuard: every request paused in Chromium until Node answers
    if (mode === 'route') await context.route((url) => !isUrlAllowed(url.href, legacyAllowed), (route) => route.abort('blockedbyclient'));
    await context.addInitScript({ content: await probeInitScript({ intervalMs: 2000, allowedHosts: mode === 'route' ? legacyAllowed : [] }) });
    if (guard) await guard.attach(context);
    return context;
  };
  return { browser, newContext, close: async () => (await browser.close(), await guard?.close()) };
}

/** Median of 200 sequential fetches and 200 WebSocket pings from a logged-in page (its session cookie opens /ws). */
async function roundTrips(page: import('playwright-core').Page): Promise<{ fetchRttMs: number; wsRttMs: number; nodeUsPerFetch: number }> {
  const cpu0 = process.cpuUsage();
  const fetches = (await page.evaluate(`(async () => {
    const f = [];
    for (let i = 0; i < 200; i++) { const t = performance.now(); await (await fetch('/healthz', { cache: 'no-store' })).text(); f.push(performance.now() - t); }
    return f.sort((a, b) => a - b)[100];
  })()`)) as number;
  const cpu = process.cpuUsage(cpu0);
  const nodeUsPerFetch = (cpu.user + cpu.system) / 200;
  const ws = (await page.evaluate(`(async () => {
    const ws = new WebSocket(location.origin.replace('http', 'ws') + '/ws');
    await new Promise((r, j) => { ws.onopen = r; ws.onerror = () => j(new Error('ws failed')); });
    const w = [];
    for (let i = 0; i < 200; i++) {
      const t = performance.now();
      await new Promise((r) => { ws.onmessage = (e) => JSON.parse(e.data).type === 'pong' && r(); ws.send(JSON.stringify({ type: 'ping' })); });
      w.push(performance.now() - t);
    }
    ws.close();
    return w.sort((a, b) => a - b)[100];
  })()`)) as number;
  return { fetchRttMs: fetches, wsRttMs: ws, nodeUsPerFetch };
}

async function round(mode: Mode, target: string, users: number, activeMs: number, tag: string): Promise<RoundResult> {
  const g = await guarded(mode, target);
  const result: RoundResult = { fetchRttMs: NaN, wsRttMs: NaN, nodeUsPerFetch: NaN, firstLoadMs: [], setupMs: [], sendMs: [], nodePct: 0, browserPct: 0 };
  try {
    const clients: BrowserWaddleClient[] = [];
    for (let i = 0; i < users; i++) {
      const context = await g.newContext();
      const page = await context.newPage();
      const t0 = performance.now();
      await page.goto(target, { waitUntil: 'load' });
      result.firstLoadMs.push(performance.now() - t0);
      const client = new BrowserWaddleClient(page, { baseUrl: target, username: `guard-${tag}-${i}` });
      const t1 = performance.now();
      await client.connect();
      await client.joinWaddle();
      await client.openTextChannel();
      result.setupMs.push(performance.now() - t1);
      clients.push(client);
      if (i === 0) Object.assign(result, await roundTrips(page));
    }
    await sleep(2000); // settle
    const pids = childPids(process.pid)
      .filter((pid) => /chromium/.test(readCmdline(pid)))
      .flatMap((pid) => processTree(pid));
    if (pids.length === 0) throw new Error('bench/host-guard-cost: found no Chromium process under this one');
    const c0 = readProcCpu(pids);
    const n0 = process.cpuUsage();
    const started = performance.now();
    await Promise.all(
      clients.map(async (client, i) => {
        await sleep((i * 2000) / clients.length);
        while (performance.now() - started < activeMs) {
          const t = performance.now();
          const ok = await client.sendMessage(`guard bench ${tag} ${i} ${Date.now()}`).then(() => true, () => false);
          if (ok) result.sendMs.push(performance.now() - t);
          await sleep(Math.max(0, 2000 - (performance.now() - t)));
        }
      }),
    );
    const wallMs = performance.now() - started;
    const n1 = process.cpuUsage(n0);
    const c1 = readProcCpu(pids);
    let ticks = 0;
    for (const [pid, b] of c1) {
      const a = c0.get(pid);
      if (a && a.startTicks === b.startTicks) ticks += b.cpuTicks - a.cpuTicks;
    }
    const cores = os.availableParallelism();
    result.nodePct = ((n1.user + n1.system) / 1000 / (cores * wallMs)) * 100;
    result.browserPct = ((ticks * 1000) / clockTicks() / (cores * wallMs)) * 100;
  } finally {
    await g.close();
  }
  return result;
}

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
};
const users = Number(flag('--users', '8'));
const rounds = Number(flag('--rounds', '3'));
const activeMs = Number(flag('--active-ms', '20000'));
const modes = flag('--modes', 'none,route,proxy').split(',') as Mode[];
const bad = modes.filter((m) => !['none', 'route', 'proxy'].includes(m));
if (bad.length) throw new Error(`bench/host-guard-cost: unknown mode(s) ${bad.join(', ')}; choose from none, route, proxy`);

const waddle = await startWaddle();
const all = new Map<Mode, RoundResult[]>(modes.map((m) => [m, []]));
try {
  for (let r = 0; r < rounds; r++) {
    for (const mode of modes) {
      const res = await round(mode, waddle.url, users, activeMs, `${mode}-${r}-${process.pid}`);
      all.get(mode)!.push(res);
      console.log(`round ${r + 1} ${mode.padEnd(5)} fetch ${res.fetchRttMs.toFixed(2)} ms (node ${res.nodeUsPerFetch.toFixed(0)} µs each), ws ping ${res.wsRttMs.toFixed(2)} ms, load ${median(res.firstLoadMs).toFixed(0)} ms, setup ${median(res.setupMs).toFixed(0)} ms, send→ack ${median(res.sendMs).toFixed(1)} ms, node ${res.nodePct.toFixed(1)}%, chromium ${res.browserPct.toFixed(1)}%`);
    }
  }
} finally {
  waddle.child.kill('SIGTERM');
}
console.log(`\n${users} chat users, ${rounds} rounds, ${activeMs / 1000} s of chat each; CPU in % of the whole machine (${os.availableParallelism()} cores); medians over all users/rounds`);
console.log('mode    fetch RTT  node/fetch  ws RTT   page load   user setup   send→ack   node (proxy)   chromium   generator');
for (const [mode, rs] of all) {
  const flat = (f: (r: RoundResult) => number[]) => median(rs.flatMap(f));
  const node = median(rs.map((r) => r.nodePct));
  const browser = median(rs.map((r) => r.browserPct));
  console.log(
    `${mode.padEnd(6)} ${median(rs.map((r) => r.fetchRttMs)).toFixed(2).padStart(6)} ms ${median(rs.map((r) => r.nodeUsPerFetch)).toFixed(0).padStart(7)} µs ${median(rs.map((r) => r.wsRttMs)).toFixed(2).padStart(6)} ms ${flat((r) => r.firstLoadMs).toFixed(0).padStart(6)} ms ${flat((r) => r.setupMs).toFixed(0).padStart(9)} ms ${flat((r) => r.sendMs).toFixed(1).padStart(8)} ms ${node.toFixed(1).padStart(11)}% ${browser.toFixed(1).padStart(9)}% ${(node + browser).toFixed(1).padStart(10)}%`,
  );
}
