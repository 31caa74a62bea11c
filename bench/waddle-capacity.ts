// Can the reference Waddle hold the load the issue asks of it (10,000 WebSocket connections,
// 100,000 chat messages a minute) on this machine? The server runs in its own process; load
// comes from worker processes speaking the real protocol (ws + fetch), no browsers.
//
//   npm run bench:waddle -- [--connections 10000] [--channels 1000] [--per-minute 100000]
//                           [--seconds 60] [--workers 2]
//
// Prints: time to connect, server RSS, messages sent/acked/delivered per minute, delivery
// latency, and CPU of the server and of the load workers (% of one core). The workers share the
// 2 cores with the server: when they are the limit, the figures say so. Asserts nothing.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import type { WaddleSummary } from '../reference-waddle/protocol.ts';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};

interface WorkerTask { url: string; first: number; count: number; channels: string[]; waddleId: string; perSecond: number; seconds: number }
interface WorkerReport { connectedMs: number; sent: number; acked: number; delivered: number; errors: number; latencies: number[] }

const ticksPerSecond = 100; // USER_HZ on Linux
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond; // utime + stime
}
function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.split(/\s+/)[1]) / 1024;
}

// ---------------------------------------------------------------- load worker
async function runWorker(task: WorkerTask): Promise<WorkerReport> {
  const t0 = Date.now();
  const sockets: { ws: WebSocket; channelId: string }[] = [];
  const report: WorkerReport = { connectedMs: 0, sent: 0, acked: 0, delivered: 0, errors: 0, latencies: [] };
  const connectOne = async (i: number): Promise<void> => {
    const res = await fetch(`${task.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: `cap${i}` }) });
    const { token } = (await res.json()) as { token: string };
    const ws = new WebSocket(`${task.url.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}`, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const channelId = task.channels[i % task.channels.length]!;
    ws.send(JSON.stringify({ type: 'waddle.join', waddleId: task.waddleId }));
    ws.send(JSON.stringify({ type: 'channel.open', channelId }));
    ws.on('message', (data) => {
      const text = String(data);
      if (text.startsWith('{"type":"chat.ack"')) report.acked++;
      else if (text.startsWith('{"type":"chat.message"')) {
        report.delivered++;
        if (report.delivered % 50 === 0) {
          const sentAt = /"sentAtMs":(\d+)/.exec(text);
          if (sentAt) report.latencies.push(Date.now() - Number(sentAt[1]));
        }
      } else if (text.startsWith('{"type":"error"')) report.errors++;
    });
    sockets.push({ ws, channelId });
  };
  for (let i = 0; i < task.count; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, task.count - i) }, (_, k) => connectOne(task.first + i + k)));
    if (i % 1000 === 950) console.error(`load worker: ${i + 50} connected after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  report.connectedMs = Date.now() - t0;
  console.error(`load worker: ${sockets.length} connections in ${(report.connectedMs / 1000).toFixed(1)} s`);
  process.send?.({ type: 'connected' });
  await new Promise<void>((resolve) => process.once('message', () => resolve())); // go

  // send at the rate, spread over sockets, in 10 ms slices
  const start = Date.now();
  let next = 0;
  while (Date.now() - start < task.seconds * 1000) {
    const due = Math.floor(((Date.now() - start) / 1000) * task.perSecond);
    for (; report.sent < due; report.sent++) {
      const { ws, channelId } = sockets[next++ % sockets.length]!;
      ws.send(`{"type":"chat.send","channelId":"${channelId}","text":"load ${report.sent}","sentAtMs":${Date.now()}}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  await new Promise((r) => setTimeout(r, 2000)); // let the last deliveries arrive
  for (const { ws } of sockets) ws.terminate();
  return report;
}

if (process.env.WADDLE_CAPACITY_WORKER) {
  process.once('message', (task: WorkerTask) => {
    runWorker(task).then(
      (report) => process.send?.({ type: 'report', report }, () => process.exit(0)),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
} else {
  await main();
}

// ---------------------------------------------------------------- coordinator
async function main(): Promise<void> {
  const connections = opt('connections', 10_000);
  const channelCount = opt('channels', 1_000);
  const perMinute = opt('per-minute', 100_000);
  const seconds = opt('seconds', 60);
  const workerCount = opt('workers', 2);

  const server: ChildProcess = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../reference-waddle/cli.ts', import.meta.url)), '--port', '0', '--text-channels', String(channelCount), '--chat-rate', '1000'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    server.stdout!.on('data', (d: Buffer) => {
      const m = /reference Waddle at (http:\/\/\S+)/.exec(String(d));
      if (m) resolve(m[1]!);
    });
    server.once('exit', (code) => reject(new Error(`the reference Waddle exited (${code})`)));
  });
  try {
    const loginRes = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":"capacity-probe"}' });
    const { token } = (await loginRes.json()) as { token: string };
    const probe = new WebSocket(`${url.replace(/^http/, 'ws')}/ws?token=${token}`);
    const waddle = await new Promise<WaddleSummary>((resolve) => {
      probe.on('message', (d) => {
        const f = JSON.parse(String(d)) as { type: string; waddles?: WaddleSummary[] };
        if (f.type === 'hello') probe.send('{"type":"waddle.list"}');
        if (f.type === 'waddle.list') resolve(f.waddles![0]!);
      });
    });
    probe.close();
    const channels = waddle.textChannels.map((c) => c.id);

    const serverPid = server.pid!;
    const t0 = Date.now();
    const workers = Array.from({ length: workerCount }, () => fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, WADDLE_CAPACITY_WORKER: '1' }, execArgv: ['--import', 'tsx'] }));
    const reports: Promise<WorkerReport>[] = [];
    const connected: Promise<void>[] = [];
    workers.forEach((w, i) => {
      const count = Math.floor(connections / workerCount) + (i < connections % workerCount ? 1 : 0);
      const first = i * Math.floor(connections / workerCount) + Math.min(i, connections % workerCount);
      connected.push(new Promise((resolve) => w.on('message', (m: { type: string }) => m.type === 'connected' && resolve())));
      reports.push(new Promise((resolve, reject) => {
        w.on('message', (m: { type: string; report?: WorkerReport }) => m.type === 'report' && resolve(m.report!));
        w.once('exit', (code) => code !== 0 && reject(new Error(`load worker exited ${code}`)));
      }));
      w.send({ url, first, count, channels, waddleId: waddle.id, perSecond: perMinute / 60 / workerCount, seconds } satisfies WorkerTask);
    });
    await Promise.all(connected);
    const connectS = (Date.now() - t0) / 1000;
    const rssConnected = rssMb(serverPid);
    const serverCpu0 = cpuSeconds(serverPid);
    const workerCpu0 = workers.map((w) => cpuSeconds(w.pid!));
    const loadStart = Date.now();
    for (const w of workers) w.send('go');
    const results = await Promise.all(reports.map((r, i) => r.then((x) => ({ ...x, cpu: 0, i }))));
    const wallS = (Date.now() - loadStart) / 1000;
    const serverCpuPct = ((cpuSeconds(serverPid) - serverCpu0) / wallS) * 100;
    const workerCpuPct = workers.map((w, i) => {
      try {
        return ((cpuSeconds(w.pid!) - workerCpu0[i]!) / wallS) * 100;
      } catch {
        return Number.NaN; // already exited
      }
    });
    const sum = (k: 'sent' | 'acked' | 'delivered' | 'errors') => results.reduce((a, r) => a + r[k], 0);
    const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
    const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? Number.NaN;
    const perMin = (n: number) => Math.round((n / seconds) * 60);
    console.log(`waddle capacity: ${connections} connections over ${channels.length} channels (~${Math.round(connections / channels.length)} members each), ${workerCount} load workers`);
    console.log(`waddle capacity: connected in ${connectS.toFixed(1)} s; server RSS ${rssConnected.toFixed(0)} MB connected, ${rssMb(serverPid).toFixed(0)} MB after load`);
    console.log(`waddle capacity: asked ${perMinute}/min for ${seconds} s → sent ${perMin(sum('sent'))}/min, acked ${perMin(sum('acked'))}/min, delivered ${perMin(sum('delivered'))} frames/min, ${sum('errors')} error frames`);
    console.log(`waddle capacity: delivery latency p50 ${q(50)} ms, p99 ${q(99)} ms (sampled 1 in 50)`);
    console.log(`waddle capacity: CPU during load (% of one core): server ${serverCpuPct.toFixed(0)}%, load workers ${workerCpuPct.map((c) => `${c.toFixed(0)}%`).join(' + ')}`);
  } finally {
    server.kill('SIGTERM');
  }
}
