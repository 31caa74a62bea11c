// bench/node-cost.ts — what the fleet's own Node process costs while browser users chat
// (issue 18): a standalone reference Waddle in a process of its own, one protocol observer in
// this process counting what the channel delivered, and the fleet's real command in a third
// process running N chatMessaging browser users (one channel, a message every 2 s).
//
//   node --import tsx bench/node-cost.ts [--users 10] [--seconds 90] [--root DIR] [--cpu-prof DIR] [--fleet-arg=--flag ...] [--json out.json]
//
// Prints the run's generator.node_cpu_pct (mean of the monitor's samples, % of one core), the
// Node CPU time read from /proc over the load window (outside the fleet's own sampling), and the
// chat figures against the observer: messages sent, received by the browser users, the receipts
// the observer implies (sent by others × members), delivery p50/p95 both sides. --root runs the
// fleet from another checkout (a before/after pair back to back on the same machine).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { ProtocolWaddleClient } from '../clients/protocol/protocol-waddle-client.ts';

const argv = process.argv.slice(2);
if (argv.includes('--help')) {
  console.log(readFileSync(new URL(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n'));
  process.exit(0);
}
const opt = (name: string): string[] => argv.flatMap((a, i) => (a === name ? [argv[i + 1] ?? ''] : a.startsWith(`${name}=`) ? [a.slice(name.length + 1)] : []));
const users = Number(opt('--users')[0] ?? 10);
const seconds = Number(opt('--seconds')[0] ?? 90);
const root = resolve(opt('--root')[0] ?? new URL('..', import.meta.url).pathname);
const cpuProf = opt('--cpu-prof')[0];
const fleetArgs = opt('--fleet-arg');
const jsonOut = opt('--json')[0];
const work = mkdtempSync(join(os.tmpdir(), 'node-cost-'));
const clockTicks = 100; // USER_HZ on Linux

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]! : NaN);
const cpuTicks = (pid: number): number => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime
};

// the target, in a process of its own
const port = 20_000 + Math.floor(Math.random() * 20_000);
const target = `http://127.0.0.1:${port}`;
const waddle = spawn(process.execPath, ['--import', 'tsx', join(root, 'reference-waddle/cli.ts'), '--port', String(port)], { stdio: 'ignore', cwd: root });
const stopAll: (() => unknown)[] = [() => waddle.kill('SIGTERM')];
try {
  for (let i = 0; ; i++) {
    if ((await fetch(target).then((r) => r.ok, () => false)) === true) break;
    if (waddle.exitCode !== null) throw new Error(`the reference Waddle exited (${waddle.exitCode}) before answering on ${target}: port taken?`);
    if (i > 300) throw new Error(`the reference Waddle did not answer on ${target} within 60 s`);
    await sleep(200);
  }
  // the outside observer: a protocol member of the same channel, in this process
  const observer = new ProtocolWaddleClient({ baseUrl: target, username: 'observer' });
  await observer.connect();
  const w = await observer.joinWaddle();
  await observer.openTextChannel(w.textChannels[0]!.id);
  const observed: { atMs: number; author: string; deliveryMs: number }[] = [];
  observer.onMessage((m) => observed.push({ atMs: m.receivedAtMs, author: m.author, deliveryMs: m.sentAtMs === undefined ? NaN : m.receivedAtMs - m.sentAtMs }));
  stopAll.push(() => observer.close());

  const plan = {
    name: `node-cost-${users}`,
    gracefulStop: '10s',
    thresholds: {},
    phases: [{ name: 'chat', targetUsers: users, rampUp: '10s', duration: `${seconds - 10}s`, scenarios: [{ journey: 'chatMessaging', users, params: { count: 100_000, intervalMs: 2000, receiveMs: 3_600_000, channelSize: users } }] }],
  };
  const planFile = join(work, 'plan.json');
  writeFileSync(planFile, JSON.stringify(plan));
  const nodeArgs = cpuProf ? ['--cpu-prof', '--cpu-prof-dir', resolve(cpuProf)] : [];
  const fleet = spawn(process.execPath, [...nodeArgs, join(root, 'bin/waddle-fleet.mjs'), 'run', planFile, '--target', target, '--results', join(work, 'results'), '--no-report', '--seed', '1', ...fleetArgs], { stdio: ['ignore', 'pipe', 'pipe'], cwd: root });
  stopAll.push(() => fleet.kill('SIGINT'));
  let out = '';
  let loadAt = 0;
  let ticksAtLoad = 0;
  fleet.stdout!.on('data', (d: Buffer) => {
    out = (out + d.toString()).slice(-50_000);
    if (!loadAt && out.includes('▶ load')) {
      loadAt = Date.now();
      ticksAtLoad = cpuTicks(fleet.pid!);
    }
  });
  fleet.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-50_000)));
  const exited = new Promise<number>((r) => fleet.on('exit', (code) => r(code ?? 1)));
  // /proc over the load window: from "▶ load" for `seconds`
  while (!loadAt) {
    if (fleet.exitCode !== null) throw new Error(`the fleet exited before its load: ${out.slice(-3000)}`);
    await sleep(100);
  }
  const windowStart = Date.now();
  await sleep(seconds * 1000);
  const procPct = ((cpuTicks(fleet.pid!) - ticksAtLoad) / clockTicks / ((Date.now() - loadAt) / 1000)) * 100;
  const windowEnd = Date.now();
  const code = await exited;

  const runs = readdirSync(join(work, 'results')).filter((d) => d !== 'latest');
  const samples = readFileSync(join(work, 'results', runs.sort().at(-1)!, 'samples.ndjson'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { metric: string; value: number; timeMs: number });
  const nodeCpu = samples.filter((s) => s.metric === 'generator.node_cpu_pct').map((s) => s.value);
  const delivery = samples.filter((s) => s.metric === 'chat.delivery_ms').map((s) => s.value);
  const received = samples.filter((s) => s.metric === 'chat.messages_received').reduce((a, s) => a + s.value, 0);
  const sent = samples.filter((s) => s.metric === 'chat.messages_sent').reduce((a, s) => a + s.value, 0);
  const fromFleet = observed.filter((o) => o.author.startsWith('vu-'));
  // every message the observer saw from user u is owed to the other users-1 members
  const owed = fromFleet.length * (users - 1);
  const inWindow = fromFleet.filter((o) => o.atMs >= windowStart && o.atMs <= windowEnd).map((o) => o.deliveryMs);
  const result = {
    root, users, seconds, exitCode: code, loadAverage: os.loadavg().map((x) => +x.toFixed(2)),
    nodeCpuPctMean: +(nodeCpu.reduce((a, b) => a + b, 0) / nodeCpu.length).toFixed(2), nodeCpuSamples: nodeCpu.length,
    procNodeCpuPct: +procPct.toFixed(2), nodeCpuMsPerReceipt: +((procPct * 10 * (windowEnd - loadAt)) / 1000 / Math.max(1, received)).toFixed(2),
    sent, observedFromFleet: fromFleet.length, received, owedByObserver: owed, receivedShare: +(received / owed).toFixed(4),
    deliveryP50: +pct(delivery, 50).toFixed(1), deliveryP95: +pct(delivery, 95).toFixed(1),
    observerP50: +pct(inWindow, 50).toFixed(1), observerP95: +pct(inWindow, 95).toFixed(1),
  };
  console.log(JSON.stringify(result));
  if (code !== 0 && code !== 3) console.log(out.slice(-3000));
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(result, null, 2));
} finally {
  for (const stop of stopAll.reverse()) await Promise.resolve().then(stop).catch(() => {});
}
