// BrowserWaddleClient: a WaddleClient that drives the real Waddle web UI through Playwright
// locators only (getByRole / getByTestId / getByLabel), never the app's internals or its
// WebSocket. In-page timings (render, ack) come from a MutationObserver this driver
// installs, on the page clock (performance.timeOrigin + performance.now()); it reports in batches.
// Semantics worth knowing:
// - onMessage fires for live messages in the open channel: others' when rendered (receivedAtMs =
//   render time), our own when acked. History shown on opening a channel is NOT reported, so it
//   never counts as delivery. Filter by author to measure delivery to others.
// - sendMessage fills the composer and presses Enter, as most chat users do (a click on Send cost the
//   fleet's Node more CDP round trips; issue 18); resolves at the ack, rejects if the server refused.
// - waitForRemoteMedia: video/screen = a tile announcing that kind with videoWidth > 0 and
//   decoded frames advancing; audio = a live, unmuted remote track playing with time advancing.
// - openChannelHistory clicks a channel and times until its latest page is painted; scrollHistory
//   wheels the message list up page by page, timing each and sampling frame intervals (history.ts).
// - every wait is bounded by actionTimeoutMs (uploads: plus size at 0.5 MB/s), and page.evaluate
//   is wrapped, so a hung renderer surfaces as an Error that names what was awaited.
import { stat } from 'node:fs/promises';
import type { Locator, Page } from 'playwright-core';
import type {
  ChannelHistoryView,
  DownloadResult,
  HistoryScroll,
  PresenceChange,
  ReceivedMessage,
  RemoteMediaKind,
  SentMessage,
  UploadResult,
  WaddleClient,
  WaddleInfo,
} from '../waddle-client.ts';
import { openChannelHistory, scrollHistory, type HistoryUi } from './history.ts';
import { InputQueue } from './input-queue.ts';
import { eachObserved, installObserver, takeObserved } from './observer-batch.ts';
import { downloadScript, remoteMediaSnapshotScript, type MediaSnapshot, type ObserverEvent } from './page-scripts.ts';
import { cssEscape, safely, sha256OfFile, withTimeout } from './util.ts';

export interface BrowserWaddleClientOptions {
  /** the Waddle web client, e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  username: string;
  password?: string;
  /** bound on every single UI action and wait. Default 15 000 ms. */
  actionTimeoutMs?: number;
}

/** Throughput assumed when bounding an upload's wait: slower than this is a failure, not a hang. */
const MIN_UPLOAD_BYTES_PER_MS = 500; // 0.5 MB/s
type MessageEvent = Extract<ObserverEvent, { kind: 'message' }>;

export class BrowserWaddleClient implements WaddleClient {
  readonly username: string;
  private readonly baseUrl: string;
  private readonly password: string | undefined;
  private readonly timeoutMs: number;
  private readonly messageHandlers = new Set<(message: ReceivedMessage) => void>();
  private readonly presenceHandlers = new Set<(change: PresenceChange) => void>();
  /** own acked/failed messages by nonce, kept briefly so sendMessage can pick up its ack */
  private readonly ownByNonce = new Map<string, MessageEvent | Extract<ObserverEvent, { kind: 'failed' }>>();
  private readonly nonceWaiters = new Map<string, () => void>();
  /** every click, fill and file choice on this page, one at a time (input-queue.ts says why) */
  private readonly input = new InputQueue();
  private bindingInstalled = false;
  private closed = false;

  constructor(
    private readonly page: Page,
    options: BrowserWaddleClientOptions,
  ) {
    this.baseUrl = options.baseUrl;
    this.username = options.username;
    this.password = options.password;
    this.timeoutMs = options.actionTimeoutMs ?? 15_000;
  }

  // ---- connection -----------------------------------------------------------------

