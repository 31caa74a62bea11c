// One user, or many, abandoning uploads must not exhaust the server's file descriptors. The
// server runs in its own process under `ulimit -n 256` (through the real CLI); 50 users each
// open the per-user maximum of 8 uploads and send one chunk to each, then leave them: 400 open
// uploads. New WebSockets and /metrics must still work. (Before, each open upload held a file
// descriptor: 400 of them broke both.)
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, TestSocket } from './test-client.ts';

const FD_LIMIT = 256;
const USERS = 50;
const PER_USER = 8; // the default maxOpenUploadsPerUser
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
let child: ChildProcess;
let baseUrl: string;
let dataDir: string;
const sockets: TestSocket[] = [];

/** Starts the CLI under the fd limit and resolves with its URL (the line it prints). */
function startLimitedServer(): Promise<string> {
  child = spawn('bash', ['-c', `ulimit -n ${FD_LIMIT}; exec node --import tsx reference-waddle/cli.ts --port 0 --data-dir "$DATA_DIR"`], {
    cwd: repoRoot,
    env: { ...process.env, DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start within 30 s; it said: ${output}`)), 30_000);
    const onData = (data: Buffer): void => {
      output += String(data);
      const url = /reference Waddle at (http:\/\/\S+)/.exec(output)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}: ${output}`)));
  });
}

const openDescriptors = async (): Promise<number> => (await readdir(`/proc/${child.pid}/fd`)).length;
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function api(token: string, method: string, path: string, body?: string | Uint8Array): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${baseUrl}${path}`, { method, body, headers: { authorization: `Bearer ${token}`, ...(typeof body === 'string' ? { 'content-type': 'application/json' } : {}) } });
  return { status: res.status, json: (await res.json().catch(() => ({}))) as Record<string, unknown> };
}

/** A user who joins hq, creates PER_USER uploads, sends each one chunk and walks away. */
async function abandonUploads(name: string, file: Uint8Array): Promise<number[]> {
  const token = await login(baseUrl, name);
  const socket = await TestSocket.open(baseUrl, token);
  sockets.push(socket);
  await socket.request({ type: 'waddle.join', waddleId: 'hq' });
  const statuses: number[] = [];
  const body = JSON.stringify({ channelId: 'hq-general', name: 'abandoned.bin', bytes: file.length, sha256: sha(file) });
  for (let i = 0; i < PER_USER; i++) {
    const created = await api(token, 'POST', '/api/uploads', body);
    statuses.push(created.status);
    if (created.status === 201) statuses.push((await api(token, 'PUT', `/api/uploads/${created.json.uploadId}/chunks?offset=0`, file.subarray(0, 1024))).status);
  }
  return statuses;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'waddle-fd-limit-'));
  baseUrl = await startLimitedServer();
});
afterAll(async () => {
  await Promise.all(sockets.map((s) => s.close().catch(() => {})));
  if (child?.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await rm(dataDir, { recursive: true, force: true });
});

describe(`uploads under ulimit -n ${FD_LIMIT}`, () => {
  it(`${USERS * PER_USER} abandoned uploads leave WebSockets and /metrics working`, async () => {
    const startFds = await openDescriptors();
    const file = randomBytes(4096);
    const statuses: number[] = [];
    // a few users at a time, so the test's own HTTP keep-alive sockets stay few
    for (let first = 0; first < USERS; first += 5) {
      const batch = await Promise.all([0, 1, 2, 3, 4].map((i) => abandonUploads(`fd-user-${first + i}`, file)));
      statuses.push(...batch.flat());
    }
    const heldFds = await openDescriptors();
    console.log(`fd-limit: server descriptors ${startFds} at start, ${heldFds} with ${USERS} WebSockets and ${USERS * PER_USER} open uploads (limit ${FD_LIMIT})`);

    // the symptom of the old server: new WebSockets and /metrics failed
    const fresh = await Promise.all(Array.from({ length: 40 }, async (_, i) => TestSocket.open(baseUrl, await login(baseUrl, `late-${i}`))));
    sockets.push(...fresh);
    for (const s of fresh) expect((await s.request({ type: 'ping' })).type).toBe('pong');
    const metrics = await fetch(`${baseUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(new RegExp(`^waddle_uploads_in_flight ${USERS * PER_USER}$`, 'm'));

    // every create and chunk was accepted, and no descriptor is held per upload
    expect(statuses.filter((s) => s !== 201 && s !== 200)).toEqual([]);
    expect(statuses).toHaveLength(USERS * PER_USER * 2);
    expect(heldFds - startFds).toBeLessThan(USERS + 40);

    // one user cannot hold more than the per-user limit
    const hoarder = await login(baseUrl, 'fd-user-0');
    const refused = await api(hoarder, 'POST', '/api/uploads', JSON.stringify({ channelId: 'hq-general', name: 'one-more', bytes: 1, sha256: sha(file) }));
    expect(refused).toMatchObject({ status: 429, json: { error: 'too_many_uploads' } });
  });
});
