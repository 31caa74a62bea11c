// handleTotals reads Janus 1.1's handle_info shape (webrtc.media[mindex].stats.in/out, as a real
// Janus answered during test/reference-waddle-sfu.e2e.test.ts); the live figures are checked there.
import { describe, expect, it } from 'vitest';
import { handleTotals } from './sfu-metrics.ts';

describe('handleTotals', () => {
  it('sums packets and bytes in and out over every medium of a handle', () => {
    const info = {
      webrtc: {
        dtls: { stats: { in: { packets: 7, bytes: 4966 }, out: { packets: 2, bytes: 805 } } }, // DTLS, not media: not counted
        media: {
          '0': { type: 'audio', stats: { in: { packets: 0, bytes: 0, bytes_lastsec: 0 }, out: { packets: 233, bytes: 23533, bytes_lastsec: 5050, nacks: 0 } } },
          '1': { type: 'video', stats: { in: { packets: 10, bytes: 9000, nacks: 0 }, out: { packets: 130, bytes: 95788, nacks: 0 } } },
          '2': { type: 'video' }, // a stream with no stats yet
        },
      },
    };
    expect(handleTotals(info)).toEqual({ packetsIn: 10, bytesIn: 9000, packetsOut: 363, bytesOut: 119321 });
  });

  it('is zero for a handle without a PeerConnection (no webrtc section)', () => {
    expect(handleTotals({ plugin: 'janus.plugin.videoroom' })).toEqual({ packetsIn: 0, packetsOut: 0, bytesIn: 0, bytesOut: 0 });
    expect(handleTotals(undefined)).toEqual({ packetsIn: 0, packetsOut: 0, bytesIn: 0, bytesOut: 0 });
  });
});
