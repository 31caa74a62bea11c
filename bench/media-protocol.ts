// How many protocolMedia users does one core hold in 1:1 video calls at 640x360@15 (mesh: each
// user sends Opus + VP8 to its one peer and receives the peer's)? The reference Waddle runs in its
// own child process (signalling only: in mesh mode media goes user to user, all in this process).
// With --media sfu the calls go through the reference Waddle's Janus instead (each user publishes
// once and subscribes to its peer), and the run first holds one 1:1 call of two BROWSER video
// users through the same SFU (bench/sfu-costs.ts), so both figures read as ratios to a browser
// user measured in the same run: protocolMedia CPU per user / Chromium CPU per browser user, and
// Janus's CPU per forwarded stream (one user's camera + mic to one receiver) beside it.
//
//   npm run bench:media-protocol -- [--users 40] [--seconds 20] [--batch 10] [--media sfu] [--werift-rtp]
//
// --werift-rtp sends and receives every RTP packet through werift's own code instead of the fast path
// (clients/protocol-media/rtp-fast-path.ts), to measure what that path saves.
//
// Prints this process's CPU (utime + stime from /proc/self/stat, so a machine shared with other
// work still gives a fair figure) over the steady call, as % of one core and as users per core,
// beside what users received (video fps p50, loss, packets/s) — a user per core that does not
// receive its media is not a user — the event-loop delay p99 and the load average.
// Asserts nothing: the machine is shared and timings are noisy.
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ProtocolMediaWaddleClient } from '../clients/protocol-media/protocol-media-client.ts';
import { setRtpFastPath } from '../clients/protocol-media/rtp-fast-path.ts';
import { encodedAudio, encodedVideo } from '../fake-media/encoded-media.ts';
import { TrendHistogram } from '../metrics/histogram.ts';
import { browserCallCost, cpuSecondsOf, type BrowserCallCost } from './sfu-costs.ts';

const args = process.argv.slice(2);
function opt(name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(args[i + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name}: expected a positive number, got ${JSON.stringify(args[i + 1])}`);
  return value;
}

const users = Math.max(2, Math.round(opt('users', 40) / 2) * 2);
const seconds = opt('seconds', 20);
const batch = Math.round(opt('batch', 10));
const camera = { width: 640, height: 360, fps: 15 };
const mediaIndex = args.indexOf('--media');
const sfu = mediaIndex >= 0 && args[mediaIndex + 1] === 'sfu';
const weriftRtp = args.includes('--werift-rtp');
setRtpFastPath(!weriftRtp);
if (mediaIndex >= 0 && !['sfu', 'mesh'].includes(args[mediaIndex + 1] ?? '')) throw new Error(`--media: expected sfu or mesh, got ${JSON.stringify(args[mediaIndex + 1])}`);

async function startServer(): Promise<{ url: string; child: ChildProcess; janusPid: number | undefined }> {
  const cli = fileURLToPath(new URL('../reference-waddle/cli.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', '0', '--voice-channels', String(users / 2), '--max-voice-participants', '2', ...(sfu ? ['--media', 'sfu'] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
  let janusPid: number | undefined;
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const janus = /calls go through Janus \(pid (\d+)/.exec(String(d));
      if (janus) janusPid = Number(janus[1]);
      const m = /reference Waddle at (http:\/\/\S+)/.exec(String(d));
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the reference Waddle exited (${code}) before it listened`)));
  });
  if (sfu && janusPid === undefined) throw new Error('--media sfu: the reference Waddle did not say which Janus carries its calls');
  return { url, child, janusPid };
}

/** What the users recorded, as the fleet's recorder would get it. */
class Tally {
  readonly fps = new TrendHistogram();
  readonly loss = new TrendHistogram();
  inboundVideoPackets = 0;
  inboundAudioPackets = 0;
  counting = false;
  connectionFailures = 0;
  record(metric: string, value: number, tags?: Readonly<Record<string, string>>): void {
    if (metric === 'webrtc.connection_failures') this.connectionFailures += value; // any time: set-up is when they happen
    if (!this.counting || tags?.direction !== 'inbound') return;
    if (metric === 'webrtc.fps' && tags.kind === 'video') this.fps.record(value);
    else if (metric === 'webrtc.packets_lost_pct') this.loss.record(value);
    else if (metric === 'webrtc.packets') {
      if (tags.kind === 'video') this.inboundVideoPackets += value;
      else if (tags.kind === 'audio') this.inboundAudioPackets += value;
    }
  }
}

