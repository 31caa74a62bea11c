// Code the driver runs inside the page. Kept as strings because the Node tsconfig has no
// DOM lib (in-page code proper lives in in-page/). All times use the page clock:
// performance.timeOrigin + performance.now().

/** Name of the binding through which the observer reports to the driver: it takes an ObserverEvent[] as JSON (a raw CDP binding takes one string). */
export const DRIVER_BINDING = '__waddleDriverEvent';
/** window[DRIVER_TAKE_GLOBAL]() empties the observer's queue and returns what it held (the driver's close). */
export const DRIVER_TAKE_GLOBAL = '__waddleDriverTake';
/**
 * Others' messages wait in the page up to this long (or until DRIVER_BATCH_MAX of them) and go to
 * Node in one binding call: one call per message was ~45 calls/s at 10 chat users, each a CDP
 * round trip and Playwright dispatch in the fleet's Node (issue 18). Timestamps are taken at
 * receipt in the page, so batching delays only when Node learns of a message, never its timing.
 * Own acks, failures and presence go at once (sendMessage waits for its ack), carrying the queue.
 */
export const DRIVER_FLUSH_MS = 500;
export const DRIVER_BATCH_MAX = 50;

/**
 * window[DRIVER_SEND_TOKEN_GLOBAL] = token before a send's Enter: the next own message the page
 * adds carries it in its ack or failure (token), so sendMessage knows its message without reading
 * the page after Enter (issue 18).
 */
export const DRIVER_SEND_TOKEN_GLOBAL = '__waddleDriverSendToken';

export type ObserverEvent =
  | { kind: 'message'; id: string; channelId: string; author: string; text: string; nonce?: string; sentAtMs?: number; atMs: number; own: boolean; token?: string }
  | { kind: 'failed'; nonce: string; error: string; atMs: number; token?: string }
  | { kind: 'presence'; username: string; online: boolean; atMs: number };

/**
 * Installed with page.addInitScript: a MutationObserver that reports every live message
 * (others' when rendered, ours when acked; history is skipped so it never counts as
 * delivery) and every change of the online-members list, in batches (DRIVER_FLUSH_MS says why).
 */
export const OBSERVER_SCRIPT = `(() => {
  if (window.__waddleDriverInstalled) return;
  window.__waddleDriverInstalled = true;
  const now = () => performance.timeOrigin + performance.now();
  const queue = [];
  let timer = 0;
  const take = () => { clearTimeout(timer); timer = 0; return queue.splice(0); };
  const send = () => { const batch = take(); if (batch.length) try { window.${DRIVER_BINDING}(JSON.stringify(batch)); } catch (e) {} };
  const emit = (event, urgent = true) => {
    queue.push(event);
    if (urgent || queue.length >= ${DRIVER_BATCH_MAX}) send();
    else if (!timer) timer = setTimeout(send, ${DRIVER_FLUSH_MS});
  };
  window.${DRIVER_TAKE_GLOBAL} = take;
  addEventListener('pagehide', send);
  const reported = new WeakSet();
  const tokens = new WeakMap();
  const takeToken = (li) => {
    const token = window.${DRIVER_SEND_TOKEN_GLOBAL};
    if (!token || li.dataset.own !== 'true' || li.dataset.history === 'true') return;
    tokens.set(li, token);
    window.${DRIVER_SEND_TOKEN_GLOBAL} = undefined;
  };
  let online = new Set();
  const num = (v) => (v === undefined || v === '' ? undefined : Number(v));
  const onMessage = (li, atMs) => {
    const d = li.dataset;
    if (d.state === 'failed' && d.own === 'true' && !reported.has(li)) {
      reported.add(li);
      emit({ kind: 'failed', nonce: d.nonce || '', error: d.error || 'failed', atMs, token: tokens.get(li) });
      return;
    }
    if (d.state !== 'acked' || !d.id || d.history === 'true' || reported.has(li)) return;
    reported.add(li);
    const text = li.querySelector('[data-testid="message-text"]');
    emit({ kind: 'message', id: d.id, channelId: d.channelId || '', author: d.author || '', text: text ? text.textContent : '',
      nonce: d.nonce, sentAtMs: num(d.sentAt), atMs, own: d.own === 'true', token: tokens.get(li) }, d.own === 'true');
  };
  const checkMembers = (atMs) => {
    const now = new Set([...document.querySelectorAll('[data-testid="member"][data-online="true"]')].map((e) => e.dataset.username));
    const before = queue.length;
    for (const u of now) if (!online.has(u)) emit({ kind: 'presence', username: u, online: true, atMs }, false);
    for (const u of online) if (!now.has(u)) emit({ kind: 'presence', username: u, online: false, atMs }, false);
    online = now;
    if (queue.length > before) send(); // one call for all of a check's changes
  };
  const observer = new MutationObserver((records) => {
    const atMs = now();
    let members = false;
    for (const r of records) {
      if (r.type === 'attributes') {
        if (r.target.dataset && r.target.dataset.testid === 'message') onMessage(r.target, atMs);
        continue;
      }
      if (r.target.dataset && r.target.dataset.testid === 'member-list') members = true;
      for (const n of r.addedNodes) {
        if (n.nodeType !== 1) continue;
        if (n.dataset.testid === 'message') {
          takeToken(n);
          onMessage(n, atMs);
        }
        else if (n.dataset.testid === 'member-list' || n.querySelector('[data-testid="member-list"]')) members = true;
      }
    }
    if (members) checkMembers(atMs);
  });
  const start = () => observer.observe(document.documentElement, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
  if (document.documentElement) start(); else document.addEventListener('DOMContentLoaded', start, { once: true });
})()`;

