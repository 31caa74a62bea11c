// What one virtual user costs the generator: CPU (% of the whole machine) and PSS per user, for
// the shapes the seed journeys are made of. Real parts only: BrowserPool (probe + host guard on,
// as in a run) and BrowserWaddleClient driving the reference Waddle's web UI. The reference
// Waddle runs in a child process, so its CPU is not counted as the generator's.
//
//   node --import tsx bench/generator-cost.ts [scenario ...] [--samples 5] [--sample-ms 3000]
//        [--json out.json] [--threads] [--chromium-arg=--flag ...]
//   --threads also lists the busiest Chromium threads (process kind/thread name)
//   --trace records a Playwright trace (screenshots + DOM snapshots) in every user's context, to
//   price always-on tracing for failure evidence (fleet/failure-evidence.ts); --trace=snapshots
//   records DOM snapshots without the screencast
//   scenarios: idle-chat active-chat voice video screen (default: all)
//
// Prints figures and asserts nothing (machines differ; this one is shared): run it on a quiet
// machine, before and after a change, and compare. Each figure is the median of --samples
// windows taken after the users are set up and a warm-up.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrowserWaddleClient } from '../clients/browser/browser-waddle-client.ts';
import { BrowserPool, type AcquireOptions, type PoolSession } from '../fleet/pool/browser-pool.ts';
import { clockTicks, memoryKb, parseProcStat, processTree, readProcCpu } from '../fleet/monitor/resource-monitor.ts';
import type { MetricsRecorder } from '../metrics/types.ts';

type Media = AcquireOptions['media'];
interface User {
  readonly session: PoolSession;
  readonly client: BrowserWaddleClient;
}
interface Scenario {
  readonly name: string;
  readonly what: string;
  readonly users: number;
  /** set the users up; may return a background activity that runs while sampling */
  setup(open: (i: number, media: Media) => Promise<User>): Promise<{ users: User[]; activity?: (signal: AbortSignal) => Promise<void> }>;
}

type TraceMode = 'off' | 'full' | 'snapshots';
const CAMERA = { width: 320, height: 240, fps: 15 }; // the smoke plan's camera
const SCREEN = { width: 640, height: 360, fps: 5 }; // the smoke plan's screen
const CHAT_INTERVAL_MS = 2000;
const WARMUP_MS = 4000;

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

async function chatUser(open: (i: number, media: Media) => Promise<User>, i: number): Promise<User> {
  const u = await open(i, {});
  await u.client.connect();
  await u.client.joinWaddle();
  await u.client.openTextChannel();
  return u;
}


const scenarios: Scenario[] = [
  {
    name: 'idle-chat',
    what: '4 users logged in, a text channel open, nothing sent',
    users: 4,
    async setup(open) {
      const users: User[] = [];
      for (let i = 0; i < 4; i++) users.push(await chatUser(open, i));
      return { users };
    },
  },
  {
    name: 'active-chat',
    what: `4 users in one text channel, each sending a message every ${CHAT_INTERVAL_MS / 1000} s`,
    users: 4,
    async setup(open) {
      const users: User[] = [];
      for (let i = 0; i < 4; i++) users.push(await chatUser(open, i));
      const activity = async (signal: AbortSignal) => {
        await Promise.all(
          users.map(async (u, i) => {
            await sleep((i * CHAT_INTERVAL_MS) / users.length, signal);
            while (!signal.aborted) {
              const started = Date.now();
              await u.client.sendMessage(`bench message from user ${i} at ${started}`).catch(() => {});
              await sleep(Math.max(0, CHAT_INTERVAL_MS - (Date.now() - started)), signal);
            }
          }),
        );
      };
      return { users, activity };
    },
  },
  {
    name: 'voice',
    what: 'a 1:1 voice call (both mics on)',
    users: 2,
    async setup(open) {
      const users: User[] = [];
      for (let i = 0; i < 2; i++) {
        const u = await chatUser(open, i);
        await u.client.joinVoice();
        users.push(u);
      }
      for (const u of users) await u.client.waitForRemoteMedia('audio', 20_000);
      return { users };
    },
  },
  {
    name: 'video',
    what: `a 1:1 video call, both cameras ${CAMERA.width}x${CAMERA.height}@${CAMERA.fps}`,
    users: 2,
    async setup(open) {
      const media = { camera: CAMERA };
      const users: User[] = [];
      for (let i = 0; i < 2; i++) {
        const u = await open(i, media);
        await u.client.connect();
        await u.client.joinWaddle();
        await u.client.openTextChannel();
        await u.client.joinVoice();
        await u.client.enableVideo();
        users.push(u);
      }
      for (const u of users) await u.client.waitForRemoteMedia('video', 20_000);
      return { users };
    },
  },
  {
    name: 'screen',
    what: `a 1:1 voice call, one user sharing a ${SCREEN.width}x${SCREEN.height}@${SCREEN.fps} screen`,
    users: 2,
    async setup(open) {
      const users: User[] = [];
      for (let i = 0; i < 2; i++) {
        const u = await open(i, i === 0 ? { screen: SCREEN } : {});
        await u.client.connect();
        await u.client.joinWaddle();
        await u.client.openTextChannel();
        await u.client.joinVoice();
        users.push(u);
      }
      await users[0]!.client.startScreenShare();
      await users[1]!.client.waitForRemoteMedia('screen', 20_000);
      return { users };
    },
  },
];

