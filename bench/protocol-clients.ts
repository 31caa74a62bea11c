// How many protocol users (ProtocolWaddleClient) does one Node process hold, and at what cost?
// The reference Waddle runs in its own child process; this process connects N clients, joins
// them to one waddle (spread over its text channels, ~10 per channel by default, as the 10K
// plan spreads users), has them chat at a total rate, and measures each delivery as the
// receiving client sees it (receivedAtMs − the sender's sentAtMs, same machine clock).
//
//   npm run bench:protocol -- [--users 2000] [--channels users/10] [--per-minute users×10]
//                             [--seconds 60] [--batch 50]
//
// Prints: users connected, how long it took and this process's CPU meanwhile; this process's heap and RSS per 1,000 clients
// (after a GC, above the baseline before connecting); this process's CPU per 1,000 clients
// while idle-connected and while chatting (% of one core); messages/min sent, acked and
// delivered; delivery p50/p99; event-loop delay p99 (is this process the limit?); the server's
// CPU for context. Asserts nothing: the machine is shared and timings are noisy.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ProtocolWaddleClient } from '../clients/protocol/protocol-waddle-client.ts';
import { TrendHistogram } from '../metrics/histogram.ts';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(`npm run bench:protocol -- [--users 2000] [--channels users/10] [--per-minute users×10] [--seconds 60] [--batch 50]

How many protocol users (ProtocolWaddleClient, no fleet around them) one Node process holds, and at
what cost: a reference Waddle in its own child process, N clients in channels of ~10, chatting at
--per-minute messages in all for --seconds. Prints connect time and CPU, heap and RSS per 1,000,
CPU per 1,000 idle and chatting (% of one core) and CPU-µs per delivery, messages sent/acked/
delivered a minute, delivery p50/p99, this process's event-loop p99 and the server's CPU.
Asserts nothing: on a shared machine the timings are noisy (CPU per delivery is the steadier figure).`);
  process.exit(0);
}
function opt(name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(args[i + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name}: expected a positive number, got ${JSON.stringify(args[i + 1])}`);
  return value;
}

const users = Math.round(opt('users', 2000));
const channelCount = Math.round(opt('channels', Math.max(1, Math.round(users / 10))));
const perMinute = opt('per-minute', users * 10);
const seconds = opt('seconds', 60);
const batch = Math.round(opt('batch', 50));

const gc = (globalThis as { gc?: () => void }).gc;
function collect(): void {
  gc?.();
  gc?.();
}
const mb = (bytes: number): number => bytes / 1024 / 1024;
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, USER_HZ ticks
}
const ownCpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const cli = fileURLToPath(new URL('../reference-waddle/cli.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', '0', '--text-channels', String(channelCount), '--chat-rate', '1000'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const m = /reference Waddle at (http:\/\/\S+)/.exec(String(d));
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the reference Waddle exited (${code}) before it listened`)));
  });
  return { url, child };
}

interface Tally {
  sent: number;
  acked: number;
  failed: number;
  delivered: number;
  firstError?: string;
}

