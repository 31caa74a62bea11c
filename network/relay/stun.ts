// STUN messages (RFC 8489) as far as a TURN relay needs them (RFC 8656): parse, build with
// MESSAGE-INTEGRITY (HMAC-SHA1, long-term key MD5(user:realm:pass)) and FINGERPRINT, and the
// XOR address attributes (IPv4 only: the relay listens on loopback).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';

export const MAGIC = 0x2112a442;

export const Method = { binding: 0x001, allocate: 0x003, refresh: 0x004, send: 0x006, data: 0x007, createPermission: 0x008, channelBind: 0x009 } as const;
export const Class = { request: 0x000, indication: 0x010, success: 0x100, error: 0x110 } as const;

export const Attr = {
  mappedAddress: 0x0001,
  username: 0x0006,
  messageIntegrity: 0x0008,
  errorCode: 0x0009,
  channelNumber: 0x000c,
  lifetime: 0x000d,
  xorPeerAddress: 0x0012,
  data: 0x0013,
  realm: 0x0014,
  nonce: 0x0015,
  xorRelayedAddress: 0x0016,
  requestedTransport: 0x0019,
  xorMappedAddress: 0x0020,
  software: 0x8022,
  fingerprint: 0x8028,
} as const;

export interface StunMessage {
  readonly method: number;
  readonly cls: number;
  readonly transactionId: Buffer;
  /** attributes in order (a repeated type keeps its first) */
  readonly attrs: Map<number, Buffer>;
  /** where MESSAGE-INTEGRITY starts, for checking it */
  readonly integrityOffset?: number;
  readonly raw: Buffer;
}

export interface Address {
  readonly address: string;
  readonly port: number;
}

/** Is this datagram a STUN message (first two bits 0, the magic cookie)? ChannelData starts with 01. */
export const isStun = (b: Buffer) => b.length >= 20 && (b[0]! & 0xc0) === 0 && b.readUInt32BE(4) === MAGIC;

export function parseStun(raw: Buffer): StunMessage | undefined {
  if (!isStun(raw)) return undefined;
  const type = raw.readUInt16BE(0);
  const length = raw.readUInt16BE(2);
  if (20 + length > raw.length) return undefined;
  const method = (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
  const cls = type & 0x0110;
  const attrs = new Map<number, Buffer>();
  let integrityOffset: number | undefined;
  for (let at = 20; at + 4 <= 20 + length; ) {
    const t = raw.readUInt16BE(at);
    const l = raw.readUInt16BE(at + 2);
    if (at + 4 + l > raw.length) return undefined;
    if (t === Attr.messageIntegrity) integrityOffset = at;
    if (!attrs.has(t)) attrs.set(t, raw.subarray(at + 4, at + 4 + l));
    at += 4 + Math.ceil(l / 4) * 4;
  }
  return { method, cls, transactionId: raw.subarray(8, 20), attrs, ...(integrityOffset !== undefined ? { integrityOffset } : {}), raw };
}

export const longTermKey = (username: string, realm: string, password: string) => createHash('md5').update(`${username}:${realm}:${password}`).digest();

/** Checks MESSAGE-INTEGRITY: the HMAC over the message before it, with the length as if it ended there. */
export function integrityOk(message: StunMessage, key: Buffer): boolean {
  const at = message.integrityOffset;
  const given = message.attrs.get(Attr.messageIntegrity);
  if (at === undefined || !given || given.length !== 20) return false;
  const head = Buffer.from(message.raw.subarray(0, at));
  head.writeUInt16BE(at - 20 + 24, 2);
  return timingSafeEqual(createHmac('sha1', key).update(head).digest(), given);
}

export function xorAddress(value: Address): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt8(0x01, 1);
  b.writeUInt16BE(value.port ^ (MAGIC >>> 16), 2);
  const octets = value.address.split('.').map(Number);
  b.writeUInt32BE((((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) ^ MAGIC) >>> 0, 4);
  return b;
}

export function readXorAddress(b: Buffer | undefined): Address | undefined {
  if (!b || b.length < 8 || b[1] !== 0x01) return undefined; // IPv4 only
  const ip = (b.readUInt32BE(4) ^ MAGIC) >>> 0;
  return { address: [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join('.'), port: b.readUInt16BE(2) ^ (MAGIC >>> 16) };
}

export function errorCode(code: number, reason: string): Buffer {
  const text = Buffer.from(reason);
  const b = Buffer.alloc(4 + text.length);
  b.writeUInt8(Math.floor(code / 100), 2);
  b.writeUInt8(code % 100, 3);
  text.copy(b, 4);
  return b;
}

export const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};

/** A STUN message; with a key, MESSAGE-INTEGRITY, and always FINGERPRINT last. */
export function buildStun(method: number, cls: number, transactionId: Buffer, attrs: readonly (readonly [number, Buffer])[], key?: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (const [type, value] of attrs) {
    const head = Buffer.alloc(4);
    head.writeUInt16BE(type, 0);
    head.writeUInt16BE(value.length, 2);
    parts.push(head, value, Buffer.alloc((4 - (value.length % 4)) % 4));
  }
  let body = Buffer.concat(parts);
  const type = (method & 0x000f) | ((method & 0x0070) << 1) | ((method & 0x0f80) << 2) | cls;
  const header = (length: number) => {
    const h = Buffer.alloc(20);
    h.writeUInt16BE(type, 0);
    h.writeUInt16BE(length, 2);
    h.writeUInt32BE(MAGIC, 4);
    transactionId.copy(h, 8);
    return h;
  };
  if (key) {
    const mac = createHmac('sha1', key).update(Buffer.concat([header(body.length + 24), body])).digest();
    body = Buffer.concat([body, Buffer.from([0x00, 0x08, 0x00, 0x14]), mac]);
  }
  const withoutFp = Buffer.concat([header(body.length + 8), body]);
  const fp = Buffer.alloc(8);
  fp.writeUInt16BE(Attr.fingerprint, 0);
  fp.writeUInt16BE(4, 2);
  fp.writeUInt32BE((crc32(withoutFp) ^ 0x5354554e) >>> 0, 4);
  return Buffer.concat([withoutFp, fp]);
}
