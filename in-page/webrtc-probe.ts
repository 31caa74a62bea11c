// The in-page probe, injected with context.addInitScript before any app code runs.
// It wraps window.RTCPeerConnection in a transparent subclass (instanceof, statics such as
// generateCertificate, the prototype chain and on* handlers all still work), samples getStats()
// of every connection each intervalMs, and reports batches to Node via window[PROBE_BINDING].
// It never throws into the app: every probe step is wrapped and failures are reported as events.
import { guardWebSockets, stripIceServers } from './network-guard.ts';
import { PROBE_BINDING, PROBE_CONFIG_GLOBAL, PROBE_FLUSH_GLOBAL, type ProbeBatch, type ProbeConfig, type ProbeEvent, type StreamSample, type MediaKind } from './probe-protocol.ts';
import { installFakeScreenShare } from './screen-share.ts';
import { sampleStreams, slidesMids, type Stat, type StatsMap } from './stats-sampler.ts';

interface Tracked {
  readonly id: string;
  readonly ref: WeakRef<RTCPeerConnection>;
  prev?: StatsMap;
  lastRemoteDescriptionAtMs?: number;
  closed: boolean;
}

type ProbeWindow = typeof globalThis & Record<string, unknown>;

(function installProbe(): void {
  const w = globalThis as ProbeWindow;
  if (w[PROBE_FLUSH_GLOBAL]) return; // already installed in this realm
  const config = (w[PROBE_CONFIG_GLOBAL] ?? {}) as Partial<ProbeConfig>;
  const intervalMs = Math.max(250, config.intervalMs ?? 2000);
  const allowedHosts = config.allowedHosts ?? [];
  const firstFrameTimeoutMs = config.firstFrameTimeoutMs ?? 60_000;
  const tracked = new Set<Tracked>();
  const screenTrackIds = new Set<string>();
  let events: ProbeEvent[] = [];
  let nextId = 1;

  const pushEvent = (e: ProbeEvent) => {
    if (events.length < 500) events.push(e);
  };
  const safe = (where: string, fn: () => void) => {
    try {
      fn();
    } catch (err) {
      pushEvent({ type: 'probe_error', message: `${where}: ${err instanceof Error ? err.message : String(err)}` });
    }
  };
  const report = (what: 'ice_server' | 'websocket', url: string) => pushEvent({ type: 'blocked', what, url });

  if (allowedHosts.length) guardWebSockets(allowedHosts, report);
  if (config.screen) {
    const screen = config.screen;
    safe('screen share', () => installFakeScreenShare(screen, (track) => screenTrackIds.add(track.id)));
  }

  const Native: typeof RTCPeerConnection | undefined = w.RTCPeerConnection;
  if (!Native) return;

  function kindOfTrack(track: MediaStreamTrack | null): MediaKind | undefined {
    if (!track) return undefined;
    if (track.kind === 'audio') return 'audio';
    if (screenTrackIds.has(track.id)) return 'screen';
    let surface: unknown;
    try {
      surface = (track.getSettings() as { displaySurface?: unknown }).displaySurface;
    } catch {}
    if (surface || track.contentHint === 'detail' || track.contentHint === 'text') {
      screenTrackIds.add(track.id);
      return 'screen';
    }
    return 'video';
  }

  function watchFirstFrame(t: Tracked, receiver: RTCRtpReceiver, kind: MediaKind): void {
    const from = t.lastRemoteDescriptionAtMs ?? performance.now();
    const poll = async () => {
      while (performance.now() - from < firstFrameTimeoutMs && !t.closed) {
        const stats = await receiver.getStats();
        for (const s of stats.values()) {
          if (s.type === 'inbound-rtp' && (s as { framesDecoded?: number }).framesDecoded! > 0) {
            pushEvent({ type: 'first_frame', connectionId: t.id, kind, ms: Math.round(performance.now() - from) });
            return;
          }
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    poll().catch(() => {});
  }

  class WrappedRTCPeerConnection extends Native {
    constructor(configuration?: RTCConfiguration) {
      let cfg = configuration;
      try {
        if (allowedHosts.length) cfg = stripIceServers(configuration, allowedHosts, report);
      } catch {}
      super(cfg);
      // arrow functions below keep `this` (the app's connection) without aliasing it
      const pc = (): RTCPeerConnection => this;
      safe('track connection', () => {
        const t: Tracked = { id: `pc${nextId++}`, ref: new WeakRef(pc()), closed: false };
        tracked.add(t);
        trackerOf.set(pc(), t);
        // addEventListener, not on*: the app's own handlers stay untouched
        this.addEventListener('connectionstatechange', () =>
          safe('state', () => {
            pushEvent({ type: 'connection_state', connectionId: t.id, state: pc().connectionState, atMs: Date.now() });
            if (pc().connectionState === 'closed') t.closed = true;
          }),
        );
        this.addEventListener('track', (ev: RTCTrackEvent) =>
          safe('track event', () => {
            if (ev.track.kind !== 'video') return;
            const mid = ev.transceiver?.mid ?? null;
            const kind: MediaKind = mid !== null && slidesMids(pc().remoteDescription?.sdp).has(mid) ? 'screen' : (kindOfTrack(ev.track) ?? 'video');
            watchFirstFrame(t, ev.receiver, kind);
          }),
        );
      });
    }

    override setConfiguration(configuration?: RTCConfiguration): void {
      let cfg = configuration;
      try {
        if (allowedHosts.length) cfg = stripIceServers(configuration, allowedHosts, report);
      } catch {}
      return super.setConfiguration(cfg);
    }

    override setRemoteDescription(_description: RTCSessionDescriptionInit): Promise<void> {
      const t = trackerOf.get(this);
      if (t) t.lastRemoteDescriptionAtMs = performance.now();
      // pass every argument through: legacy callers still use (description, onSuccess, onError)
      // eslint-disable-next-line prefer-rest-params
      return (super.setRemoteDescription as (...a: unknown[]) => Promise<void>).apply(this, Array.from(arguments) as unknown[]);
    }

    override close(): void {
      const t = trackerOf.get(this);
      if (t) t.closed = true;
      return super.close();
    }
  }
  const trackerOf = new WeakMap<RTCPeerConnection, Tracked>();
  Object.defineProperty(WrappedRTCPeerConnection, 'name', { value: 'RTCPeerConnection' });
  for (const name of ['RTCPeerConnection', 'webkitRTCPeerConnection']) {
    if (name in w) Object.defineProperty(w, name, { value: WrappedRTCPeerConnection, writable: true, configurable: true, enumerable: false });
  }

  async function sampleOne(t: Tracked): Promise<StreamSample[]> {
    const pc = t.ref.deref();
    if (!pc || t.closed || pc.signalingState === 'closed') {
      t.closed = true;
      return [];
    }
    for (const sender of pc.getSenders()) kindOfTrack(sender.track);
    const statsReport = await pc.getStats();
    const cur = new Map<string, Stat>();
    statsReport.forEach((s: Stat) => cur.set(s.id, s));
    const samples = sampleStreams(t.prev, cur, { connectionId: t.id, screenTrackIds, screenMids: slidesMids(pc.remoteDescription?.sdp) });
    t.prev = cur;
    return samples;
  }

  let busy = false;
  async function tick(): Promise<void> {
    if (busy) return; // a slow getStats must not pile up
    busy = true;
    try {
      const streams: StreamSample[] = [];
      for (const t of [...tracked]) {
        try {
          streams.push(...(await sampleOne(t)));
        } catch (err) {
          pushEvent({ type: 'probe_error', message: `getStats ${t.id}: ${err instanceof Error ? err.message : String(err)}` });
        }
        if (t.closed) tracked.delete(t);
      }
      const batchEvents = events;
      events = [];
      if (!streams.length && !batchEvents.length) return;
      const batch: ProbeBatch = { v: 1, atMs: Date.now(), openConnections: tracked.size, streams, events: batchEvents };
      const send = w[PROBE_BINDING];
      if (typeof send === 'function') await Promise.resolve((send as (b: ProbeBatch) => unknown)(batch)).catch(() => {});
    } finally {
      busy = false;
    }
  }

  setInterval(() => void tick().catch(() => {}), intervalMs);
  Object.defineProperty(w, PROBE_FLUSH_GLOBAL, { value: () => tick(), enumerable: false });
})();
