// The fleet's impairing relay, seen from the main thread: a TURN server in a worker thread
// (./relay-worker.ts, ./turn-server.ts). Each impaired browser user gets credentials naming it;
// its page is told to use only this relay (in-page/network-guard.ts), so the relay applies the
// user's profile to every media packet, whatever candidates the other side offers. Users without
// an impairing profile never touch it.
import { randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { LinkCounts } from '../impairment.ts';
import type { NetworkProfile } from '../profile.ts';
import type { Lateness, RelayUser } from './turn-server.ts';

export type ToRelay =
  | { type: 'add'; user: RelayUser }
  | { type: 'remove'; username: string }
  | { type: 'loadStart'; epochMs: number }
  | { type: 'counts'; id: number }
  | { type: 'close' };
export type UserCounts = Record<string, { up: LinkCounts & Lateness; down: LinkCounts & Lateness }>;
export type FromRelay = { type: 'ready'; port: number } | { type: 'counts'; id: number; counts: UserCounts; activeMs: number } | { type: 'closed' };

/** What a page needs to use the relay (RTCIceServer fields). */
export interface RelayCredentials {
  readonly urls: string;
  readonly username: string;
  readonly credential: string;
}

export const relayMechanism = 'turn-relay';

export class NetworkRelay {
  #nextId = 0;
  readonly #waiting = new Map<number, (m: { counts: UserCounts; activeMs: number }) => void>();

  private constructor(
    private readonly worker: Worker,
    readonly port: number,
  ) {
    worker.on('message', (m: FromRelay) => {
      if (m.type !== 'counts') return;
      this.#waiting.get(m.id)?.(m);
      this.#waiting.delete(m.id);
    });
  }

  /**
   * Starts the relay thread on 127.0.0.1. `peerAddresses`: where it may send (the host guard's
   * candidate addresses; an entry ending in '.' is a prefix, e.g. '127.').
   */
  static async start(peerAddresses: readonly string[]): Promise<NetworkRelay> {
    const worker = new Worker(new URL('./relay-worker.ts', import.meta.url), {
      workerData: { peerPrefixes: [...peerAddresses] },
      execArgv: ['--import', new URL('../../bin/register-hooks.mjs', import.meta.url).href],
    });
    const port = await new Promise<number>((resolve, reject) => {
      worker.once('error', (e) => reject(new Error(`network relay: its thread failed to start (${e.message})`)));
      worker.once('exit', (code) => reject(new Error(`network relay: its thread exited (code ${code}) before it listened`)));
      worker.on('message', (m: FromRelay) => m.type === 'ready' && resolve(m.port));
    });
    worker.unref();
    return new NetworkRelay(worker, port);
  }

  /** Registers a user (its TURN username is its label) and returns what its page needs. */
  addUser(label: string, profile: NetworkProfile, seed: number): RelayCredentials {
    const credential = randomBytes(12).toString('hex');
    this.worker.postMessage({ type: 'add', user: { username: label, password: credential, profile, seed } } satisfies ToRelay);
    return { urls: `turn:127.0.0.1:${this.port}?transport=udp`, username: label, credential };
  }

  removeUser(label: string): void {
    this.worker.postMessage({ type: 'remove', username: label } satisfies ToRelay);
  }

  /** Schedule steps count from here. */
  loadStarted(epochMs = performance.timeOrigin + performance.now()): void {
    this.worker.postMessage({ type: 'loadStart', epochMs } satisfies ToRelay);
  }

  /** Packets and drops per user and direction so far, and how long the relay thread has been busy (its event loop active, ms: its CPU time). */
  counts(): Promise<{ counts: UserCounts; activeMs: number }> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#waiting.set(id, resolve);
      this.worker.postMessage({ type: 'counts', id } satisfies ToRelay);
    });
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => {
      this.worker.on('message', (m: FromRelay) => m.type === 'closed' && resolve());
      setTimeout(resolve, 2000).unref();
    });
    this.worker.postMessage({ type: 'close' } satisfies ToRelay);
    await closed;
    await this.worker.terminate();
  }
}
