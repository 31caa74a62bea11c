// Starts and stops the reference Waddle's own Janus: config in a fresh temp folder
// (janus-config.ts), API and admin API on free loopback ports, and a parent-death signal so a
// Janus never outlives the Node process that started it, even after a kill -9 of that process.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allCommandLines } from '../../common/proc.ts';
import { JanusConnection } from './janus-client.ts';
import { writeJanusConfig } from './janus-config.ts';
import { loopbackShim } from './loopback-shim.ts';

const JANUS_BINS = ['/usr/bin/janus', '/usr/local/bin/janus'];
const JANUS_LIB_DIRS = ['/usr/lib/x86_64-linux-gnu/janus', '/usr/lib/aarch64-linux-gnu/janus', '/usr/lib/janus', '/usr/local/lib/janus'];

export interface JanusInstall {
  bin: string;
  libDir: string;
}

/** Where Janus and its VideoRoom plugin are installed, or a message saying how to install them. */
export function findJanus(): JanusInstall | { problem: string } {
  // REFERENCE_WADDLE_JANUS: a janus binary elsewhere (tests point it at nothing to see the refusal)
  const bins = process.env['REFERENCE_WADDLE_JANUS'] ? [process.env['REFERENCE_WADDLE_JANUS']] : JANUS_BINS;
  const bin = bins.find((b) => existsSync(b));
  const libDir = JANUS_LIB_DIRS.find((d) => existsSync(join(d, 'plugins', 'libjanus_videoroom.so')) && existsSync(join(d, 'transports', 'libjanus_websockets.so')));
  // the loopback shim (loopback-shim.ts) is built with the system C compiler
  const cc = ['/usr/bin/cc', '/usr/local/bin/cc'].some((c) => existsSync(c));
  if (bin && libDir && cc) return { bin, libDir };
  const missing = !bin ? `no janus binary is at ${bins.join(' or ')}` : !libDir ? `no VideoRoom plugin and WebSockets transport in ${JANUS_LIB_DIRS.join(', ')}` : 'no C compiler (cc) to build its loopback shim';
  return {
    problem:
      `--media sfu needs the Janus WebRTC server (Debian package janus, with its VideoRoom plugin and WebSockets transport) and a C compiler, ` +
      `but ${missing}: install them with "apt-get install janus gcc" (scripts/setup.sh does), or use --media mesh`,
  };
}

export interface JanusProcess {
  readonly pid: number;
  /** the API connection, with a session kept alive */
  readonly api: JanusConnection;
  readonly sessionId: number;
  /** the admin API connection (metrics) */
  readonly admin: JanusConnection;
  readonly adminSecret: string;
  readonly roomAdminKey: string;
  /** ws://127.0.0.1:PORT of the API (for tests that check it is loopback only) */
  readonly apiUrl: string;
  /** Janus's last log lines (warnings and errors), for error messages and debugging */
  recentOutput(): string[];
  stop(): Promise<void>;
}

export interface StartJanusOptions {
  rtpPortRange?: string;
  log?: (line: string) => void;
  startTimeoutMs?: number;
}

export async function startJanus(options: StartJanusOptions = {}): Promise<JanusProcess> {
  const install = findJanus();
  if ('problem' in install) throw new Error(install.problem);
  const shim = await loopbackShim();
  await sweepOrphanFolders();
  const folder = await mkdtemp(join(tmpdir(), FOLDER_PREFIX));
  let child: ChildProcess | undefined;
  try {
    const [wsPort = 0, adminWsPort = 0] = await freePorts(2);
    const adminSecret = randomBytes(16).toString('hex');
    const roomAdminKey = randomBytes(16).toString('hex');
    const config = await writeJanusConfig({ folder, libDir: install.libDir, wsPort, adminWsPort, adminSecret, roomAdminKey, rtpPortRange: options.rtpPortRange ?? '20000-40000' });
    // setpriv --pdeathsig: the kernel kills Janus when its parent dies, however it died
    child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', install.bin, '-C', config, '-F', folder], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LD_PRELOAD: shim } });
    const output: string[] = [];
    const keep = (data: Buffer): void => {
      for (const line of String(data).split('\n')) if (line.trim()) output.push(line);
      output.splice(0, Math.max(0, output.length - 40));
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
    const apiUrl = `ws://127.0.0.1:${wsPort}`;
    const api = await connectWhenUp(apiUrl, 'janus-protocol', options.startTimeoutMs ?? 15_000, exited, output);
    const admin = await JanusConnection.open(`ws://127.0.0.1:${adminWsPort}`, 'janus-admin-protocol');
    const created = await api.request({ janus: 'create' });
    const sessionId = (created['data'] as { id: number }).id;
    // Janus ends a session idle for session_timeout (60 s): keep ours alive
    const keepalive = setInterval(() => api.send({ janus: 'keepalive', session_id: sessionId }), 20_000);
    keepalive.unref();
    const proc = child;
    child.on('exit', (code, signal) => {
      clearInterval(keepalive);
      if (!stopping) options.log?.(`reference-waddle: Janus (pid ${proc.pid}) exited on its own (code ${code}, signal ${signal}); calls in SFU mode fail until restart. Its last lines:\n  ${output.slice(-10).join('\n  ')}`);
    });
    let stopping = false;
    let stopped: Promise<void> | undefined;
    return {
      pid: child.pid ?? -1,
      api,
      sessionId,
      admin,
      adminSecret,
      roomAdminKey,
      apiUrl,
      recentOutput: () => [...output],
      stop() {
        stopped ??= (async () => {
          stopping = true;
          clearInterval(keepalive);
          api.close();
          admin.close();
          await killAndWait(proc, exited);
          await rm(folder, { recursive: true, force: true });
        })();
        return stopped;
      },
    };
  } catch (error) {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
}

async function connectWhenUp(url: string, protocol: 'janus-protocol', timeoutMs: number, exited: Promise<number | null>, output: string[]): Promise<JanusConnection> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  let last = '';
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`Janus exited (code ${exitCode}) while starting; its last lines:\n  ${output.slice(-10).join('\n  ')}`);
    try {
      return await JanusConnection.open(url, protocol, 1000);
    } catch (error) {
      last = (error as Error).message;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`Janus did not open its API at ${url} within ${timeoutMs} ms (${last}); its last lines:\n  ${output.slice(-10).join('\n  ')}`);
}

const FOLDER_PREFIX = 'reference-waddle-janus-';

/**
 * A server killed with SIGKILL takes its Janus with it (pdeathsig) but leaves Janus's config
 * folder: the next start removes such folders once no live process names them on its command
 * line (Janus is started with -F <folder>) and they are over a minute old (one just made, whose
 * Janus is starting, is never taken).
 */
async function sweepOrphanFolders(): Promise<void> {
  const dir = tmpdir();
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.startsWith(FOLDER_PREFIX) && !n.endsWith('.so') && !n.includes('.so.'));
  if (names.length === 0) return;
  const commandLines = [...(await allCommandLines()).values()];
  for (const name of names) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isDirectory() || Date.now() - info.mtimeMs < 60_000 || commandLines.some((line) => line.includes(path))) continue;
    await rm(path, { recursive: true, force: true }).catch(() => {});
  }
}

/** SIGTERM, then SIGKILL after 3 s: Janus's own shutdown waits for sessions to drain. */
async function killAndWait(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

/** Free TCP ports on 127.0.0.1 (the kernel's choice; Janus binds them a moment later). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}
