// The TURN server against a client speaking RFC 8656 over real UDP on loopback: the 401 challenge,
// long-term credentials, an allocation, a channel, ChannelData both ways through the user's links,
// and the host guard's rule (a peer it does not allow is refused with 403).
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { Attr, buildStun, Class, integrityOk, longTermKey, Method, parseStun, readXorAddress, u32, xorAddress, type Address, type StunMessage } from './stun.ts';
import { REALM, TurnServer } from './turn-server.ts';

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

async function udp(): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  open.push({ close: () => s.close() });
  return s;
}

function asker(socket: dgram.Socket, port: number) {
  return (method: number, attrs: [number, Buffer][], key?: Buffer) => new Promise<StunMessage>((resolve) => {
    socket.once('message', (b) => resolve(parseStun(b)!));
    socket.send(buildStun(method, Class.request, randomBytes(12), attrs, key), port, '127.0.0.1');
  });
}

it('allocates for a user with valid credentials only, relays ChannelData through its links, and refuses peers the guard does not allow', async () => {
  const server = await TurnServer.start({ isPeerAllowed: (a) => a === '127.0.0.1' });
  open.push(server);
  server.addUser({ username: 'vu-0001', password: 'secret', seed: 1, profile: { name: 'slow', up: { delayMs: 40 }, down: { delayMs: 60 } } });
  const client = await udp();
  const peer = await udp();
  const ask = asker(client, server.port);
  const transport: [number, Buffer] = [Attr.requestedTransport, Buffer.from([17, 0, 0, 0])];

  const challenge = await ask(Method.allocate, [transport]);
  expect(challenge.cls).toBe(Class.error);
  expect(challenge.attrs.get(Attr.errorCode)?.readUInt8(2)).toBe(4); // 401
  const nonce = challenge.attrs.get(Attr.nonce)!;
  const auth = (user: string): [number, Buffer][] => [[Attr.username, Buffer.from(user)], [Attr.realm, Buffer.from(REALM)], [Attr.nonce, nonce]];
  const wrong = await ask(Method.allocate, [transport, ...auth('vu-0001')], longTermKey('vu-0001', REALM, 'guess'));
  expect(wrong.cls).toBe(Class.error);

  const key = longTermKey('vu-0001', REALM, 'secret');
  const allocated = await ask(Method.allocate, [transport, ...auth('vu-0001')], key);
  expect(allocated.cls).toBe(Class.success);
  expect(integrityOk(allocated, key)).toBe(true); // answers are signed with the user's key
  const relayed = readXorAddress(allocated.attrs.get(Attr.xorRelayedAddress))!;
  expect(relayed.address).toBe('127.0.0.1');
  expect(readXorAddress(allocated.attrs.get(Attr.xorMappedAddress))).toEqual({ address: '127.0.0.1', port: client.address().port });

  const forbidden = await ask(Method.createPermission, [[Attr.xorPeerAddress, xorAddress({ address: '127.0.0.2', port: 9 })], ...auth('vu-0001')], key);
  expect(forbidden.attrs.get(Attr.errorCode)?.readUInt8(3)).toBe(3); // 403: not an address the guard allows
  const peerAddress: Address = { address: '127.0.0.1', port: peer.address().port };
  const bound = await ask(Method.channelBind, [[Attr.channelNumber, u32(0x4001 << 16)], [Attr.xorPeerAddress, xorAddress(peerAddress)], ...auth('vu-0001')], key);
  expect(bound.cls).toBe(Class.success);

  // up: ChannelData from the user reaches the peer from the relayed address, 40 ms later
  const data = Buffer.from('hello');
  const frame = Buffer.concat([Buffer.from([0x40, 0x01, 0x00, data.length]), data, Buffer.alloc(3)]);
  const sentAt = performance.now();
  const atPeer = new Promise<{ msg: Buffer; from: number; ms: number }>((r) => peer.once('message', (msg, rinfo) => r({ msg, from: rinfo.port, ms: performance.now() - sentAt })));
  client.send(frame, server.port, '127.0.0.1');
  const up = await atPeer;
  expect(up.msg.toString()).toBe('hello');
  expect(up.from).toBe(relayed.port);
  expect(up.ms).toBeGreaterThanOrEqual(39);

  // down: the peer's answer comes to the user as ChannelData on its channel, 60 ms later
  const answeredAt = performance.now();
  const atClient = new Promise<{ msg: Buffer; ms: number }>((r) => client.once('message', (msg) => r({ msg, ms: performance.now() - answeredAt })));
  peer.send(Buffer.from('world'), relayed.port, '127.0.0.1');
  const down = await atClient;
  expect(down.msg.readUInt16BE(0)).toBe(0x4001);
  expect(down.msg.subarray(4, 4 + down.msg.readUInt16BE(2)).toString()).toBe('world');
  expect(down.ms).toBeGreaterThanOrEqual(59);
  expect(server.counts()['vu-0001']).toMatchObject({ up: { packets: 1, lost: 0 }, down: { packets: 1, lost: 0 } });
});
