// A minimal TURN server over UDP (RFC 8656, long-term credentials) that impairs what it relays:
// a user's page is told to use only relay candidates from it, so every media packet of that user
// passes here. Packets from the user (Send indications, ChannelData) go through the user's `up`
// link; packets from peers towards the user (Data indications, ChannelData) through its `down`
// link (network/impairment.ts). One user may hold several allocations (one per peer connection):
// they share its links, as the connections of one device share its network.
// Peers are limited to the addresses the host guard allows (loopback by default): the relay is
// never a way around it.
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createRng } from '../../common/random.ts';
import { LinkModel, type LinkCounts } from '../impairment.ts';
import type { NetworkProfile } from '../profile.ts';
import { Attr, buildStun, Class, errorCode, integrityOk, isStun, longTermKey, Method, parseStun, readXorAddress, u32, xorAddress, type Address, type StunMessage } from './stun.ts';
import { DelayLine } from './delay-line.ts';

export const REALM = 'waddle-fleet';

export interface Lateness {
  readonly lateMeanMs: number;
  readonly lateMaxMs: number;
}
const defaultLifetimeS = 600;

export interface RelayUser {
  readonly username: string;
  readonly password: string;
  readonly profile: NetworkProfile;
  /** seeds the user's loss and jitter draws (the run seed and the user's index) */
  readonly seed: number;
}

interface UserState {
  readonly user: RelayUser;
  readonly key: Buffer;
  readonly up: LinkModel;
  readonly down: LinkModel;
  readonly upLine: DelayLine;
  readonly downLine: DelayLine;
}

interface Allocation {
  readonly client: Address;
  readonly state: UserState;
  readonly socket: dgram.Socket;
  readonly relayed: Address;
  readonly permissions: Set<string>;
  readonly channels: Map<number, Address>;
  readonly channelOf: Map<string, number>;
  expiresAtMs: number;
}

export interface TurnServerOptions {
  /** may the relay send to this peer IP? (the host guard's rule) */
  readonly isPeerAllowed: (address: string) => boolean;
}

const key = (a: Address) => `${a.address}:${a.port}`;

export class TurnServer {
  readonly #users = new Map<string, UserState>();
  readonly #allocations = new Map<string, Allocation>();
  readonly #nonce = randomBytes(8).toString('hex');
  /** performance.now() at which the load started (schedule steps count from it) */
  #loadStartMs = performance.now();
  #sweep: NodeJS.Timeout;

