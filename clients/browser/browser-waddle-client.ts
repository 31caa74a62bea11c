// BrowserWaddleClient: a WaddleClient that drives the real Waddle web UI through Playwright
// locators only (getByRole / getByTestId / getByLabel), never the app's internals or its
// WebSocket. In-page timings (render, ack) come from a MutationObserver this driver
// installs, on the page clock (performance.timeOrigin + performance.now()); it reports in batches.
//
// Semantics worth knowing:
// - onMessage fires for live messages in the open channel: others' when rendered (receivedAtMs =
//   render time), our own when acked. History shown on opening a channel is NOT reported, so it
//   never counts as delivery. Filter by author to measure delivery to others.
// - sendMessage types into the composer and presses Enter, as most chat users do (a click on Send cost
//   the fleet's Node more CDP round trips; issue 18): keys into the composer still focused from the
//   last send, Playwright's fill when it is not (composer.ts); resolves at the ack, rejects if the
//   server refused.
// - waitForRemoteMedia: video/screen = a tile announcing that kind with videoWidth > 0 and
//   decoded frames advancing; audio = a live, unmuted remote track playing with time advancing.
// - openChannelHistory clicks a channel and times until its latest page is painted; scrollHistory
//   wheels the message list up page by page, timing each and sampling frame intervals (history.ts).
// - every wait is bounded by actionTimeoutMs (uploads: plus size at 0.5 MB/s), and page.evaluate
//   is wrapped, so a hung renderer surfaces as an Error that names what was awaited.
// This file is the connection and navigation; each other concern has its file, over one PageUi
// (page-ui.ts): chat-ui.ts, call-ui.ts, files-ui.ts, history.ts, observed-events.ts.
import type { Page } from 'playwright-core';
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
import { joinVoice, leaveVoice, waitForRemoteMedia } from './call-ui.ts';
import { react, sendMessage } from './chat-ui.ts';
import { download, upload } from './files-ui.ts';
import { openChannelHistory, scrollHistory } from './history.ts';
import { ObservedEvents } from './observed-events.ts';
import { eachObserved, installObserver, takeObserved } from './observer-batch.ts';
import { PageUi } from './page-ui.ts';
import { cssEscape } from './util.ts';

export interface BrowserWaddleClientOptions {
  /** the Waddle web client, e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  username: string;
  password?: string;
  /** bound on every single UI action and wait. Default 15 000 ms. */
  actionTimeoutMs?: number;
}

type ChannelLists = { text?: { id: string; name: string }[]; voice?: { id: string; name: string }[] };

export class BrowserWaddleClient implements WaddleClient {
  readonly username: string;
  private readonly baseUrl: string;
  private readonly password: string | undefined;
  private readonly ui: PageUi;
  private readonly events = new ObservedEvents();
  private bindingInstalled = false;

  constructor(
    private readonly page: Page,
    options: BrowserWaddleClientOptions,
  ) {
    this.baseUrl = options.baseUrl;
    this.username = options.username;
    this.password = options.password;
    this.ui = new PageUi(page, options.username, options.actionTimeoutMs ?? 15_000);
  }

  // ---- connection and navigation ------------------------------------------------------

  async connect(): Promise<void> {
    const { page, ui } = this;
    if (!this.bindingInstalled) {
      await installObserver(page, (event) => this.events.handle(event));
      this.bindingInstalled = true;
    }
    await ui.step('open the Waddle web client', () => page.goto(this.baseUrl, { timeout: ui.timeoutMs, waitUntil: 'domcontentloaded' }));
    await ui.fill('filling the Username field', page.getByLabel('Username'), this.username);
    if (this.password !== undefined) await ui.fill('filling the Password field', page.getByLabel('Password'), this.password);
    await ui.click('clicking "Log in"', page.getByRole('button', { name: 'Log in' }));
    const connected = ui.byData('connection-status', 'state', 'connected');
    const loginError = page.getByTestId('login-error').filter({ hasText: /\S/ });
    await ui.waitFor('the app to show "connected" after login', connected.or(loginError).first());
    if (await loginError.isVisible()) throw ui.error(`login refused: ${await loginError.innerText()}`);
  }

