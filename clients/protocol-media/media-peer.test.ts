import { describe, expect, it } from 'vitest';
import { loopbackOnlySdp } from './media-peer.ts';

describe('loopbackOnlySdp', () => {
  it('keeps loopback candidates and drops every other address werift gathered', () => {
    const sdp = ['v=0', 'a=candidate:1 1 udp 2116026367 127.0.0.1 48825 typ host generation 0', 'a=candidate:2 1 udp 2116026367 192.0.2.2 46585 typ host generation 0', 'a=end-of-candidates', ''].join('\r\n');
    expect(loopbackOnlySdp(sdp)).toBe(['v=0', 'a=candidate:1 1 udp 2116026367 127.0.0.1 48825 typ host generation 0', 'a=end-of-candidates', ''].join('\r\n'));
  });
});
