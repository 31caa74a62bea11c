// A transparent subclass of the page's RTCPeerConnection (instanceof, statics such as
// generateCertificate, the prototype chain and on* handlers all still work): it tracks every
// connection for the stats loop, strips ICE servers off the allowed hosts, watches remote tracks
// (first frame, marks), and marks outgoing SDP where a screen is sent (description-marks.ts).
import type { DescriptionMarks } from './description-marks.ts';
import { watchFirstFrame } from './first-frame.ts';
import type { MarkReaders } from './mark-readers.ts';
import type { MediaKinds } from './media-kinds.ts';
import { stripIceServers } from './network-guard.ts';
import type { ProbeEvents } from './probe-events.ts';
import type { MediaKind } from './probe-protocol.ts';
import { slidesMids } from './sdp-marks.ts';
import type { StatsLoop, Tracked } from './stats-loop.ts';

export interface WrapDeps {
  readonly tracked: Set<Tracked>;
  readonly events: ProbeEvents;
  readonly kinds: MediaKinds;
  readonly descriptions: DescriptionMarks;
  /** the stats loop, made once the class exists (it needs the native getStats only) */
  readonly loop: () => StatsLoop;
  readonly marks: MarkReaders | undefined;
  readonly allowedHosts: readonly string[];
  readonly firstFrameTimeoutMs: number;
  /** an ICE server or WebSocket host the guard refused */
  readonly report: (what: 'ice_server' | 'websocket', url: string) => void;
}

/** The subclass of Native, with createOffer/createAnswer marking their SDP. */
export function wrapPeerConnection(Native: typeof RTCPeerConnection, deps: WrapDeps): typeof RTCPeerConnection {
  const Wrapped = wrappedClass(Native, deps);
  patchCreators(Native, Wrapped, deps.descriptions);
  Object.defineProperty(Wrapped, 'name', { value: 'RTCPeerConnection' });
  return Wrapped;
}

/** The connection's tracker, set by the constructor. */
const trackerOf = new WeakMap<RTCPeerConnection, Tracked>();
let nextId = 1;

function allowedConfiguration(configuration: RTCConfiguration | undefined, deps: WrapDeps): RTCConfiguration | undefined {
  try {
    if (deps.allowedHosts.length) return stripIceServers(configuration, deps.allowedHosts, deps.report);
  } catch {}
  return configuration;
}

/** Tracks pc for the stats loop, and listens (addEventListener, not on*: the app's own handlers stay untouched). */
function track(pc: RTCPeerConnection, deps: WrapDeps): void {
  const { events, kinds, marks } = deps;
  const t: Tracked = {
    id: `pc${nextId++}`,
    ref: new WeakRef(pc),
    remoteSlidesMids: new Set(),
    closed: false,
    chain: Promise.resolve(),
    idleCounted: new Set(),
  };
  deps.tracked.add(t);
  trackerOf.set(pc, t);
  pc.addEventListener('connectionstatechange', () =>
    events.safe('state', () => {
      const state = pc.connectionState;
      events.push({ type: 'connection_state', connectionId: t.id, state, atMs: Date.now() });
      // counters stop moving here: take them now, should the app drop the connection unclosed
      if (state === 'failed') void deps.loop().snapshot(t, false).then(() => deps.loop().round(false));
      if (state === 'closed' && !t.closed) deps.loop().closing(t);
    }),
  );
  pc.addEventListener('track', (ev: RTCTrackEvent) =>
    events.safe('track event', () => {
      if (ev.track.kind !== 'video') return marks?.remoteTrack(ev.track, 'audio');
      const mid = ev.transceiver?.mid ?? null;
      const kind: MediaKind = mid !== null && kinds.screenMidsOf(t, pc).has(mid) ? 'screen' : (kinds.kindOfTrack(ev.track) ?? 'video');
      marks?.remoteTrack(ev.track, kind);
      watchFirstFrame(t, ev.receiver, kind, deps.firstFrameTimeoutMs, (e) => events.push(e));
    }),
  );
}