  async connect(): Promise<void> {
    if (!this.bindingInstalled) {
      await installObserver(this.page, (event) => this.onObserverEvent(event));
      this.bindingInstalled = true;
    }
    await this.step('open the Waddle web client', () => this.page.goto(this.baseUrl, { timeout: this.timeoutMs, waitUntil: 'domcontentloaded' }));
    await this.act('filling the Username field', this.page.getByLabel('Username'), (field) => field.fill(this.username, { timeout: this.timeoutMs }));
    if (this.password !== undefined) await this.act('filling the Password field', this.page.getByLabel('Password'), (field) => field.fill(this.password!, { timeout: this.timeoutMs }));
    await this.click('clicking "Log in"', this.page.getByRole('button', { name: 'Log in' }));
    const connected = this.page.getByTestId('connection-status').and(this.page.locator('[data-state="connected"]'));
    const loginError = this.page.getByTestId('login-error').filter({ hasText: /\S/ });
    await this.step('the app to show "connected" after login', () => connected.or(loginError).first().waitFor({ timeout: this.timeoutMs }));
    if (await loginError.isVisible()) throw new Error(`BrowserWaddleClient(${this.username}): login refused: ${await loginError.innerText()}`);
  }

  async listWaddles(): Promise<readonly WaddleInfo[]> {
    const items = this.page.getByTestId('waddle');
    await this.step('the waddle list', () => items.first().waitFor({ timeout: this.timeoutMs }));
    const raw = await this.step('reading the waddle list', () =>
      items.evaluateAll((els: { dataset: Record<string, string | undefined> }[]) => els.map((e) => ({ id: e.dataset.waddleId ?? '', name: e.dataset.name ?? '', channels: e.dataset.channels ?? '{}' }))),
    );
    return raw.map((w) => {
      const channels = JSON.parse(w.channels) as { text?: { id: string; name: string }[]; voice?: { id: string; name: string }[] };
      return { id: w.id, name: w.name, textChannels: channels.text ?? [], voiceChannels: channels.voice ?? [] };
    });
  }

  async joinWaddle(waddleId?: string): Promise<WaddleInfo> {
    const waddles = await this.listWaddles();
    const target = waddleId === undefined ? waddles[0] : waddles.find((w) => w.id === waddleId);
    if (!target) throw new Error(`BrowserWaddleClient(${this.username}): no waddle ${JSON.stringify(waddleId)} in the list (have: ${waddles.map((w) => w.id).join(', ') || 'none'})`);
    await this.click(`clicking waddle ${target.id}`, this.waddleItem(target.id).getByRole('button'));
    await this.step(`the app to open waddle ${target.id}`, () => this.page.locator(`#app[data-waddle-id="${cssEscape(target.id)}"]`).waitFor({ timeout: this.timeoutMs }));
    await this.step(`the channel list of waddle ${target.id}`, () => this.page.getByTestId('text-channel').first().waitFor({ timeout: this.timeoutMs }));
    return target;
  }

  async openTextChannel(channelId?: string): Promise<void> {
    const button = channelId === undefined ? this.page.getByTestId('text-channel').first() : this.page.getByTestId('text-channel').and(this.page.locator(`[data-channel-id="${cssEscape(channelId)}"]`));
    const id = channelId ?? (await this.step('the first text channel', () => button.getAttribute('data-channel-id', { timeout: this.timeoutMs }))) ?? '';
    await this.click(`clicking text channel ${id}`, button);
    await this.step(`the channel title to show ${id}`, () => this.page.getByTestId('channel-title').and(this.page.locator(`[data-channel-id="${cssEscape(id)}"]`)).waitFor({ timeout: this.timeoutMs }));
  }

  openChannelHistory(channelId?: string): Promise<ChannelHistoryView> {
    return openChannelHistory(this.historyUi(), channelId);
  }

  scrollHistory(pages: number): Promise<HistoryScroll> {
    return scrollHistory(this.historyUi(), pages);
  }

  async leaveWaddle(): Promise<void> {
    if ((await this.page.getByTestId('voice-panel').getAttribute('data-state', { timeout: this.timeoutMs })) === 'joined') await this.leaveVoice();
    await this.click('clicking "Leave waddle"', this.page.getByRole('button', { name: 'Leave waddle' }));
    await this.step('the app to leave the waddle', () => this.page.locator('#app:not([data-waddle-id])').waitFor({ timeout: this.timeoutMs, state: 'attached' }));
  }

