// SRTP with AEAD_AES_128_GCM (RFC 7714), the profile werift and Janus (and werift with werift) agree
// on, for the RTP packets of the fast path (rtp-fast-path.ts). werift's own SRTP does the same
// crypto but builds each packet through generic writers (an RtpHeader object serialized field by
// field, the IV through a buffer writer, Buffer.concat of three parts); here the 12-byte header is
// written straight into the packet and the IV into one reused buffer. Node's cipher object per
// packet stays: GCM takes a new IV per packet and Node has no way to re-key an existing one.
// The session key and salt are werift's (derived from DTLS), so both paths interoperate; the
// rollover counter is werift's state object for the SSRC, updated by werift's own rule.
import { createCipheriv, createDecipheriv } from 'node:crypto';

export const GCM_TAG_BYTES = 16;
export const RTP_HEADER_BYTES = 12;
/** werift's ProtectionProfileAeadAes128Gcm (the DTLS use_srtp value) */
export const PROFILE_AEAD_AES_128_GCM = 7;

/** The parts of werift's SRTP context (its SrtpContext, not exported as a type) this file uses. */
export interface WeriftSrtpContext {
  readonly profile: number;
  readonly cipher: { readonly srtpSessionKey: Buffer; readonly srtpSessionSalt: Buffer };
  readonly srtpSSRCStates: Record<number, RolloverState | undefined>;
  getSrtpSsrcState(ssrc: number): RolloverState;
  updateRolloverCount(sequenceNumber: number, state: RolloverState): void;
}

export interface RolloverState {
  ssrc: number;
  rolloverCounter: number;
  lastSequenceNumber: number;
  rolloverHasProcessed?: boolean;
}

/** One direction's key and salt; encrypts (local context) or decrypts (remote context). */
export class SrtpGcm {
  private readonly key: Buffer;
  private readonly salt: Buffer;
  private readonly iv = Buffer.alloc(12);
  /** a copy of a rollover state, updated before decrypting and kept only if the packet authenticates */
  private readonly scratch: RolloverState = { ssrc: 0, rolloverCounter: 0, lastSequenceNumber: 0 };

  constructor(private readonly context: WeriftSrtpContext) {
    this.key = context.cipher.srtpSessionKey;
    this.salt = context.cipher.srtpSessionSalt;
  }

  static supports(context: WeriftSrtpContext | undefined): context is WeriftSrtpContext {
    return context?.profile === PROFILE_AEAD_AES_128_GCM && context.cipher.srtpSessionKey.length === 16;
  }

  /** An SRTP packet: the RTP header (V=2, no CSRC, no extension), the encrypted payload, the tag. */
  protect(ssrc: number, payloadType: number, sequenceNumber: number, timestamp: number, marker: boolean, payload: Buffer): Buffer {
    const state = this.context.getSrtpSsrcState(ssrc);
    this.context.updateRolloverCount(sequenceNumber, state);
    const out = Buffer.allocUnsafe(RTP_HEADER_BYTES + payload.length + GCM_TAG_BYTES);
    out[0] = 0x80;
    out[1] = (marker ? 0x80 : 0) | payloadType;
    out.writeUInt16BE(sequenceNumber, 2);
    out.writeUInt32BE(timestamp, 4);
    out.writeUInt32BE(ssrc, 8);
    const header = out.subarray(0, RTP_HEADER_BYTES);
    const cipher = createCipheriv('aes-128-gcm', this.key, this.ivFor(ssrc, state.rolloverCounter, sequenceNumber));
    cipher.setAAD(header);
    const encrypted = cipher.update(payload);
    cipher.final();
    encrypted.copy(out, RTP_HEADER_BYTES);
    cipher.getAuthTag().copy(out, RTP_HEADER_BYTES + payload.length);
    return out;
  }

  /**
   * The decrypted payload (padding included) of an SRTP packet whose header is `headerBytes` long,
   * or undefined when it does not authenticate (dropped, as werift drops it). The rollover state
   * moves only for a packet that authenticates.
   */
  unprotect(packet: Buffer, headerBytes: number, ssrc: number, sequenceNumber: number): Buffer | undefined {
    const tagAt = packet.length - GCM_TAG_BYTES;
    if (tagAt < headerBytes) return undefined;
    const existing = this.context.srtpSSRCStates[ssrc];
    const next = this.scratch;
    next.ssrc = ssrc;
    next.rolloverCounter = existing?.rolloverCounter ?? 0;
    next.lastSequenceNumber = existing?.lastSequenceNumber ?? 0;
    next.rolloverHasProcessed = existing?.rolloverHasProcessed;
    this.context.updateRolloverCount(sequenceNumber, next);
    let payload: Buffer;
    try {
      const decipher = createDecipheriv('aes-128-gcm', this.key, this.ivFor(ssrc, next.rolloverCounter, sequenceNumber));
      decipher.setAAD(packet.subarray(0, headerBytes));
      decipher.setAuthTag(packet.subarray(tagAt));
      payload = decipher.update(packet.subarray(headerBytes, tagAt));
      decipher.final();
    } catch {
      return undefined;
    }
    const state = existing ?? this.context.getSrtpSsrcState(ssrc);
    state.rolloverCounter = next.rolloverCounter;
    state.lastSequenceNumber = next.lastSequenceNumber;
    state.rolloverHasProcessed = next.rolloverHasProcessed;
    return payload;
  }

  /** RFC 7714 §8.1: 00 00 || SSRC || ROC || SEQ, XOR the session salt. */
  private ivFor(ssrc: number, rolloverCounter: number, sequenceNumber: number): Buffer {
    const iv = this.iv;
    iv[0] = 0;
    iv[1] = 0;
    iv.writeUInt32BE(ssrc >>> 0, 2);
    iv.writeUInt32BE(rolloverCounter >>> 0, 6);
    iv.writeUInt16BE(sequenceNumber, 10);
    for (let i = 0; i < 12; i++) iv[i] = iv[i]! ^ this.salt[i]!;
    return iv;
  }
}