  private constructor(
    private readonly socket: dgram.Socket,
    private readonly options: TurnServerOptions,
  ) {
    socket.on('message', (msg, rinfo) => this.#fromClient(msg, { address: rinfo.address, port: rinfo.port }));
    this.#sweep = setInterval(() => this.#expire(), 10_000);
    this.#sweep.unref();
  }

  static async start(options: TurnServerOptions): Promise<TurnServer> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => resolve());
    });
    return new TurnServer(socket, options);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** The monotonic instant (this thread's performance.now) the load started at. */
  setLoadStart(atMs: number): void {
    this.#loadStartMs = atMs;
  }

  addUser(user: RelayUser): void {
    const rng = createRng(user.seed);
    this.#users.set(user.username, {
      user,
      key: longTermKey(user.username, REALM, user.password),
      up: new LinkModel(user.profile, 'up', rng),
      down: new LinkModel(user.profile, 'down', rng),
      upLine: new DelayLine(),
      downLine: new DelayLine(),
    });
  }

  removeUser(username: string): void {
    for (const [k, a] of this.#allocations) if (a.state.user.username === username) this.#free(k, a);
    const state = this.#users.get(username);
    state?.upLine.clear();
    state?.downLine.clear();
    this.#users.delete(username);
  }

  /** Per user and direction: the link's counts, and how late the relay sent what it delayed (mean and max ms). */
  counts(): Record<string, { up: LinkCounts & Lateness; down: LinkCounts & Lateness }> {
    const late = (line: DelayLine): Lateness => ({ lateMeanMs: line.lateness.sends ? line.lateness.sumMs / line.lateness.sends : 0, lateMaxMs: line.lateness.maxMs });
    return Object.fromEntries([...this.#users].map(([name, s]) => [name, { up: { ...s.up.counts, ...late(s.upLine) }, down: { ...s.down.counts, ...late(s.downLine) } }]));
  }

  async close(): Promise<void> {
    clearInterval(this.#sweep);
    for (const [k, a] of this.#allocations) this.#free(k, a);
    for (const s of this.#users.values()) {
      s.upLine.clear();
      s.downLine.clear();
    }
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  #now(): number {
    return Math.max(0, performance.now() - this.#loadStartMs);
  }

  #fromClient(msg: Buffer, from: Address): void {
    if ((msg[0]! & 0xc0) === 0x40 && msg.length >= 4) return this.#channelData(msg, from);
    if (!isStun(msg)) return;
    const m = parseStun(msg);
    if (!m) return;
    if (m.method === Method.binding && m.cls === Class.request) {
      return this.#reply(from, buildStun(Method.binding, Class.success, m.transactionId, [[Attr.xorMappedAddress, xorAddress(from)]]));
    }
    if (m.method === Method.send && m.cls === Class.indication) return this.#sendIndication(m, from);
    if (m.cls !== Class.request) return;
    const state = this.#authenticate(m, from);
    if (!state) return;
    if (m.method === Method.allocate) void this.#allocate(m, from, state);
    else if (m.method === Method.refresh) this.#refresh(m, from, state);
    else if (m.method === Method.createPermission) this.#permission(m, from, state);
    else if (m.method === Method.channelBind) this.#channelBind(m, from, state);
    else this.#error(m, from, 400, 'Bad Request', state.key);
  }

  /** The user of a request with valid long-term credentials, or undefined after answering 401. */
  #authenticate(m: StunMessage, from: Address): UserState | undefined {
    const username = m.attrs.get(Attr.username)?.toString();
    const state = username ? this.#users.get(username) : undefined;
    if (!m.attrs.has(Attr.messageIntegrity) || !state || !integrityOk(m, state.key)) {
      const realm: [number, Buffer][] = [[Attr.realm, Buffer.from(REALM)], [Attr.nonce, Buffer.from(this.#nonce)]];
      this.#reply(from, buildStun(m.method, Class.error, m.transactionId, [[Attr.errorCode, errorCode(401, 'Unauthorized')], ...realm]));
      return undefined;
    }
    return state;
  }

  async #allocate(m: StunMessage, from: Address, state: UserState): Promise<void> {
    const existing = this.#allocations.get(key(from));
    if (existing) {
      // a retransmitted Allocate of the same 5-tuple gets the same answer
      if (existing.state === state) return this.#allocated(m, from, existing);
      return this.#error(m, from, 437, 'Allocation Mismatch', state.key);
    }
    if (m.attrs.get(Attr.requestedTransport)?.[0] !== 17) return this.#error(m, from, 442, 'Unsupported Transport Protocol', state.key);
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    const allocation: Allocation = { client: from, state, socket, relayed: { address: '127.0.0.1', port: socket.address().port }, permissions: new Set(), channels: new Map(), channelOf: new Map(), expiresAtMs: performance.now() + defaultLifetimeS * 1000 };
    socket.on('message', (data, rinfo) => this.#fromPeer(allocation, data, { address: rinfo.address, port: rinfo.port }));
    socket.on('error', () => {});
    this.#allocations.set(key(from), allocation);
    this.#allocated(m, from, allocation);
  }

  #allocated(m: StunMessage, from: Address, a: Allocation): void {
    const attrs: [number, Buffer][] = [[Attr.xorRelayedAddress, xorAddress(a.relayed)], [Attr.xorMappedAddress, xorAddress(from)], [Attr.lifetime, u32(defaultLifetimeS)]];
    this.#reply(from, buildStun(Method.allocate, Class.success, m.transactionId, attrs, a.state.key));
  }

  #refresh(m: StunMessage, from: Address, state: UserState): void {
    const a = this.#allocations.get(key(from));
    if (!a) return this.#error(m, from, 437, 'Allocation Mismatch', state.key);
    const asked = m.attrs.get(Attr.lifetime)?.readUInt32BE(0) ?? defaultLifetimeS;
    const lifetime = Math.min(asked, 3600);
    if (lifetime === 0) this.#free(key(from), a);
    else a.expiresAtMs = performance.now() + lifetime * 1000;
    this.#reply(from, buildStun(Method.refresh, Class.success, m.transactionId, [[Attr.lifetime, u32(lifetime)]], state.key));
  }

  #permission(m: StunMessage, from: Address, state: UserState): void {
    const a = this.#allocations.get(key(from));
    const peer = readXorAddress(m.attrs.get(Attr.xorPeerAddress));
    if (!a) return this.#error(m, from, 437, 'Allocation Mismatch', state.key);
    if (!peer || !this.options.isPeerAllowed(peer.address)) return this.#error(m, from, 403, 'Forbidden (waddle-fleet host guard)', state.key);
    a.permissions.add(peer.address);
    this.#reply(from, buildStun(Method.createPermission, Class.success, m.transactionId, [], state.key));
  }

  #channelBind(m: StunMessage, from: Address, state: UserState): void {
    const a = this.#allocations.get(key(from));
    const peer = readXorAddress(m.attrs.get(Attr.xorPeerAddress));
    const channel = m.attrs.get(Attr.channelNumber)?.readUInt16BE(0);
    if (!a) return this.#error(m, from, 437, 'Allocation Mismatch', state.key);
    if (!peer || channel === undefined || channel < 0x4000 || channel > 0x7ffe) return this.#error(m, from, 400, 'Bad Request', state.key);
    if (!this.options.isPeerAllowed(peer.address)) return this.#error(m, from, 403, 'Forbidden (waddle-fleet host guard)', state.key);
    a.permissions.add(peer.address);
    a.channels.set(channel, peer);
    a.channelOf.set(key(peer), channel);
    this.#reply(from, buildStun(Method.channelBind, Class.success, m.transactionId, [], state.key));
  }

  #sendIndication(m: StunMessage, from: Address): void {
    const a = this.#allocations.get(key(from));
    const peer = readXorAddress(m.attrs.get(Attr.xorPeerAddress));
    const data = m.attrs.get(Attr.data);
    if (a && peer && data && a.permissions.has(peer.address)) this.#up(a, Buffer.from(data), peer);
  }

  #channelData(msg: Buffer, from: Address): void {
    const a = this.#allocations.get(key(from));
    const peer = a?.channels.get(msg.readUInt16BE(0));
    const length = msg.readUInt16BE(2);
    if (a && peer && 4 + length <= msg.length) this.#up(a, msg.subarray(4, 4 + length), peer);
  }

  /** From the user towards a peer: through its up link, then out of the relayed address. */
  #up(a: Allocation, data: Buffer, peer: Address): void {
    const admitted = a.state.up.admit(data.length, this.#now());
    if ('dropped' in admitted) return;
    a.state.upLine.at(admitted.deliverAtMs - this.#now(), () => a.socket.send(data, peer.port, peer.address));
  }

  /** From a peer to the user: through its down link, as ChannelData when a channel is bound, else a Data indication. */
  #fromPeer(a: Allocation, data: Buffer, peer: Address): void {
    if (!a.permissions.has(peer.address)) return;
    const admitted = a.state.down.admit(data.length, this.#now());
    if ('dropped' in admitted) return;
    const channel = a.channelOf.get(key(peer));
    let out: Buffer;
    if (channel !== undefined) {
      out = Buffer.alloc(4 + Math.ceil(data.length / 4) * 4);
      out.writeUInt16BE(channel, 0);
      out.writeUInt16BE(data.length, 2);
      data.copy(out, 4);
    } else {
      out = buildStun(Method.data, Class.indication, randomBytes(12), [[Attr.xorPeerAddress, xorAddress(peer)], [Attr.data, data]]);
    }
    a.state.downLine.at(admitted.deliverAtMs - this.#now(), () => this.#reply(a.client, out));
  }

  #reply(to: Address, b: Buffer): void {
    this.socket.send(b, to.port, to.address);
  }

  #error(m: StunMessage, from: Address, code: number, reason: string, key: Buffer): void {
    this.#reply(from, buildStun(m.method, Class.error, m.transactionId, [[Attr.errorCode, errorCode(code, reason)]], key));
  }

  #free(k: string, a: Allocation): void {
    this.#allocations.delete(k);
    try {
      a.socket.close();
    } catch {}
  }

  #expire(): void {
    const now = performance.now();
    for (const [k, a] of this.#allocations) if (a.expiresAtMs < now) this.#free(k, a);
  }
}
