// Which waddle and text channel this tab has open: the waddle list, joining and leaving a waddle
// (its channels and members follow), opening a channel (its history replaces the messages), and
// restoring both after a reconnect, since the server forgets a tab's joins with its socket.
// Older history comes page by page as the user scrolls up (history-pager.ts).
import type { WaddleSummary } from '../protocol.ts';
import type { Composer } from './composer.ts';
import type { Connection } from './connection.ts';
import { h, pageNowMs } from './dom.ts';
import { HistoryPager } from './history-pager.ts';
import type { MemberList } from './members.ts';
import type { MessageList } from './messages.ts';
import type { VoicePanel } from './voice.ts';

export interface NavigationParts {
  readonly appRoot: HTMLElement;
  readonly conn: Connection;
  readonly members: MemberList;
  readonly messages: MessageList;
  readonly composer: Composer;
  readonly voice: VoicePanel;
  readonly reportError: (message: string) => void;
}

export class Navigation {
  readonly waddleList = h('ul', { 'data-testid': 'waddle-list', 'aria-label': 'Waddles' });
  readonly textList = h('ul', { 'data-testid': 'text-channel-list', 'aria-label': 'Text channels' });
  readonly voiceList = h('ul', { 'data-testid': 'voice-channel-list', 'aria-label': 'Voice channels' });
  readonly leaveWaddleButton = h('button', { type: 'button', 'aria-label': 'Leave waddle', disabled: true, text: 'Leave waddle' });
  readonly channelTitle = h('h1', { 'data-testid': 'channel-title', style: 'font-size:16px;margin:0', text: 'No channel' });
  private waddle: WaddleSummary | undefined;
  private channel: string | undefined;
  private readonly pager: HistoryPager;

  constructor(private readonly parts: NavigationParts) {
    this.leaveWaddleButton.addEventListener('click', () => this.leaveWaddle());
    this.pager = new HistoryPager(parts.messages, async (channelId, before) => {
      const answer = await parts.conn.request({ type: 'channel.history', channelId, before });
      if (answer.type !== 'channel.history') throw new Error(`expected channel.history, got ${answer.type}`);
      return answer;
    }, parts.reportError);
  }

  get waddleId(): string | undefined {
    return this.waddle?.id;
  }

  get channelId(): string | undefined {
    return this.channel;
  }

  async listWaddles(): Promise<void> {
    const answer = await this.parts.conn.request({ type: 'waddle.list' });
    if (answer.type !== 'waddle.list') return;
    this.waddleList.replaceChildren(...answer.waddles.map((w) =>
      // the channel lists ride along as data so a driver can list waddles without joining them
      h('li', { 'data-testid': 'waddle', 'data-waddle-id': w.id, 'data-name': w.name, 'data-channels': JSON.stringify({ text: w.textChannels, voice: w.voiceChannels }) },
        h('button', { type: 'button', 'aria-label': `Open waddle ${w.name}`, 'aria-current': String(w.id === this.waddle?.id), onclick: () => void this.joinWaddle(w.id).catch((e: Error) => this.parts.reportError(e.message)), text: w.name }))));
  }

  async joinWaddle(id: string): Promise<void> {
    const { conn, appRoot, members } = this.parts;
    const answer = await conn.request({ type: 'waddle.join', waddleId: id });
    if (answer.type !== 'waddle.joined') return;
    if (this.waddle && this.waddle.id !== answer.waddle.id) conn.send({ type: 'waddle.leave', waddleId: this.waddle.id });
    const waddle = (this.waddle = answer.waddle);
    appRoot.dataset.waddleId = waddle.id;
    members.reset(answer.online, answer.onlineCount);
    this.leaveWaddleButton.disabled = false;
    for (const li of this.waddleList.querySelectorAll('li')) li.querySelector('button')?.setAttribute('aria-current', String(li.dataset.waddleId === waddle.id));
    this.renderChannels(waddle);
  }

  private renderChannels(waddle: WaddleSummary): void {
    this.textList.replaceChildren(...waddle.textChannels.map((c) =>
      h('li', {}, h('button', { type: 'button', 'data-testid': 'text-channel', 'data-channel-id': c.id, 'data-name': c.name, 'aria-label': `Open channel ${c.name}`, onclick: () => void this.openChannel(c.id).catch((e: Error) => this.parts.reportError(e.message)), text: `# ${c.name}` }))));
    this.voiceList.replaceChildren(...waddle.voiceChannels.map((c) =>
      h('li', {}, h('button', { type: 'button', 'data-testid': 'voice-channel', 'data-channel-id': c.id, 'data-name': c.name, 'aria-label': `Join voice ${c.name}`, onclick: () => void this.parts.voice.join(c.id, c.name), text: `🔊 ${c.name}` }))));
  }

  async openChannel(id: string): Promise<void> {
    const { conn, appRoot, messages, composer } = this.parts;
    const requestedAtMs = pageNowMs();
    if (this.channel && this.channel !== id) conn.send({ type: 'channel.close', channelId: this.channel });
    const answer = await conn.request({ type: 'channel.open', channelId: id });
    if (answer.type !== 'channel.history') return;
    this.channel = id;
    const name = this.waddle?.textChannels.find((c) => c.id === id)?.name ?? id;
    this.channelTitle.textContent = `# ${name}`;
    this.channelTitle.dataset.channelId = id;
    for (const b of this.textList.querySelectorAll('button')) b.setAttribute('aria-current', String(b.dataset.channelId === id));
    messages.showLatest(answer.messages);
    this.pager.opened(id, answer, requestedAtMs);
    composer.enabled = true;
    appRoot.dataset.channelId = id;
  }

  /** After a reconnect: join the waddle and open the channel this tab had. */
  restore(): void {
    if (this.waddle) void this.joinWaddle(this.waddle.id).then(() => (this.channel ? this.openChannel(this.channel) : undefined));
  }

  private leaveWaddle(): void {
    const { conn, appRoot, members, messages, composer, voice } = this.parts;
    if (!this.waddle) return;
    void voice.leave();
    conn.request({ type: 'waddle.leave', waddleId: this.waddle.id }).catch((e: Error) => this.parts.reportError(e.message));
    this.waddle = this.channel = undefined;
    delete appRoot.dataset.waddleId;
    delete appRoot.dataset.channelId;
    this.textList.replaceChildren();
    this.voiceList.replaceChildren();
    members.clear();
    messages.clear();
    this.pager.closed();
    this.channelTitle.textContent = 'No channel';
    delete this.channelTitle.dataset.channelId;
    composer.enabled = false;
    this.leaveWaddleButton.disabled = true;
    for (const b of this.waddleList.querySelectorAll('button')) b.setAttribute('aria-current', 'false');
  }
}