// ---------- the reference Waddle in its own process ----------

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

// ---------- measuring ----------

function machineTicks(): { busy: number; total: number } {
  const f = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1, 9).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - (f[3] ?? 0) - (f[4] ?? 0), total };
}

function processKind(pid: number): string {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const type = /--type=([a-z-]+)/.exec(args)?.[1];
    if (!type) return 'browser';
    if (type === 'utility') return /NetworkService/.test(args) ? 'network' : /AudioService/.test(args) ? 'audio' : 'utility';
    return type;
  } catch {
    return 'gone';
  }
}

interface Sample {
  machinePct: number;
  generatorPct: number;
  byKindPct: Record<string, number>;
  byThreadPct: Record<string, number>;
}

/** CPU ticks per "process kind/thread name" (digits dropped, so pools of threads add up). */
function threadTicks(pids: readonly number[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const pid of pids) {
    const kind = processKind(pid);
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {}
    for (const tid of tids) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/\d+/g, '#');
        const ticks = parseProcStat(stat)?.cpuTicks ?? 0;
        const key = `${pid}/${tid} ${kind}/${name}`;
        out.set(key, ticks);
      } catch {}
    }
  }
  return out;
}

function threadDelta(a: Map<string, number>, b: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, ticks] of b) {
    const before = a.get(key);
    if (before === undefined) continue;
    const name = key.slice(key.indexOf(' ') + 1);
    out.set(name, (out.get(name) ?? 0) + ticks - before);
  }
  return out;
}