async function connectAll(url: string, channels: readonly string[], tally: Tally, delivery: TrendHistogram): Promise<ProtocolWaddleClient[]> {
  const clients: ProtocolWaddleClient[] = [];
  const t0 = Date.now();
  for (let i = 0; i < users; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, users - i) }, async (_, k) => {
        const n = i + k;
        const client = new ProtocolWaddleClient({ baseUrl: url, username: `pbench${n}`, actionTimeoutMs: 30_000 });
        await client.connect();
        await client.joinWaddle('hq');
        await client.openTextChannel(channels[n % channels.length]);
        client.onMessage((m) => {
          if (m.author === client.username || m.sentAtMs === undefined) return;
          tally.delivered += 1;
          delivery.record(Math.max(0, m.receivedAtMs - m.sentAtMs));
        });
        clients.push(client);
      }),
    );
    if ((i + batch) % 1000 < batch) console.error(`protocol bench: ${clients.length} connected after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  return clients;
}

/** Send perMinute messages a minute for `seconds`, round-robin over the clients, in 10 ms slices. */
async function chat(clients: readonly ProtocolWaddleClient[], tally: Tally): Promise<void> {
  const perSecond = perMinute / 60;
  const start = Date.now();
  let next = 0;
  const inFlight = new Set<Promise<unknown>>();
  while (Date.now() - start < seconds * 1000) {
    const due = Math.floor(((Date.now() - start) / 1000) * perSecond);
    for (; tally.sent < due; tally.sent++) {
      const client = clients[next++ % clients.length]!;
      const p = client.sendMessage(`protocol bench ${tally.sent}`).then(
        () => void (tally.acked += 1),
        (error: Error) => {
          tally.failed += 1;
          tally.firstError ??= error.message;
        },
      );
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  await Promise.all(inFlight);
  await new Promise((r) => setTimeout(r, 1000)); // the last fan-outs
}

async function main(): Promise<void> {
  if (!gc) console.error('protocol bench: run with --expose-gc (npm run bench:protocol does) for steady heap figures');
  const { url, child } = await startServer();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  try {
    const channels = Array.from({ length: channelCount }, (_, i) => (i < 3 ? ['hq-general', 'hq-random', 'hq-load-test'][i]! : `hq-chat-${i + 1}`));
    const tally: Tally = { sent: 0, acked: 0, failed: 0, delivered: 0 };
    const delivery = new TrendHistogram();
    collect();
    const base = process.memoryUsage();
    const connectStart = Date.now();
    const connectCpu0 = ownCpuSeconds();
    const clients = await connectAll(url, channels, tally, delivery);
    const connectS = (Date.now() - connectStart) / 1000;
    const connectCpuPct = ((ownCpuSeconds() - connectCpu0) / connectS) * 100;
    await new Promise((r) => setTimeout(r, 2000)); // presence of the last joins
    collect();
    const held = process.memoryUsage();
    const per1k = (after: number, before: number): string => `${((mb(after - before) / clients.length) * 1000).toFixed(1)} MB`;

    const idleCpu0 = ownCpuSeconds();
    const idleT0 = Date.now();
    await new Promise((r) => setTimeout(r, 5000));
    const idleCpuPct = ((ownCpuSeconds() - idleCpu0) / ((Date.now() - idleT0) / 1000)) * 100;

    loop.enable();
    const cpu0 = ownCpuSeconds();
    const serverCpu0 = cpuSecondsOf(child.pid!);
    const t0 = Date.now();
    await chat(clients, tally);
    const wallS = (Date.now() - t0) / 1000;
    loop.disable();
    const cpuPct = ((ownCpuSeconds() - cpu0) / wallS) * 100;
    const serverCpuPct = ((cpuSecondsOf(child.pid!) - serverCpu0) / wallS) * 100;

    const closeT0 = Date.now();
    await Promise.all(clients.map((c) => c.close()));
    const closeS = (Date.now() - closeT0) / 1000;

    const perMin = (n: number): number => Math.round((n / seconds) * 60);
    const [p50, p99] = delivery.percentiles([50, 99]);
    console.log(`protocol clients: ${clients.length}/${users} connected and joined in ${connectS.toFixed(1)} s at ${connectCpuPct.toFixed(0)}% of a core (${channelCount} channels of one waddle, ~${Math.round(users / channelCount)} users each); closed in ${closeS.toFixed(1)} s`);
    console.log(`protocol clients: this process per 1,000 clients: heap ${per1k(held.heapUsed, base.heapUsed)}, RSS ${per1k(held.rss, base.rss)} (total heap ${mb(held.heapUsed).toFixed(0)} MB, RSS ${mb(held.rss).toFixed(0)} MB)`);
    console.log(`protocol clients: this process CPU per 1,000 clients: ${((idleCpuPct / clients.length) * 1000).toFixed(1)}% of a core connected and idle, ${((cpuPct / clients.length) * 1000).toFixed(1)}% while chatting (total ${cpuPct.toFixed(0)}%, ${((cpuPct / 100) * wallS * 1e6 / Math.max(1, tally.delivered)).toFixed(1)} CPU-µs per delivery); event-loop delay p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms`);
    console.log(`protocol clients: asked ${Math.round(perMinute)}/min for ${seconds} s → sent ${perMin(tally.sent)}/min, acked ${perMin(tally.acked)}/min, ${tally.failed} failed${tally.firstError ? ` (first: ${tally.firstError})` : ''}; delivered ${perMin(tally.delivered)} messages/min to receivers`);
    console.log(`protocol clients: delivery (as receiving clients saw it) p50 ${p50!.toFixed(1)} ms, p99 ${p99!.toFixed(1)} ms over ${delivery.count} deliveries; server CPU ${serverCpuPct.toFixed(0)}% of a core`);
  } finally {
    child.kill('SIGTERM');
  }
}

await main();
