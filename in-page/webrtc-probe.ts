// The in-page probe, injected with context.addInitScript before any app code runs (bundled into
// one script by esbuild: in-page/bundle.ts). It wraps window.RTCPeerConnection in a transparent
// subclass (wrapped-peer-connection.ts), samples getStats() of every connection each intervalMs
// (stats-loop.ts), and reports batches to Node via window[PROBE_BINDING].
// It never throws into the app: every probe step is wrapped and failures are reported as events.
import { DescriptionMarks } from './description-marks.ts';
import { disableAudioProcessing } from './fake-mic.ts';
import { installMarks, type MarkReaders } from './mark-readers.ts';
import { MediaKinds } from './media-kinds.ts';
import { guardWebSockets } from './network-guard.ts';
import { ProbeEvents } from './probe-events.ts';
import { PROBE_BINDING, PROBE_CONFIG_GLOBAL, PROBE_FLUSH_GLOBAL, type ProbeBatch, type ProbeConfig } from './probe-protocol.ts';
import { installFakeScreenShare, watchDisplayMedia } from './screen-share.ts';
import { StatsLoop, type Tracked } from './stats-loop.ts';
import { wrapPeerConnection } from './wrapped-peer-connection.ts';

type ProbeWindow = typeof globalThis & Record<string, unknown>;
type Report = (what: 'ice_server' | 'websocket', url: string) => void;

/** The guards and media wrappers that come before any connection; the mark readers when configured. */
function installMediaWrappers(config: Partial<ProbeConfig>, events: ProbeEvents, kinds: MediaKinds, report: Report): MarkReaders | undefined {
  const allowedHosts = config.allowedHosts ?? [];
  if (allowedHosts.length) guardWebSockets(allowedHosts, report);
  if (config.audioProcessing === false) events.safe('fake mic', () => disableAudioProcessing());
  let marks: MarkReaders | undefined; // glass-to-glass and quality (after the fake mic: it wraps getUserMedia outermost)
  const marksConfig = config.marks;
  const onMarkError = (message: string) => events.push({ type: 'probe_error', message });
  if (marksConfig) events.safe('marks', () => (marks = installMarks(marksConfig, onMarkError)));
  const onScreen = (track: MediaStreamTrack) => kinds.screenTrackIds.add(track.id);
  const screen = config.screen;
  if (screen) events.safe('screen share', () => installFakeScreenShare(screen, onScreen));
  else events.safe('screen share', () => watchDisplayMedia(onScreen));
  return marks;
}

/** The stats loop over the tracked connections, sending its batches (with the marks) to Node's binding. */
function statsLoopOf(
  w: ProbeWindow,
  Native: typeof RTCPeerConnection,
  tracked: Set<Tracked>,
  { events, kinds, marks }: { events: ProbeEvents; kinds: MediaKinds; marks: MarkReaders | undefined },
): StatsLoop {
  const nativeGetStats = Native.prototype.getStats as (this: RTCPeerConnection) => Promise<RTCStatsReport>;
  return new StatsLoop({
    tracked,
    getStats: (pc) => nativeGetStats.call(pc),
    contextOf: (t, pc) => {
      for (const sender of pc.getSenders()) kinds.kindOfTrack(sender.track);
      return { connectionId: t.id, screenTrackIds: kinds.screenTrackIds, screenMids: kinds.screenMidsOf(t, pc) };
    },
    pushEvent: (e) => events.push(e),
    takeEvents: () => events.take(),
    send: (plain: ProbeBatch) => {
      const send = w[PROBE_BINDING];
      const m = marks?.take();
      const batch = m ? { ...plain, marks: m } : plain;
      return typeof send === 'function' ? Promise.resolve((send as (b: ProbeBatch) => unknown)(batch)) : Promise.resolve();
    },
  });
}

function installProbe(): void {
  const w = globalThis as ProbeWindow;
  if (w[PROBE_FLUSH_GLOBAL]) return; // already installed in this realm
  const config = (w[PROBE_CONFIG_GLOBAL] ?? {}) as Partial<ProbeConfig>;
  const intervalMs = Math.max(250, config.intervalMs ?? 2000);
  const events = new ProbeEvents();
  const kinds = new MediaKinds();
  const report: Report = (what, url) => events.push({ type: 'blocked', what, url });
  const marks = installMediaWrappers(config, events, kinds, report);

  const Native: typeof RTCPeerConnection | undefined = w.RTCPeerConnection;
  if (!Native) return;
  const tracked = new Set<Tracked>();
  const loop = statsLoopOf(w, Native, tracked, { events, kinds, marks });
  const Wrapped = wrapPeerConnection(Native, {
    tracked,
    events,
    kinds,
    descriptions: new DescriptionMarks(kinds, events),
    loop: () => loop,
    marks,
    allowedHosts: config.allowedHosts ?? [],
    firstFrameTimeoutMs: config.firstFrameTimeoutMs ?? 60_000,
    report,
  });
  for (const name of ['RTCPeerConnection', 'webkitRTCPeerConnection']) {
    if (name in w) Object.defineProperty(w, name, { value: Wrapped, writable: true, configurable: true, enumerable: false });
  }
  // the page going away (navigation, tab close): getStats cannot answer in time, so what was
  // already measured and the idle streams go out at once. Best effort only: Playwright drops a
  // binding call whose execution context is destroyed before it looks the context up (measured:
  // lost on a navigation), so the pool flushes before closing a context, and an app leaving a
  // call calls close(); a navigation mid-call loses the interval since the last snapshot
  w.addEventListener('pagehide', () => events.safe('pagehide', () => loop.pageHiding()));
  setInterval(() => void loop.round(false), intervalMs);
  // Node's flush (before a context closes): a final snapshot of every connection, settled once Node has it
  Object.defineProperty(w, PROBE_FLUSH_GLOBAL, { value: () => loop.round(true), enumerable: false });
}

installProbe();