async function sampleOnce(pool: BrowserPool, windowMs: number, threads: boolean): Promise<Sample> {
  const pids = pool.pids().flatMap((p) => processTree(p));
  const m0 = machineTicks();
  const th0 = threads ? threadTicks(pids) : new Map<string, number>();
  const c0 = readProcCpu(pids);
  const n0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(windowMs);
  const n1 = process.cpuUsage(n0);
  const c1 = readProcCpu(pids);
  const th1 = threads ? threadTicks(pids) : new Map<string, number>();
  const m1 = machineTicks();
  const wallMs = performance.now() - t0;
  const cores = os.availableParallelism();
  const msPerTick = 1000 / clockTicks();
  const byKindMs: Record<string, number> = { node: (n1.user + n1.system) / 1000 };
  for (const pid of pids) {
    const a = c0.get(pid);
    const b = c1.get(pid);
    const ticks = a && b && a.startTicks === b.startTicks ? b.cpuTicks - a.cpuTicks : 0;
    const kind = processKind(pid);
    byKindMs[kind] = (byKindMs[kind] ?? 0) + ticks * msPerTick;
  }
  const totalMs = Object.values(byKindMs).reduce((a, b) => a + b, 0);
  const pct = (ms: number) => (ms / (cores * wallMs)) * 100;
  return {
    machinePct: ((m1.busy - m0.busy) / Math.max(1, m1.total - m0.total)) * 100,
    generatorPct: pct(totalMs),
    byKindPct: Object.fromEntries(Object.entries(byKindMs).map(([k, v]) => [k, pct(v)])),
    byThreadPct: Object.fromEntries([...threadDelta(th0, th1)].map(([k, v]) => [k, pct(v * msPerTick)])),
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface Result {
  scenario: string;
  users: number;
  machinePct: number;
  generatorPct: number;
  generatorPctPerUser: number;
  browserPssMbPerUser: number;
  browserPssMb: number;
  nodeRssMb: number;
  byKindPct: Record<string, number>;
  /** mean over the samples, per "process kind/thread name" (with --threads) */
  byThreadPct: Record<string, number>;
}

async function runScenario(s: Scenario, url: string, opts: { samples: number; sampleMs: number; chromiumArgs: string[]; cacheDir: string; threads: boolean; trace: TraceMode }): Promise<Result> {
  const recorder: MetricsRecorder = { record() {} } as unknown as MetricsRecorder;
  const pool = await BrowserPool.launch({
    maxBrowsers: 4,
    contextsPerBrowser: 8,
    mediaCacheDir: opts.cacheDir,
    allowedHosts: ['127.0.0.1', 'localhost', '[::1]', '::1', new URL(url).host],
    onEvent: () => {},
    extraArgs: opts.chromiumArgs,
  });
  const users: User[] = [];
  const stop = new AbortController();
  let activity: Promise<void> | undefined;
  try {
    const open = async (i: number, media: Media): Promise<User> => {
      const session = await pool.acquire({ label: `bench-${s.name}-${i}`, media, recorder, tags: { journey: s.name }, timeoutMs: 60_000 });
      if (opts.trace !== 'off') await session.context.tracing.start({ screenshots: opts.trace === 'full', snapshots: true });
      const u = { session, client: new BrowserWaddleClient(session.page, { baseUrl: url, username: `bench-${s.name}-${i}` }) };
      users.push(u);
      return u;
    };
    const set = await s.setup(open);
    activity = set.activity?.(stop.signal);
    await sleep(WARMUP_MS);
    const samples: Sample[] = [];
    for (let i = 0; i < opts.samples; i++) samples.push(await sampleOnce(pool, opts.sampleMs, opts.threads));
    const pids = pool.pids().flatMap((p) => processTree(p));
    const mem = await memoryKb(pids);
    const kinds = [...new Set(samples.flatMap((x) => Object.keys(x.byKindPct)))];
    const generatorPct = median(samples.map((x) => x.generatorPct));
    return {
      scenario: s.name,
      users: s.users,
      machinePct: median(samples.map((x) => x.machinePct)),
      generatorPct,
      generatorPctPerUser: generatorPct / s.users,
      browserPssMb: mem.kb / 1024,
      browserPssMbPerUser: mem.kb / 1024 / s.users,
      nodeRssMb: process.memoryUsage().rss / 1024 / 1024,
      byKindPct: Object.fromEntries(kinds.map((k) => [k, median(samples.map((x) => x.byKindPct[k] ?? 0))])),
      byThreadPct: Object.fromEntries(
        [...new Set(samples.flatMap((x) => Object.keys(x.byThreadPct)))].map((k) => [k, samples.reduce((a, x) => a + (x.byThreadPct[k] ?? 0), 0) / samples.length]),
      ),
    };
  } finally {
    stop.abort();
    await activity?.catch(() => {});
    for (const u of users) {
      await u.client.close().catch(() => {});
      await u.session.release().catch(() => {});
    }
    await pool.close();
  }
}

// ---------- main ----------

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv.splice(i, 2)[1]! : fallback;
};
const samples = Number(flag('--samples', '5'));
const sampleMs = Number(flag('--sample-ms', '3000'));
const jsonOut = flag('--json', '');
const threads = argv.includes('--threads');
const trace: TraceMode = argv.includes('--trace') ? 'full' : argv.includes('--trace=snapshots') ? 'snapshots' : 'off';
const chromiumArgs = argv.filter((a) => a.startsWith('--chromium-arg=')).map((a) => a.slice('--chromium-arg='.length));
const names = argv.filter((a) => !a.startsWith('--'));
const unknown = names.filter((n) => !scenarios.some((s) => s.name === n));
if (unknown.length) throw new Error(`bench/generator-cost: unknown scenario(s) ${unknown.join(', ')}; choose from ${scenarios.map((s) => s.name).join(', ')}`);
const chosen = names.length ? scenarios.filter((s) => names.includes(s.name)) : scenarios;

// the fleet's own media cache: prepared once, shared with runs
const cacheDir = join(os.homedir(), '.cache', 'waddle-fleet', 'media');
const waddle = await startWaddle();
const results: Result[] = [];
try {
  console.log(`generator cost per user (${os.availableParallelism()} cores; medians of ${samples} × ${sampleMs} ms after a ${WARMUP_MS} ms warm-up; CPU in % of the whole machine)${trace === 'off' ? '' : `; Playwright tracing (${trace === 'full' ? 'screenshots + snapshots' : 'snapshots only'}) on in every context`}`);
  for (const s of chosen) {
    const r = await runScenario(s, waddle.url, { samples, sampleMs, chromiumArgs, cacheDir, threads, trace });
    results.push(r);
    const kinds = Object.entries(r.byKindPct)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v.toFixed(1)}`)
      .join(', ');
    console.log(
      `${s.name.padEnd(12)} ${String(s.users).padStart(2)} users  machine ${r.machinePct.toFixed(1).padStart(5)}%  generator ${r.generatorPct.toFixed(1).padStart(5)}%  ` +
        `per user ${r.generatorPctPerUser.toFixed(1).padStart(5)}% CPU, ${r.browserPssMbPerUser.toFixed(0).padStart(4)} MB PSS   (${s.what}; by process: ${kinds})`,
    );
    if (threads) {
      const top = Object.entries(r.byThreadPct).sort((a, b) => b[1] - a[1]).slice(0, 15);
      for (const [name, pct] of top) console.log(`    ${pct.toFixed(2).padStart(6)}%  ${name}`);
    }
  }
} finally {
  waddle.child.kill('SIGTERM');
}
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(results, null, 2));