/** Reads the screen marks of a remote description now: the track events fire during setRemoteDescription. */
function readRemoteMarks(t: Tracked, description: RTCSessionDescriptionInit, events: ProbeEvents): Set<string> | undefined {
  t.lastRemoteDescriptionAtMs = performance.now();
  // Chromium drops the marks from remoteDescription
  if (!description || typeof description.sdp !== 'string' || description.type === 'rollback') return undefined;
  const before = t.remoteSlidesMids;
  events.safe('read SDP marks', () => (t.remoteSlidesMids = slidesMids(description.sdp)));
  return before;
}

function wrappedClass(Native: typeof RTCPeerConnection, deps: WrapDeps): typeof RTCPeerConnection {
  const { descriptions, events } = deps;
  return class WrappedRTCPeerConnection extends Native {
    constructor(configuration?: RTCConfiguration) {
      super(allowedConfiguration(configuration, deps));
      events.safe('track connection', () => track(this, deps));
    }

    override setConfiguration(configuration?: RTCConfiguration): void {
      return super.setConfiguration(allowedConfiguration(configuration, deps));
    }

    // Outgoing SDP is marked (RFC 4796) where a screen is sent, so the other page's probe knows
    // the m-section is a screen: in what createOffer/createAnswer return (patchCreators: their
    // overloads do not type as overrides), in what the app gives setLocalDescription, and in
    // what the localDescription getters return (apps signal either).
    override setLocalDescription(...args: unknown[]): Promise<void> {
      // without a description Chromium makes one itself; the getters below mark what the app reads
      const d = args[0] as RTCSessionDescriptionInit | undefined;
      if (d && typeof d === 'object') args[0] = descriptions.marked(this, d);
      return (super.setLocalDescription as (...a: unknown[]) => Promise<void>).apply(this, args);
    }

    override get localDescription(): RTCSessionDescription | null {
      return descriptions.markedDescription(this, super.localDescription);
    }

    override get currentLocalDescription(): RTCSessionDescription | null {
      return descriptions.markedDescription(this, super.currentLocalDescription);
    }

    override get pendingLocalDescription(): RTCSessionDescription | null {
      return descriptions.markedDescription(this, super.pendingLocalDescription);
    }

    override setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
      const t = trackerOf.get(this);
      const before = t ? readRemoteMarks(t, description, events) : undefined;
      // pass every argument through: legacy callers still use (description, onSuccess, onError)
      // eslint-disable-next-line prefer-rest-params
      const result = (super.setRemoteDescription as (...a: unknown[]) => Promise<void>).apply(this, Array.from(arguments) as unknown[]);
      if (t && before && result && typeof result.catch === 'function') {
        // a refused description changes nothing, its marks included (the app still gets the rejection)
        result.catch(() => void (t.remoteSlidesMids = before));
      }
      return result;
    }

    override close(): void {
      const t = trackerOf.get(this);
      // the last snapshot is asked for before the real close: a closed connection may have no stats
      if (t && !t.closed) events.safe('final snapshot', () => deps.loop().closing(t));
      return super.close();
    }
  };
}

type Create = (this: RTCPeerConnection, ...args: unknown[]) => Promise<RTCSessionDescriptionInit> | undefined;

/** createOffer/createAnswer on the subclass's prototype, marking what they resolve with. */
function patchCreators(Native: typeof RTCPeerConnection, Wrapped: typeof RTCPeerConnection, descriptions: DescriptionMarks): void {
  for (const name of ['createOffer', 'createAnswer'] as const) {
    const native = Native.prototype[name] as Create;
    // a method, as the native one is (named, not a constructor)
    const { [name]: method } = {
      [name](this: RTCPeerConnection, ...args: unknown[]) {
        const result = native.apply(this, args);
        // legacy callback form (successCallback, failureCallback): left untouched
        return typeof args[0] === 'function' || !result ? result : result.then((d) => descriptions.marked(this, d));
      },
    };
    Object.defineProperty(Wrapped.prototype, name, { value: method, writable: true, configurable: true, enumerable: false });
  }
}