  async close(): Promise<void> {
    if (!this.closed && this.bindingInstalled) eachObserved(await takeObserved(this.page), (event) => this.onObserverEvent(event)); // what the page still held
    this.closed = true;
    this.messageHandlers.clear();
    this.presenceHandlers.clear();
    for (const wake of this.nonceWaiters.values()) wake();
    this.nonceWaiters.clear();
  }

  // ---- chat -----------------------------------------------------------------------

  async sendMessage(text: string): Promise<SentMessage> {
    const input = this.page.getByLabel('Write a message');
    await this.act('typing in the composer (is a text channel open?)', input, (field) => field.fill(text, { timeout: this.timeoutMs }));
    await this.refuseAlteredText(input, text);
    await this.step('pressing Enter in the composer', () => this.input.run(() => input.press('Enter', { timeout: this.timeoutMs }))); // just filled: no wait for it
    // the composer renders the pending message synchronously in its submit handler
    const pending = this.page.getByTestId('message').and(this.page.locator('[data-own="true"]')).last();
    const nonce = (await this.step('the pending message', () => pending.getAttribute('data-nonce', { timeout: this.timeoutMs }))) ?? '';
    const sentAt = Number(await pending.getAttribute('data-sent-at', { timeout: this.timeoutMs }));
    const event = await this.waitForOwn(nonce, `the server ack of message ${nonce}`);
    if (event.kind === 'failed') throw new Error(`BrowserWaddleClient(${this.username}): message ${nonce} was refused: ${event.error}`);
    return { id: event.id, channelId: event.channelId, nonce, sentAtMs: sentAt, ackedAtMs: event.atMs };
  }

  /** The UI may cut (maxlength) or change (no line breaks in an input) what was typed: sending
   * that would pass a journey param the client cannot carry, so the step fails instead. */
  private async refuseAlteredText(input: Locator, text: string): Promise<void> {
    const held = await this.step('reading the composer', () => input.inputValue({ timeout: this.timeoutMs }));
    if (held === text) return;
    const maxLength = Number((await input.getAttribute('maxlength', { timeout: this.timeoutMs })) ?? NaN);
    await this.act('emptying the composer', input, (field) => field.fill('', { timeout: this.timeoutMs })).catch(() => {}); // do not leave it for the next send
    const why = text.length > maxLength ? `it has ${text.length} characters and the composer accepts at most ${maxLength} (its maxlength); keep messages within ${maxLength} (a chat journey's sizeRange)` : `the composer changed it (it holds ${held.length} of ${text.length} characters; line breaks are dropped)`;
    throw new Error(`BrowserWaddleClient(${this.username}): message not sent: ${why}`);
  }

  onMessage(handler: (message: ReceivedMessage) => void): () => void {
    this.messageHandlers.add(handler);
    return () => this.messageHandlers.delete(handler);
  }

  onPresence(handler: (change: PresenceChange) => void): () => void {
    this.presenceHandlers.add(handler);
    return () => this.presenceHandlers.delete(handler);
  }