async function main(): Promise<void> {
  await encodedAudio();
  await encodedVideo(camera);
  const { url, child, janusPid } = await startServer();
  // the yardstick first, alone on the SFU: two browser video users in one call
  let browsers: BrowserCallCost | undefined;
  try {
    if (janusPid !== undefined) browsers = await browserCallCost(url, child.pid!, janusPid, seconds);
  } catch (error) {
    child.kill('SIGTERM');
    throw error;
  }
  const tally = new Tally();
  const clients: ProtocolMediaWaddleClient[] = [];
  const loop = monitorEventLoopDelay({ resolution: 10 });
  const rss0 = process.memoryUsage().rss; // the shared files are already read: what follows is per user
  try {
    const t0 = performance.now();
    for (let i = 0; i < users; i += batch) {
      await Promise.all(
        Array.from({ length: Math.min(batch, users - i) }, async (_, k) => {
          const n = i + k;
          const client = new ProtocolMediaWaddleClient({ baseUrl: url, username: `mbench${n}`, metrics: tally, tags: { driver: 'protocolMedia' }, media: { camera }, actionTimeoutMs: 30_000 });
          clients.push(client);
          await client.connect();
          const waddle = await client.joinWaddle();
          await client.joinVoice(waddle.voiceChannels[Math.floor(n / 2)]!.id);
          await client.enableVideo();
        }),
      );
    }
    await Promise.all(clients.map((c) => c.waitForRemoteMedia('video', 60_000)));
    console.error(`media bench: ${users} users in ${users / 2} calls, all receiving video, after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await new Promise((r) => setTimeout(r, 3000)); // past the first keyframes and the first samples
    tally.counting = true;
    loop.enable();
    const cpu0 = cpuSecondsOf('self');
    const server0 = cpuSecondsOf(child.pid!);
    const janus0 = janusPid !== undefined ? cpuSecondsOf(janusPid) : 0;
    const wall0 = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const wallS = (performance.now() - wall0) / 1000;
    const cpuPct = ((cpuSecondsOf('self') - cpu0) / wallS) * 100;
    const serverPct = ((cpuSecondsOf(child.pid!) - server0) / wallS) * 100;
    const janusPct = janusPid !== undefined ? ((cpuSecondsOf(janusPid) - janus0) / wallS) * 100 : 0;
    loop.disable();
    tally.counting = false;
    const perCore = users / (cpuPct / 100);
    const [load1] = os.loadavg();
    const fps = tally.fps;
    const loss = tally.loss;
    console.log(`protocolMedia users, 1:1 ${sfu ? 'SFU (Janus)' : 'mesh'} video calls at ${camera.width}x${camera.height}@${camera.fps} + Opus, RTP ${weriftRtp ? "through werift's own code (--werift-rtp)" : 'on the fast path'}, ${seconds} s steady (load average ${load1!.toFixed(1)} on ${os.cpus().length} cores):`);
    console.log(`  users                          ${users}`);
    console.log(`  this process CPU               ${cpuPct.toFixed(1)}% of a core (${(cpuPct / users).toFixed(2)}% per user)`);
    // a starved process sends and receives less (the pacer skips late frames): its CPU per user is then no capacity
    const full = fps.percentile(50) >= camera.fps * 0.9;
    console.log(`  users per core                 ${perCore.toFixed(0)}   (goal ≥ 100)${full ? '' : `  NOT A CAPACITY: received fps p50 ${fps.percentile(50).toFixed(1)} < 90% of ${camera.fps}, this process was starved (fewer users, or a quieter machine)`}`);
    console.log(`  received video fps p50 / p5    ${fps.percentile(50).toFixed(1)} / ${fps.percentile(5).toFixed(1)}`);
    console.log(`  received loss % p50 / max      ${loss.percentile(50).toFixed(2)} / ${loss.max.toFixed(2)}`);
    console.log(`  received packets/s per user    video ${(tally.inboundVideoPackets / wallS / users).toFixed(0)}, audio ${(tally.inboundAudioPackets / wallS / users).toFixed(0)}`);
    console.log(`  peer connections failed       ${tally.connectionFailures} (each called again with a new offer)`);
    console.log(`  memory (RSS) per user          ${((process.memoryUsage().rss - rss0) / 2 ** 20 / users).toFixed(2)} MB`);
    console.log(`  event-loop delay p99           ${(loop.percentile(99) / 1e6).toFixed(1)} ms`);
    console.log(`  reference Waddle CPU           ${serverPct.toFixed(1)}% of a core (signalling only${sfu ? '; Janus apart' : ' in mesh'})`);
    if (browsers) printSfu(browsers, cpuPct / users, janusPct, users);
  } finally {
    await Promise.allSettled(clients.map((c) => c.close()));
    child.kill('SIGTERM');
  }
}

/** The SFU figures and the ratios to a browser video user of the same run. */
function printSfu(b: BrowserCallCost, protocolPctPerUser: number, janusPct: number, streams: number): void {
  const janusPerStream = janusPct / streams;
  console.log(`  browser video user (same SFU, 1:1 call of 2 before the protocol users; decoded ${b.decodedFps.toFixed(1)} fps):`);
  console.log(`    Chromium CPU per user        ${b.cpuPctPerUser.toFixed(1)}% of a core (${(100 / b.cpuPctPerUser).toFixed(1)} per core)`);
  console.log(`    protocolMedia / browser user ${(protocolPctPerUser / b.cpuPctPerUser).toFixed(3)} of the CPU (1 browser video user ≈ ${(b.cpuPctPerUser / protocolPctPerUser).toFixed(0)} protocolMedia users)`);
  console.log(`  Janus CPU                      ${janusPct.toFixed(1)}% of a core for ${streams} forwarded streams (camera + mic to one receiver each)`);
  console.log(`    per forwarded stream         ${janusPerStream.toFixed(2)}% of a core (${(100 / janusPerStream).toFixed(0)} streams per core); browser streams: ${b.janusPctPerStream.toFixed(2)}%`);
  console.log(`    per stream / browser user    ${(janusPerStream / b.cpuPctPerUser).toFixed(3)} (the SFU's cost of one stream over a browser video user's CPU)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