/** What remoteMediaSnapshotScript returns for each remote participant's tile. */
export interface MediaSnapshot {
  peerId: string;
  announced: boolean;
  currentTime: number;
  paused: boolean;
  width: number;
  frames: number;
  trackLive: boolean;
  trackMuted: boolean;
}

/** Snapshot of remote media elements of one kind, for waitForRemoteMedia. */
export function remoteMediaSnapshotScript(kind: 'audio' | 'video' | 'screen'): string {
  const stateAttr = kind === 'video' ? 'camera' : kind === 'screen' ? 'screen' : '';
  return `(() => [...document.querySelectorAll('[data-testid="voice-tile"]')].map((tile) => {
    const el = tile.querySelector('[data-kind="${kind}"]');
    const track = el && el.srcObject ? el.srcObject.getTracks()[0] : undefined;
    return {
      peerId: tile.dataset.peerId,
      announced: ${stateAttr ? `tile.dataset.${stateAttr} === 'true'` : 'true'},
      currentTime: el ? el.currentTime : 0,
      paused: el ? el.paused : true,
      width: el && 'videoWidth' in el ? el.videoWidth : 0,
      frames: el && el.getVideoPlaybackQuality ? el.getVideoPlaybackQuality().totalVideoFrames : 0,
      trackLive: !!track && track.readyState === 'live',
      trackMuted: !!track && track.muted,
    };
  }))()`;
}

/** Fetch an attachment as the logged-in user (session cookie) and hash it in the page. */
export function downloadScript(attachmentId: string): string {
  return `(async () => {
    const started = performance.now();
    const res = await fetch('/api/attachments/' + encodeURIComponent(${JSON.stringify(attachmentId)}), { credentials: 'same-origin' });
    if (!res.ok) return { error: 'HTTP ' + res.status + ': ' + (await res.text()).slice(0, 300) };
    const buffer = await res.arrayBuffer();
    const digest = await crypto.subtle.digest('SHA-256', buffer);
    const sha256 = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
    return { bytes: buffer.byteLength, sha256, durationMs: performance.now() - started };
  })()`;
}

/**
 * Starts recording the intervals between the page's animation frames (what a user sees as
 * smoothness: a frame over 50 ms is a visible stutter). Bounded; a second start restarts it.
 */
export const FRAME_SAMPLER_START = `(() => {
  const w = window;
  if (w.__waddleFrameSampler) w.__waddleFrameSampler.stop();
  const intervals = [];
  let last = 0;
  let running = true;
  // headless Chromium now and then runs two callbacks with one frame time: the same frame, not a
  // 0 ms one, so it is not an interval (it would make the frames look smoother than they were)
  const tick = (t) => {
    if (!running) return;
    if (t > last) {
      if (last && intervals.length < 100000) intervals.push(t - last);
      last = t;
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  w.__waddleFrameSampler = { stop: () => { running = false; return intervals; } };
})()`;

/** Stops the sampler and returns its frame intervals, ms ([] when it was not started). */
export const FRAME_SAMPLER_STOP = `(() => {
  const sampler = window.__waddleFrameSampler;
  window.__waddleFrameSampler = undefined;
  return sampler ? sampler.stop() : [];
})()`;
