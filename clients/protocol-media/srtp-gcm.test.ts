// The fast path's SRTP against werift's own, both ways, with the keys a DTLS handshake would give
// the two ends: what one protects the other opens byte for byte, a tampered packet is dropped, and
// the rollover counter follows werift's rule across a sequence wrap.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ProtectionProfileAeadAes128Gcm, RtpHeader, RtpPacket, SrtpSession } from 'werift';
import { PROFILE_AEAD_AES_128_GCM, RTP_HEADER_BYTES, SrtpGcm, type WeriftSrtpContext } from './srtp-gcm.ts';

function pair(): { a: SrtpSession; b: SrtpSession } {
  const [ka, sa, kb, sb] = [randomBytes(16), randomBytes(12), randomBytes(16), randomBytes(12)];
  const session = (lk: Buffer, ls: Buffer, rk: Buffer, rs: Buffer) =>
    new SrtpSession({ keys: { localMasterKey: lk, localMasterSalt: ls, remoteMasterKey: rk, remoteMasterSalt: rs }, profile: ProtectionProfileAeadAes128Gcm });
  return { a: session(ka, sa, kb, sb), b: session(kb, sb, ka, sa) };
}
const local = (s: SrtpSession) => s.localContext as unknown as WeriftSrtpContext;
const remote = (s: SrtpSession) => s.remoteContext as unknown as WeriftSrtpContext;

describe('SrtpGcm', () => {
  it('is the profile werift calls AEAD_AES_128_GCM', () => {
    expect(PROFILE_AEAD_AES_128_GCM).toBe(ProtectionProfileAeadAes128Gcm);
  });

  it('protects packets that werift opens to the same header and payload, across a sequence wrap', () => {
    const { a, b } = pair();
    const ours = new SrtpGcm(local(a));
    for (const seq of [65534, 65535, 0, 1]) {
      const payload = randomBytes(300 + seq % 7);
      const packet = ours.protect(0xdeadbeef, 96, seq, 123456 + seq, seq === 0, payload);
      const opened = RtpPacket.deSerialize(b.decrypt(packet));
      expect(opened.header).toMatchObject({ ssrc: 0xdeadbeef, payloadType: 96, sequenceNumber: seq, timestamp: 123456 + seq, marker: seq === 0 });
      expect(opened.payload.equals(payload)).toBe(true);
    }
    expect(local(a).srtpSSRCStates[0xdeadbeef]?.rolloverCounter).toBe(1);
  });

  it('opens what werift protects, and drops a tampered packet without moving the rollover counter', () => {
    const { a, b } = pair();
    const ours = new SrtpGcm(remote(b));
    for (const seq of [65535, 0, 1]) {
      const payload = randomBytes(1100);
      const packet = a.encrypt(payload, new RtpHeader({ ssrc: 42, payloadType: 111, sequenceNumber: seq, timestamp: 960 * seq, marker: false }));
      expect(ours.unprotect(packet, RTP_HEADER_BYTES, 42, seq)?.equals(payload)).toBe(true);
    }
    const state = { ...remote(b).srtpSSRCStates[42] };
    expect(state.rolloverCounter).toBe(1);
    const bad = a.encrypt(randomBytes(50), new RtpHeader({ ssrc: 42, payloadType: 111, sequenceNumber: 2, timestamp: 0, marker: false }));
    bad[RTP_HEADER_BYTES + 3] = bad[RTP_HEADER_BYTES + 3]! ^ 1;
    expect(ours.unprotect(bad, RTP_HEADER_BYTES, 42, 2)).toBeUndefined();
    expect(remote(b).srtpSSRCStates[42]).toEqual(state);
  });
});
