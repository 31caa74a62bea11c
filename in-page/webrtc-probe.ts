// The in-page probe, injected with context.addInitScript before any app code runs.
// It wraps window.RTCPeerConnection in a transparent subclass (instanceof, statics such as
// generateCertificate, the prototype chain and on* handlers all still work), samples getStats()
// of every connection each intervalMs, and reports batches to Node via window[PROBE_BINDING].
// It never throws into the app: every probe step is wrapped and failures are reported as events.
import { guardWebSockets, stripIceServers } from './network-guard.ts';
import { PROBE_BINDING, PROBE_CONFIG_GLOBAL, PROBE_FLUSH_GLOBAL, type ProbeBatch, type ProbeConfig, type ProbeEvent, type MediaKind } from './probe-protocol.ts';
import { disableAudioProcessing } from './fake-mic.ts';
import { installFakeScreenShare, watchDisplayMedia } from './screen-share.ts';
import { markSlides, screenSectionIndexes, slidesMids } from './sdp-marks.ts';
import { StatsLoop, type Tracked } from './stats-loop.ts';
import { installMarks, type MarkReaders } from './mark-readers.ts';

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
  if (config.audioProcessing === false) safe('fake mic', () => disableAudioProcessing());
  let marks: MarkReaders | undefined; // glass-to-glass and quality (after the fake mic: it wraps getUserMedia outermost)
  if (config.marks) safe('marks', () => (marks = installMarks(config.marks!, (message) => pushEvent({ type: 'probe_error', message }))));
  if (config.screen) {
    const screen = config.screen;
    safe('screen share', () => installFakeScreenShare(screen, (track) => screenTrackIds.add(track.id)));
  } else {
    safe('screen share', () => watchDisplayMedia((track) => screenTrackIds.add(track.id)));
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

  /** The description with a=content:slides on the m=video sections whose sender has a screen. */
  function marked<D extends RTCSessionDescriptionInit | RTCSessionDescription | null | undefined>(pc: RTCPeerConnection, d: D): D {
    if (!d || typeof d.sdp !== 'string' || !d.sdp || (d.type !== 'offer' && d.type !== 'answer' && d.type !== 'pranswer')) return d;
    try {
      const transceivers = pc.getTransceivers().map((tr) => ({ mid: tr.mid, screen: kindOfTrack(tr.sender.track) === 'screen', stopped: tr.currentDirection === 'stopped' }));
      const sdp = markSlides(d.sdp, screenSectionIndexes(d.sdp, transceivers));
      if (sdp === d.sdp) return d;
      return (d instanceof RTCSessionDescription ? new RTCSessionDescription({ type: d.type, sdp }) : { ...d, sdp }) as D;
    } catch (err) {
      pushEvent({ type: 'probe_error', message: `mark SDP: ${err instanceof Error ? err.message : String(err)}` });
      return d;
    }
  }
  // the same marked object for the same native one, so pc.localDescription === pc.localDescription holds
  const markedCache = new WeakMap<RTCSessionDescription, { sdp: string; out: RTCSessionDescription }>();
  function markedDescription(pc: RTCPeerConnection, d: RTCSessionDescription | null): RTCSessionDescription | null {
    if (!d) return d;
    const out = marked(pc, d);
    if (out === d) return d;
    const hit = markedCache.get(d);
    if (hit && hit.sdp === out.sdp) return hit.out;
    markedCache.set(d, { sdp: out.sdp, out });
    return out;
  }

  function watchFirstFrame(t: Tracked, receiver: RTCRtpReceiver, kind: MediaKind): void {
    const from = t.lastRemoteDescriptionAtMs ?? performance.now();
    // Poll getStats only once RTP arrives (the track unmutes): an app with idle transceivers
    // (camera off, no screen share) would otherwise have every page polling at 20 Hz for a
    // minute per peer — measured at ~0.1 core per voice user on 2 cores.
    const whenFlowing = receiver.track.muted
      ? new Promise<void>((resolve) => {
          receiver.track.addEventListener('unmute', () => resolve(), { once: true });
          setTimeout(resolve, firstFrameTimeoutMs);
        })
      : Promise.resolve();
    // "Unmuted" is not "frames": Chromium unmutes every video receiver of a connection when the
    // peer's bandwidth probing sends padding, so a transceiver with no track on the other side
    // (camera off, no screen) looked flowing and was polled with getStats at 20 Hz for a whole
    // minute (measured: ~2 such receivers per peer, 0.7-1.5 s of main-thread JS per 50 s per
    // page in the smoke plan, plus the native stats work). getSynchronizationSources() is filled
    // when a frame is delivered to the track and is a cheap synchronous read, so it gates the
    // getStats poll; a getStats every GATED_STATS_MS stays as a net should an implementation
    // not report video sources. The first-frame time is still taken when getStats shows
    // framesDecoded > 0, on the same 50 ms grid.
    const POLL_MS = 50;
    const GATED_STATS_MS = 1000;
    const hasSources = typeof receiver.getSynchronizationSources === 'function';
    const framesDelivered = (): boolean => {
      try {
        return receiver.getSynchronizationSources().length > 0;
      } catch {
        return true; // cannot tell: fall back to getStats every poll
      }
    };
    const poll = async () => {
      await whenFlowing;
      let lastStatsAtMs = -Infinity;
      while (performance.now() - from < firstFrameTimeoutMs && !t.closed) {
        if (!hasSources || framesDelivered() || performance.now() - lastStatsAtMs >= GATED_STATS_MS) {
          lastStatsAtMs = performance.now();
          const stats = await receiver.getStats();
          for (const s of stats.values()) {
            if (s.type === 'inbound-rtp' && (s as { framesDecoded?: number }).framesDecoded! > 0) {
              // an app that replaceTracks a screen into a "video" transceiver is only known by contentType
              const k = (s as { contentType?: string }).contentType === 'screenshare' ? 'screen' : kind;
              pushEvent({ type: 'first_frame', connectionId: t.id, kind: k, ms: Math.round(performance.now() - from) });
              return;
            }
          }
        }
        await new Promise((r) => setTimeout(r, POLL_MS));
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
        const t: Tracked = { id: `pc${nextId++}`, ref: new WeakRef(pc()), remoteSlidesMids: new Set(), closed: false, chain: Promise.resolve(), idleCounted: new Set() };
        tracked.add(t);
        trackerOf.set(pc(), t);
        // addEventListener, not on*: the app's own handlers stay untouched
        this.addEventListener('connectionstatechange', () =>
          safe('state', () => {
            const state = pc().connectionState;
            pushEvent({ type: 'connection_state', connectionId: t.id, state, atMs: Date.now() });
            // counters stop moving here: take them now, should the app drop the connection unclosed
            if (state === 'failed') void loop.snapshot(t, false).then(() => loop.round(false));
            if (state === 'closed' && !t.closed) loop.closing(t);
          }),
        );
        this.addEventListener('track', (ev: RTCTrackEvent) =>
          safe('track event', () => {
            if (ev.track.kind !== 'video') return marks?.remoteTrack(ev.track, 'audio');
            const mid = ev.transceiver?.mid ?? null;
            const kind: MediaKind = mid !== null && screenMidsOf(t, pc()).has(mid) ? 'screen' : (kindOfTrack(ev.track) ?? 'video');
            marks?.remoteTrack(ev.track, kind);
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

    // Outgoing SDP is marked (RFC 4796) where a screen is sent, so the other page's probe knows
    // the m-section is a screen: in what createOffer/createAnswer return (patched below the class:
    // their overloads do not type as overrides), in what the app gives setLocalDescription, and in
    // what the localDescription getters return (apps signal either).
    override setLocalDescription(...args: unknown[]): Promise<void> {
      // without a description Chromium makes one itself; the getters below mark what the app reads
      const d = args[0] as RTCSessionDescriptionInit | undefined;
      if (d && typeof d === 'object') args[0] = marked(this, d);
      return (super.setLocalDescription as (...a: unknown[]) => Promise<void>).apply(this, args);
    }

    override get localDescription(): RTCSessionDescription | null {
      return markedDescription(this, super.localDescription);
    }

    override get currentLocalDescription(): RTCSessionDescription | null {
      return markedDescription(this, super.currentLocalDescription);
    }

    override get pendingLocalDescription(): RTCSessionDescription | null {
      return markedDescription(this, super.pendingLocalDescription);
    }

    override setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
      const t = trackerOf.get(this);
      let before: Set<string> | undefined;
      if (t) {
        t.lastRemoteDescriptionAtMs = performance.now();
        // read the marks now: the track events fire during this call, and Chromium drops them from remoteDescription
        if (description && typeof description.sdp === 'string' && description.type !== 'rollback') {
          before = t.remoteSlidesMids;
          safe('read SDP marks', () => (t.remoteSlidesMids = slidesMids(description.sdp)));
        }
      }
      // pass every argument through: legacy callers still use (description, onSuccess, onError)
      // eslint-disable-next-line prefer-rest-params
      const result = (super.setRemoteDescription as (...a: unknown[]) => Promise<void>).apply(this, Array.from(arguments) as unknown[]);
      if (t && before && result && typeof result.catch === 'function') {
        // a refused description changes nothing, its marks included (the app still gets the rejection)
        result.catch(() => void (t.remoteSlidesMids = before!));
      }
      return result;
    }

    override close(): void {
      const t = trackerOf.get(this);
      // the last snapshot is asked for before the real close: a closed connection may have no stats
      if (t && !t.closed) safe('final snapshot', () => loop.closing(t));
      return super.close();
    }
  }
  const trackerOf = new WeakMap<RTCPeerConnection, Tracked>();
  function screenMidsOf(t: Tracked, pc: RTCPeerConnection): Set<string> {
    // other browsers may keep the mark in remoteDescription; Chromium does not
    const mids = slidesMids(pc.remoteDescription?.sdp);
    for (const mid of t.remoteSlidesMids) mids.add(mid);
    return mids;
  }
  type Create = (this: RTCPeerConnection, ...args: unknown[]) => Promise<RTCSessionDescriptionInit> | undefined;
  const nativeOffer = Native.prototype.createOffer as Create;
  const nativeAnswer = Native.prototype.createAnswer as Create;
  const creators = {
    createOffer(this: RTCPeerConnection, ...args: unknown[]) {
      const result = nativeOffer.apply(this, args);
      // legacy callback form (successCallback, failureCallback): left untouched
      return typeof args[0] === 'function' || !result ? result : result.then((d) => marked(this, d));
    },
    createAnswer(this: RTCPeerConnection, ...args: unknown[]) {
      const result = nativeAnswer.apply(this, args);
      return typeof args[0] === 'function' || !result ? result : result.then((d) => marked(this, d));
    },
  };
  for (const [name, fn] of Object.entries(creators)) Object.defineProperty(WrappedRTCPeerConnection.prototype, name, { value: fn, writable: true, configurable: true, enumerable: false });
  Object.defineProperty(WrappedRTCPeerConnection, 'name', { value: 'RTCPeerConnection' });
  for (const name of ['RTCPeerConnection', 'webkitRTCPeerConnection']) {
    if (name in w) Object.defineProperty(w, name, { value: WrappedRTCPeerConnection, writable: true, configurable: true, enumerable: false });
  }

  const nativeGetStats = Native.prototype.getStats as (this: RTCPeerConnection) => Promise<RTCStatsReport>;
  const loop = new StatsLoop({
    tracked,
    getStats: (pc) => nativeGetStats.call(pc),
    contextOf: (t, pc) => {
      for (const sender of pc.getSenders()) kindOfTrack(sender.track);
      return { connectionId: t.id, screenTrackIds, screenMids: screenMidsOf(t, pc) };
    },
    pushEvent,
    takeEvents: () => {
      const taken = events;
      events = [];
      return taken;
    },
    send: (plain: ProbeBatch) => {
      const send = w[PROBE_BINDING];
      const m = marks?.take();
      const batch = m ? { ...plain, marks: m } : plain;
      return typeof send === 'function' ? Promise.resolve((send as (b: ProbeBatch) => unknown)(batch)) : Promise.resolve();
    },
  });
  // the page going away (navigation, tab close): getStats cannot answer in time, so what was
  // already measured and the idle streams go out at once. Best effort only: Playwright drops a
  // binding call whose execution context is destroyed before it looks the context up (measured:
  // lost on a navigation), so the pool flushes before closing a context, and an app leaving a
  // call calls close(); a navigation mid-call loses the interval since the last snapshot
  w.addEventListener('pagehide', () => safe('pagehide', () => loop.pageHiding()));
  setInterval(() => void loop.round(false), intervalMs);
  // Node's flush (before a context closes): a final snapshot of every connection, settled once Node has it
  Object.defineProperty(w, PROBE_FLUSH_GLOBAL, { value: () => loop.round(true), enumerable: false });
})();