  async listWaddles(): Promise<readonly WaddleInfo[]> {
    const items = this.page.getByTestId('waddle');
    await this.ui.waitFor('the waddle list', items.first());
    const raw = await this.ui.step('reading the waddle list', () =>
      items.evaluateAll((els: { dataset: Record<string, string | undefined> }[]) =>
        els.map((e) => ({ id: e.dataset.waddleId ?? '', name: e.dataset.name ?? '', channels: e.dataset.channels ?? '{}' })),
      ),
    );
    return raw.map((w) => {
      const channels = JSON.parse(w.channels) as ChannelLists;
      return { id: w.id, name: w.name, textChannels: channels.text ?? [], voiceChannels: channels.voice ?? [] };
    });
  }

  async joinWaddle(waddleId?: string): Promise<WaddleInfo> {
    const { ui } = this;
    const waddles = await this.listWaddles();
    const target = waddleId === undefined ? waddles[0] : waddles.find((w) => w.id === waddleId);
    const have = waddles.map((w) => w.id).join(', ') || 'none';
    if (!target) throw ui.error(`no waddle ${JSON.stringify(waddleId)} in the list (have: ${have})`);
    await ui.click(`clicking waddle ${target.id}`, ui.byData('waddle', 'waddle-id', target.id).getByRole('button'));
    await ui.waitFor(`the app to open waddle ${target.id}`, this.page.locator(`#app[data-waddle-id="${cssEscape(target.id)}"]`));
    await ui.waitFor(`the channel list of waddle ${target.id}`, this.page.getByTestId('text-channel').first());
    return target;
  }

  async openTextChannel(channelId?: string): Promise<void> {
    const { ui } = this;
    const button = channelId === undefined ? ui.page.getByTestId('text-channel').first() : ui.byData('text-channel', 'channel-id', channelId);
    const id = channelId ?? (await ui.attribute('the first text channel', button, 'data-channel-id')) ?? '';
    await ui.click(`clicking text channel ${id}`, button);
    await ui.waitFor(`the channel title to show ${id}`, ui.byData('channel-title', 'channel-id', id));
  }

  openChannelHistory(channelId?: string): Promise<ChannelHistoryView> {
    return openChannelHistory(this.ui, channelId);
  }

  scrollHistory(pages: number): Promise<HistoryScroll> {
    return scrollHistory(this.ui, pages);
  }

  async leaveWaddle(): Promise<void> {
    const { ui } = this;
    const voice = await this.page.getByTestId('voice-panel').getAttribute('data-state', { timeout: ui.timeoutMs });
    if (voice === 'joined') await this.leaveVoice();
    await ui.click('clicking "Leave waddle"', this.page.getByRole('button', { name: 'Leave waddle' }));
    await ui.waitFor('the app to leave the waddle', this.page.locator('#app:not([data-waddle-id])'), 'attached');
  }

  async close(): Promise<void> {
    // what the page still held of its batch (observer-batch.ts) counts like the rest
    if (this.bindingInstalled && !this.events.closed) eachObserved(await takeObserved(this.page), (event) => this.events.handle(event));
    this.events.close();
  }

  // ---- chat (chat-ui.ts) ----------------------------------------------------------------

  sendMessage(text: string): Promise<SentMessage> {
    return sendMessage(this.ui, this.events, text);
  }

  onMessage(handler: (message: ReceivedMessage) => void): () => void {
    return this.events.onMessage(handler);
  }

  onPresence(handler: (change: PresenceChange) => void): () => void {
    return this.events.onPresence(handler);
  }

  react(messageId: string, emoji: string): Promise<void> {
    return react(this.ui, messageId, emoji);
  }

  // ---- voice (call-ui.ts) ---------------------------------------------------------------

  joinVoice(channelId?: string): Promise<void> {
    return joinVoice(this.ui, channelId);
  }

  leaveVoice(): Promise<void> {
    return leaveVoice(this.ui);
  }

  setMuted(muted: boolean): Promise<void> {
    return this.ui.toggle('Mute', muted);
  }

  enableVideo(): Promise<void> {
    return this.ui.toggle('Camera', true);
  }

  disableVideo(): Promise<void> {
    return this.ui.toggle('Camera', false);
  }

  startScreenShare(): Promise<void> {
    return this.ui.toggle('Share screen', true);
  }

  stopScreenShare(): Promise<void> {
    return this.ui.toggle('Share screen', false);
  }

  waitForRemoteMedia(kind: RemoteMediaKind, timeoutMs: number): Promise<number> {
    return waitForRemoteMedia(this.ui, kind, timeoutMs);
  }

  // ---- files (files-ui.ts) --------------------------------------------------------------

  upload(filePath: string): Promise<UploadResult> {
    return upload(this.ui, filePath);
  }

  download(attachmentId: string): Promise<DownloadResult> {
    return download(this.ui, attachmentId);
  }
}