  async react(messageId: string, emoji: string): Promise<void> {
    const message = this.page.getByTestId('message').and(this.page.locator(`[data-id="${cssEscape(messageId)}"]`));
    await this.step(`message ${messageId} in the open channel`, () => message.waitFor({ timeout: this.timeoutMs }));
    const mine = message.getByTestId('reaction').and(this.page.locator(`[data-emoji="${cssEscape(emoji)}"][aria-pressed="true"]`));
    if ((await mine.count()) > 0) return;
    const button = message.locator(`button[data-emoji="${cssEscape(emoji)}"]`);
    if ((await button.count()) === 0) throw new Error(`BrowserWaddleClient(${this.username}): the UI offers no reaction button for ${emoji} on message ${messageId} (choices: 👍 🎉 ❤️ 😂 👀 and existing reactions)`);
    // A message list that scrolls as new messages arrive can move the button between Playwright's
    // hit-test and the click, so the click lands elsewhere (seen once in a smoke run). Click again
    // while it does not show as mine: adding a reaction is idempotent on the server.
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      await this.click(`clicking reaction ${emoji}`, button.first(), Math.max(1, deadline - Date.now()));
      const wait = Math.min(3_000, deadline - Date.now());
      if (wait <= 0 || (await mine.waitFor({ timeout: wait }).then(() => true, () => false))) break;
      if ((await mine.count()) > 0) return;
    }
    await this.step(`reaction ${emoji} to show as mine on ${messageId}`, () => mine.waitFor({ timeout: Math.max(1, deadline - Date.now()) }));
  }

  // ---- voice ----------------------------------------------------------------------

  async joinVoice(channelId?: string): Promise<void> {
    const button = channelId === undefined ? this.page.getByTestId('voice-channel').first() : this.page.getByTestId('voice-channel').and(this.page.locator(`[data-channel-id="${cssEscape(channelId)}"]`));
    const id = channelId ?? (await this.step('the first voice channel', () => button.getAttribute('data-channel-id', { timeout: this.timeoutMs }))) ?? '';
    await this.click(`clicking voice channel ${id}`, button);
    const panel = this.page.getByTestId('voice-panel');
    try {
      await panel.and(this.page.locator(`[data-state="joined"][data-channel-id="${cssEscape(id)}"]`)).waitFor({ timeout: this.timeoutMs });
    } catch (error) {
      const state = await panel.evaluate((el) => `${el.getAttribute('data-state') ?? 'in no state'}${el.hasAttribute('data-channel-id') ? ` in ${el.getAttribute('data-channel-id')}` : ''}, titled "${el.querySelector('[data-testid="voice-title"]')?.textContent ?? ''}"`, undefined, { timeout: 1000 }).catch(() => 'unknown');
      throw new Error(`BrowserWaddleClient(${this.username}): timed out after ${this.timeoutMs} ms waiting to be in voice channel ${id} (the voice panel is ${state}); the app says: ${await this.appError()}`, { cause: error });
    }
  }

  async leaveVoice(): Promise<void> {
    await this.click('clicking "Leave voice"', this.page.getByRole('button', { name: 'Leave voice' }));
    await this.step('the voice panel to be idle', () => this.page.getByTestId('voice-panel').and(this.page.locator('[data-state="idle"]')).waitFor({ timeout: this.timeoutMs }));
  }

  setMuted(muted: boolean): Promise<void> {
    return this.toggle('Mute', muted);
  }

  enableVideo(): Promise<void> {
    return this.toggle('Camera', true);
  }

  disableVideo(): Promise<void> {
    return this.toggle('Camera', false);
  }

  startScreenShare(): Promise<void> {
    return this.toggle('Share screen', true);
  }

  stopScreenShare(): Promise<void> {
    return this.toggle('Share screen', false);
  }

  async waitForRemoteMedia(kind: RemoteMediaKind, timeoutMs: number): Promise<number> {
    const startedAtMs = performance.now();
    const deadline = startedAtMs + timeoutMs;
    const previous = new Map<string, { currentTime: number; frames: number }>();
    const script = remoteMediaSnapshotScript(kind);
    let lastSeen = 'no remote participant tile';
    for (;;) {
      const remaining = deadline - performance.now();
      if (remaining <= 0) break;
      let snapshot: MediaSnapshot[];
      try {
        snapshot = (await this.evaluate(script, Math.min(remaining, this.timeoutMs), `remote ${kind} state`)) as MediaSnapshot[];
      } catch (error) {
        // cut short by the caller's deadline, not by a hung page: report the media wait
        if (performance.now() >= deadline - 1) {
          lastSeen += '; the page did not answer the last check in time';
          break;
        }
        throw error;
      }
      for (const s of snapshot) {
        const before = previous.get(s.peerId);
        previous.set(s.peerId, { currentTime: s.currentTime, frames: s.frames });
        const advancing = before !== undefined && s.currentTime > before.currentTime && (kind === 'audio' || s.frames > before.frames);
        const decoding = kind === 'audio' ? s.trackLive && !s.trackMuted && !s.paused : s.width > 0 && !s.paused;
        if (s.announced && decoding && advancing) return performance.now() - startedAtMs;
        lastSeen = `peer ${s.peerId}: announced=${s.announced} width=${s.width} frames=${s.frames} paused=${s.paused} trackLive=${s.trackLive} trackMuted=${s.trackMuted}`;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(200, Math.max(0, deadline - performance.now()))));
    }
    throw new Error(`BrowserWaddleClient(${this.username}): timed out after ${timeoutMs} ms waiting for remote ${kind} to be decoding (last seen: ${lastSeen})`);
  }

  // ---- files ----------------------------------------------------------------------

  async upload(filePath: string): Promise<UploadResult> {
    const { size } = await stat(filePath);
    const localSha256 = await sha256OfFile(filePath);
    const status = this.page.getByTestId('upload-status');
    const previousStart = (await status.getAttribute('data-started-at', { timeout: this.timeoutMs })) ?? '';
    await this.act(`choosing ${filePath} in the file input`, this.page.getByLabel('Upload file'), (field) => field.setInputFiles(filePath, { timeout: this.timeoutMs }), 'attached');
    const waitMs = this.timeoutMs + size / MIN_UPLOAD_BYTES_PER_MS;
    const finished = status.and(this.page.locator(`[data-started-at]:not([data-started-at="${cssEscape(previousStart)}"]):is([data-state="done"], [data-state="error"])`));
    await this.step(`the upload of ${size} bytes to finish`, () => finished.waitFor({ timeout: waitMs, state: 'attached' }), waitMs);
    const attrs = (await finished.evaluate((el: { dataset: Record<string, string | undefined> }) => ({ ...el.dataset }))) as Record<string, string | undefined>;
    if (attrs.state !== 'done') throw new Error(`BrowserWaddleClient(${this.username}): upload of ${filePath} failed in the UI: ${attrs.error ?? 'unknown error'}`);
    const attachmentId = attrs.attachmentId ?? '';
    if (attrs.sha256 !== localSha256) throw new Error(`BrowserWaddleClient(${this.username}): server verified sha-256 ${attrs.sha256} but ${filePath} hashes to ${localSha256}`);
    const link = this.page.getByTestId('attachment').and(this.page.locator(`[data-attachment-id="${cssEscape(attachmentId)}"]`));
    await this.step(`attachment ${attachmentId} to show in the channel`, () => link.first().waitFor({ timeout: this.timeoutMs }));
    return { attachmentId, bytes: Number(attrs.bytes), sha256: localSha256, durationMs: Number(attrs.finishedAt) - Number(attrs.startedAt) };
  }

  async download(attachmentId: string): Promise<DownloadResult> {
    const result = (await this.evaluate(downloadScript(attachmentId), this.timeoutMs * 4, `download of attachment ${attachmentId}`)) as { error?: string; bytes: number; sha256: string; durationMs: number };
    if (result.error) throw new Error(`BrowserWaddleClient(${this.username}): download of attachment ${attachmentId} failed: ${result.error}`);
    return { bytes: result.bytes, sha256: result.sha256, durationMs: result.durationMs };
  }

  // ---- internals ------------------------------------------------------------------

  private onObserverEvent(event: ObserverEvent): void {
    if (this.closed) return;
    if (event.kind === 'presence') {
      for (const h of this.presenceHandlers) safely(() => h({ username: event.username, online: event.online, seenAtMs: event.atMs }));
      return;
    }
    if (event.kind === 'failed' || event.own) {
      this.ownByNonce.set(event.nonce ?? '', event);
      // bounded: only recent sends are waited for
      if (this.ownByNonce.size > 256) this.ownByNonce.delete(this.ownByNonce.keys().next().value ?? '');
      this.nonceWaiters.get(event.nonce ?? '')?.();
    }
    if (event.kind === 'message') {
      const message: ReceivedMessage = {
        id: event.id,
        channelId: event.channelId,
        author: event.author,
        text: event.text,
        receivedAtMs: event.atMs,
        ...(event.nonce !== undefined ? { nonce: event.nonce } : {}),
        ...(event.sentAtMs !== undefined ? { sentAtMs: event.sentAtMs } : {}),
      };
      for (const h of this.messageHandlers) safely(() => h(message));
    }
  }

  private async waitForOwn(nonce: string, what: string): Promise<NonNullable<ReturnType<typeof this.ownByNonce.get>>> {
    const found = this.ownByNonce.get(nonce);
    if (found) return found;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.nonceWaiters.delete(nonce);
        reject(new Error(`BrowserWaddleClient(${this.username}): timed out after ${this.timeoutMs} ms waiting for ${what}`));
      }, this.timeoutMs);
      this.nonceWaiters.set(nonce, () => {
        clearTimeout(timer);
        this.nonceWaiters.delete(nonce);
        resolve();
      });
    });
    const event = this.ownByNonce.get(nonce);
    if (!event) throw new Error(`BrowserWaddleClient(${this.username}): client closed while waiting for ${what}`);
    return event;
  }

  private async toggle(label: 'Mute' | 'Camera' | 'Share screen', on: boolean): Promise<void> {
    const button = this.page.getByRole('button', { name: label, exact: true });
    const pressed = await this.step(`the "${label}" button (are you in a voice channel?)`, () => button.getAttribute('aria-pressed', { timeout: this.timeoutMs }));
    if ((pressed === 'true') !== on) {
      await this.click(`clicking "${label}"`, button);
    }
    try {
      await button.and(this.page.locator(`[aria-pressed="${on}"]`)).waitFor({ timeout: this.timeoutMs });
    } catch (error) {
      throw new Error(`BrowserWaddleClient(${this.username}): timed out after ${this.timeoutMs} ms waiting for "${label}" to turn ${on ? 'on' : 'off'}; the app says: ${await this.appError()}`, { cause: error });
    }
  }

  private historyUi(): HistoryUi {
    const { page, timeoutMs, input } = this;
    return { page, timeoutMs, step: (what, action) => this.step(what, action), click: (what, target) => this.click(what, target), input: (action) => input.run(action), evaluate: (script, ms, what) => this.evaluate(script, ms, what) };
  }

  private click(what: string, target: Locator, timeoutMs = this.timeoutMs): Promise<void> {
    return this.act(what, target, (t) => t.click({ timeout: timeoutMs }), 'visible', timeoutMs);
  }

  /** An input action through the page's input queue; the wait for target is outside it, so it holds up no one. */
  private act<T>(what: string, target: Locator, action: (target: Locator) => Promise<T>, state: 'visible' | 'attached' = 'visible', timeoutMs = this.timeoutMs): Promise<T> {
    return this.step(what, async () => {
      await target.waitFor({ state, timeout: timeoutMs });
      return this.input.run(() => action(target));
    }, timeoutMs);
  }

  private waddleItem(id: string): Locator {
    return this.page.getByTestId('waddle').and(this.page.locator(`[data-waddle-id="${cssEscape(id)}"]`));
  }

  private async appError(): Promise<string> {
    const text = await this.page.getByTestId('error').textContent({ timeout: 1000 }).catch(() => null);
    return text?.trim() || '(no error shown)';
  }

  /** page.evaluate has no timeout of its own (a hung renderer would hang us): bound it. */
  private evaluate(script: string, timeoutMs: number, what: string): Promise<unknown> {
    return withTimeout(this.page.evaluate(script), timeoutMs, () => `BrowserWaddleClient(${this.username}): timed out after ${Math.round(timeoutMs)} ms waiting for ${what} (page.evaluate; is the renderer hung?)`);
  }

  /** Runs a Playwright action and rewrites its error so it says what we waited for. */
  private async step<T>(what: string, action: () => Promise<T>, timeoutMs = this.timeoutMs): Promise<T> {
    try {
      return await action();
    } catch (error) {
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      throw new Error(`BrowserWaddleClient(${this.username}): failed waiting for ${what} (limit ${Math.round(timeoutMs)} ms): ${reason}`, { cause: error });
    }
  }
}
