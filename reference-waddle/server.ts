// startReferenceWaddle: HTTP (http-routes.ts: API, uploads, the web client, /healthz, /metrics)
// and the WebSocket hub (hub.ts) on one Node http server, bound to loopback by default.
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { MAX_FRAME_BYTES } from './client-frames.ts';
import { Hub } from './hub.ts';
import { httpHandler } from './http-routes.ts';
import { tokenOf } from './http-util.ts';
import { resolveOptions, type ReferenceWaddleOptions, type ResolvedOptions } from './options.ts';
import { ServerMetrics } from './server-metrics.ts';
import { startJanus, type JanusProcess } from './sfu/janus-process.ts';
import { SfuCpuCap } from './sfu/sfu-cpu-cap.ts';
import { SfuMetrics } from './sfu/sfu-metrics.ts';
import { Accounts, Directory } from './state.ts';
import { Uploads } from './uploads.ts';
import { webBundle } from './web-assets.ts';

export interface ReferenceWaddle {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** how calls carry media; in SFU mode, the pid of its Janus (tests check none outlives stop) */
  readonly media: 'mesh' | 'sfu';
  readonly sfuPid?: number;
  /** SFU mode: RTP packets Janus forwarded to each user (by username) on subscriptions that have ended (SfuCalls.forwardedTo) */
  readonly sfuForwardedTo?: ReadonlyMap<string, number>;
  /** SFU mode: caps Janus's CPU at `cores` from now on (undefined lifts the cap; options.sfuCpuLimit is the cap it starts with) */
  setSfuCpuLimit?(cores: number | undefined): Promise<void>;
  /** closes every socket, stops the server, removes a temp data dir */
  stop(): Promise<void>;
}

export async function startReferenceWaddle(options: ReferenceWaddleOptions = {}): Promise<ReferenceWaddle> {
  const opts = resolveOptions(options);
  const ownsDataDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'reference-waddle-')));
  if (!ownsDataDir) await mkdir(dataDir, { recursive: true });
  // Build the client before listening so the first page load is not slowed by esbuild.
  await webBundle();

  const accounts = new Accounts();
  const directory = new Directory(opts.historyLimit, opts.voiceChannels, opts.textChannels);
  // the metrics read live gauges from the hub, which needs the metrics: tie the knot lazily
  const ref: { hub?: Hub } = {};
  const metrics = new ServerMetrics({
    wsConnections: () => ref.hub?.connections.size ?? 0,
    voiceRooms: () => ref.hub?.voice.roomCount ?? 0,
    voiceParticipants: () => ref.hub?.voice.participants ?? 0,
  });
  // SFU mode: the media server first, so a missing or broken Janus refuses the start
  const janus: JanusProcess | undefined = opts.media === 'sfu' ? await startJanus({ rtpPortRange: opts.sfuRtpPortRange, log: opts.log }) : undefined;
  const cpuCap = new SfuCpuCap(janus);
  try {
    if (opts.sfuCpuLimit !== undefined) await cpuCap.set(opts.sfuCpuLimit);
  } catch (error) {
    await janus?.stop();
    await cpuCap.remove();
    throw error;
  }
  const hub = new Hub(opts, directory, metrics, janus);
  ref.hub = hub;
  const sfuMetrics = janus && hub.sfu ? new SfuMetrics(janus, hub.sfu.counts, cpuCap) : undefined;
  if (sfuMetrics) metrics.extraLines = () => sfuMetrics.lines();
  const uploads = new Uploads(opts, dataDir, directory, hub, metrics);

  const server = createServer(httpHandler({ options: opts, accounts, directory, hub, uploads, metrics }));
  // Many clients on few cores: no per-request timeouts that would cut slow uploads.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 30_000;
  const wss = acceptWebSockets(server, accounts, hub);
  let port: number;
  try {
    port = await listen(server, opts);
  } catch (error) {
    await janus?.stop();
    await cpuCap.remove();
    throw error;
  }
  const hostForUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;

  let stopped: Promise<void> | undefined;
  return {
    url: `http://${hostForUrl}:${port}`,
    port,
    dataDir,
    media: opts.media,
    ...(janus ? { sfuPid: janus.pid } : {}),
    ...(hub.sfu ? { sfuForwardedTo: hub.sfu.forwardedTo } : {}),
    ...(janus ? { setSfuCpuLimit: (cores: number | undefined) => cpuCap.set(cores) } : {}),
    stop() {
      stopped ??= (async () => {
        hub.closeAll();
        wss.close();
        metrics.stop();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        uploads.closeAll();
        sfuMetrics?.stop();
        await janus?.stop();
        await cpuCap.remove();
        if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

/** Upgrades GET /ws with a valid token (query, cookie or header) into a hub connection. */
function acceptWebSockets(server: Server, accounts: Accounts, hub: Hub): WebSocketServer {
  // maxPayload above MAX_FRAME_BYTES so an oversized frame gets an error frame, not a closed socket.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * MAX_FRAME_BYTES, perMessageDeflate: false });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const session = url.pathname === '/ws' ? accounts.byToken(tokenOf(req, url, true)) : undefined;
    if (!session) {
      socket.end(`HTTP/1.1 ${url.pathname === '/ws' ? '401 Unauthorized' : '404 Not Found'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => hub.accept(ws, session.username));
  });
  return wss;
}

function listen(server: Server, opts: ResolvedOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
