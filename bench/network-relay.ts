// What an impaired browser user costs the fleet's relay (npm run bench:network): N pairs of
// TURN clients (the same messages Chromium sends: Allocate with long-term credentials,
// ChannelBind, ChannelData) send each other a 1:1 video call's packets through the relay thread —
// per user 350 packets/s each way (a 320x180@15 call measured ~330: test/network-relay.e2e.test.ts),
// 80% of them 1,100-byte video, 20% 150-byte audio — with a profile that delays, jitters and
// loses. The relay runs in this process's main thread (as in its worker thread in a run) and the
// clients in a child process, so this process's CPU time is the relay's. Prints packets/s through
// the relay and its CPU as % of one core, per user.
//   npm run bench:network -- [--users 20] [--seconds 10] [--pps 350]
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { fork } from 'node:child_process';
import { createRng } from '../common/random.ts';
import type { RelayCredentials } from '../network/relay/relay.ts';
import { Attr, buildStun, Class, longTermKey, Method, parseStun, readXorAddress, u32, xorAddress, type Address } from '../network/relay/stun.ts';
import { REALM, TurnServer } from '../network/relay/turn-server.ts';

const { values } = parseArgs({ options: { users: { type: 'string', default: '20' }, seconds: { type: 'string', default: '10' }, pps: { type: 'string', default: '350' }, sender: { type: 'string' } } });
const users = Math.max(2, Number(values.users) & ~1);
const seconds = Number(values.seconds);
const pps = Number(values.pps);

/** One TURN client: allocate, then ChannelData to its peer's relayed address. */
async function client(relayPort: number, creds: RelayCredentials): Promise<{ socket: dgram.Socket; relayed: Address; bind(peer: Address): Promise<void>; received: () => number }> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  let received = 0;
  let answer: ((m: ReturnType<typeof parseStun>) => void) | undefined;
  socket.on('message', (b) => ((b[0]! & 0xc0) === 0x40 ? received++ : answer?.(parseStun(b))));
  const ask = (method: number, attrs: [number, Buffer][], key?: Buffer) => new Promise<NonNullable<ReturnType<typeof parseStun>>>((resolve) => {
    answer = (m) => m && resolve(m);
    socket.send(buildStun(method, Class.request, randomBytes(12), attrs, key), relayPort, '127.0.0.1');
  });
  const transport: [number, Buffer] = [Attr.requestedTransport, Buffer.from([17, 0, 0, 0])];
  const challenge = await ask(Method.allocate, [transport]);
  const key = longTermKey(creds.username, REALM, creds.credential);
  const auth: [number, Buffer][] = [[Attr.username, Buffer.from(creds.username)], [Attr.realm, Buffer.from(REALM)], [Attr.nonce, challenge.attrs.get(Attr.nonce)!]];
  const allocated = await ask(Method.allocate, [transport, ...auth], key);
  const relayed = readXorAddress(allocated.attrs.get(Attr.xorRelayedAddress))!;
  return {
    socket,
    relayed,
    bind: async (peer) => void (await ask(Method.channelBind, [[Attr.channelNumber, u32(0x4000 << 16)], [Attr.xorPeerAddress, xorAddress(peer)], ...auth], key)),
    received: () => received,
  };
}


if (values.sender) await sender(JSON.parse(values.sender) as { port: number; creds: RelayCredentials[] });
else await main();

/** The child: the users' side (stands in for browsers). */
async function sender({ port, creds }: { port: number; creds: RelayCredentials[] }): Promise<void> {
  const clients = await Promise.all(creds.map((c) => client(port, c)));
  for (let i = 0; i < clients.length; i += 2) {
    await clients[i]!.bind(clients[i + 1]!.relayed);
    await clients[i + 1]!.bind(clients[i]!.relayed);
  }
  process.send!({ type: 'ready' });
  await new Promise((r) => process.once('message', r));
  const video = Buffer.alloc(1100 + 4);
  const audio = Buffer.alloc(150 + 4);
  for (const b of [video, audio]) {
    b.writeUInt16BE(0x4000, 0);
    b.writeUInt16BE(b.length - 4, 2);
  }
  let sent = 0;
  const startMs = performance.now();
  // paced by the clock, not by timer ticks: a late tick sends what is due
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - startMs) / 1000) * pps * clients.length);
    while (sent < due) {
      const c = clients[sent % clients.length]!;
      c.socket.send(Math.floor(sent / clients.length) % 5 === 0 ? audio : video, port, '127.0.0.1');
      sent++;
    }
  }, 5);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  clearInterval(timer);
  await new Promise((r) => setTimeout(r, 500)); // the delayed ones arrive
  process.send!({ type: 'done', sent, received: clients.reduce((n, c) => n + c.received(), 0) });
  for (const c of clients) c.socket.close();
}

async function main(): Promise<void> {
  const server = await TurnServer.start({ isPeerAllowed: (a) => a.startsWith('127.') });
  const profile = { name: 'bench', up: { delayMs: 50, jitterMs: 5 }, down: { delayMs: 50, jitterMs: 5, lossPercent: 1 } };
  const rng = createRng(1);
  const creds = Array.from({ length: users }, (_, i) => {
    const password = String(rng.next());
    server.addUser({ username: `vu-${i}`, password, profile, seed: i });
    return { urls: '', username: `vu-${i}`, credential: password };
  });
  const child = fork(new URL(import.meta.url).pathname, ['--sender', JSON.stringify({ port: server.port, creds }), '--pps', String(pps), '--seconds', String(seconds)]);
  await new Promise((r) => child.once('message', r));
  const before = server.counts();
  const cpuBefore = process.cpuUsage();
  const startMs = performance.now();
  child.send('go');
  const done = (await new Promise((r) => child.once('message', r))) as { sent: number; received: number };
  const elapsedS = (performance.now() - startMs) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const total = (c: ReturnType<TurnServer['counts']>) => Object.values(c).reduce((n, u) => n + u.up.packets + u.down.packets, 0);
  const relayed = total(server.counts()) - total(before);
  const cpuPct = ((cpu.user + cpu.system) / 1e6 / elapsedS) * 100;
  console.log(`network relay: ${users} users, ${pps} packets/s sent per user, ${elapsedS.toFixed(1)} s; load average ${os.loadavg()[0]!.toFixed(2)}, ${os.cpus().length} cores`);
  console.log(`  relay handled ${(relayed / elapsedS).toFixed(0)} packets/s (a packet counts on its sender's up link and its receiver's down link)`);
  console.log(`  relay CPU ${cpuPct.toFixed(1)}% of one core = ${(cpuPct / users).toFixed(2)}% of a core per impaired user (${(relayed / elapsedS / users).toFixed(0)} link packets/s per user)`);
  console.log(`  delivered ${done.received} of ${done.sent} sent (${((100 * (done.sent - done.received)) / done.sent).toFixed(1)}% lost; the profile loses 1% down)`);
  await server.close();
}
