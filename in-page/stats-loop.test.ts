// Ordering of snapshots in the probe's loop. The fault injected: getStats answers late, in an
// order the test chooses (deferred promises); the real thing runs in test/webrtc-probe.e2e.test.ts.
import { describe, expect, it } from 'vitest';
import type { ProbeBatch, ProbeEvent } from './probe-protocol.ts';
import { StatsLoop, type Tracked } from './stats-loop.ts';

type Report = Map<string, Record<string, unknown>>;
const video = (t: number, packets: number, bytes: number): Report =>
  new Map([
    ['cam', { id: 'cam', type: 'inbound-rtp', timestamp: t, kind: 'video', ssrc: 1, packetsReceived: packets, bytesReceived: bytes, framesDecoded: bytes ? packets : 0 }],
    ['slot', { id: 'slot', type: 'inbound-rtp', timestamp: t, kind: 'video', ssrc: 2, packetsReceived: 1, bytesReceived: 0, framesDecoded: 0 }],
  ]);

function setup() {
  const pc = {} as RTCPeerConnection;
  const t: Tracked = { id: 'pc1', ref: new WeakRef(pc), remoteSlidesMids: new Set(), closed: false, chain: Promise.resolve(), idleCounted: new Set() };
  const requests: { resolve: (r: Report) => void }[] = [];
  const batches: ProbeBatch[] = [];
  let events: ProbeEvent[] = [];
  const loop = new StatsLoop({
    tracked: new Set([t]),
    getStats: () => new Promise<RTCStatsReport>((resolve) => requests.push({ resolve: (r) => resolve(r as unknown as RTCStatsReport) })),
    contextOf: () => ({ connectionId: t.id, screenTrackIds: new Set(), screenMids: new Set() }),
    pushEvent: (e) => void events.push(e),
    takeEvents: () => {
      const taken = events;
      events = [];
      return taken;
    },
    send: async (b) => void batches.push(b),
  });
  const sum = (field: 'packets' | 'bytes') => batches.flatMap((b) => b.streams).reduce((a, s) => a + (s[field] ?? 0), 0);
  const idle = () => batches.flatMap((b) => b.events).filter((e) => e.type === 'idle_stream');
  const tick = () => new Promise((r) => setTimeout(r, 0));
  return { t, loop, requests, batches, sum, idle, tick };
}

describe('StatsLoop', () => {
  it('a flush during a slow periodic round waits for it, then takes a final snapshot that counts idle streams', async () => {
    const { loop, requests, sum, idle, tick } = setup();
    const periodic = loop.round(false);
    await tick();
    void loop.round(false); // skipped: one is in flight
    let flushed = false;
    const flush = loop.round(true).then(() => (flushed = true));
    await tick();
    expect(requests).toHaveLength(1);
    requests[0]!.resolve(video(1000, 40, 40_000));
    await periodic;
    await tick();
    expect(flushed).toBe(false);
    expect(requests).toHaveLength(2); // the flush's own snapshot, after the periodic one
    requests[1]!.resolve(video(1300, 55, 52_000));
    await flush;
    expect(sum('packets')).toBe(55 + 1); // the camera from zero, the slot's padding packet
    expect(sum('bytes')).toBe(52_000);
    expect(idle()).toEqual([{ type: 'idle_stream', connectionId: 'pc1', kind: 'video', direction: 'inbound' }]);
    const again = loop.round(true); // a second flush: nothing new, the idle stream is not counted twice
    await tick();
    requests[2]!.resolve(video(1400, 55, 52_000));
    await again;
    expect(idle()).toHaveLength(1);
    expect(sum('packets')).toBe(56);
  });

  it('close() asks before the real close; its snapshot folds after an older request that answers later', async () => {
    const { t, loop, requests, batches, sum, tick } = setup();
    const periodic = loop.round(false);
    await tick();
    loop.closing(t);
    expect(requests).toHaveLength(2); // asked synchronously, before the caller's real close()
    expect(t.closed).toBe(true);
    requests[1]!.resolve(video(2000, 90, 90_000)); // the final answers first
    await tick();
    requests[0]!.resolve(video(1000, 40, 40_000));
    await periodic;
    await tick();
    expect(sum('packets')).toBe(90 + 1);
    expect(sum('bytes')).toBe(90_000);
    expect(batches.flatMap((b) => b.streams).every((s) => (s.packets ?? 0) >= 0)).toBe(true);
    expect(batches.at(-1)?.openConnections).toBe(0);
    await loop.round(true); // a closed connection is not asked again
    expect(requests).toHaveLength(2);
  });

  it('snapshots answered out of order fold in request order, so the next one does not count twice', async () => {
    const { t, loop, requests, sum, tick } = setup();
    const first = loop.snapshot(t, false); // e.g. a periodic round
    const second = loop.snapshot(t, false); // e.g. connectionstatechange 'failed'
    requests[1]!.resolve(video(2000, 90, 90_000));
    await tick();
    requests[0]!.resolve(video(1000, 40, 40_000));
    await Promise.all([first, second]);
    const flush = loop.round(true);
    await tick();
    requests[2]!.resolve(video(3000, 120, 120_000));
    await flush;
    expect(sum('packets')).toBe(120 + 1);
    expect(sum('bytes')).toBe(120_000);
  });
});
