// The reference Waddle web client: login, waddles, channels, chat, reactions, presence,
// voice/video/screen and uploads. Plain DOM; every control has a role+label or a
// data-testid so drivers (clients/browser/) can use stable Playwright locators.
import type { LoginResponse, ServerFrame, WaddleSummary } from '../protocol.ts';
import { Connection } from './connection.ts';
import { byId, h, pageNowMs } from './dom.ts';
import { MessageList } from './messages.ts';
import { UploadPanel } from './upload.ts';
import { VoicePanel } from './voice.ts';

/** members listed at most: the latest arrivals (a 10,000-member list would be a DOM per user) */
const MEMBERS_SHOWN = 200;

const loginForm = document.getElementById('login') as HTMLFormElement;
const appRoot = document.getElementById('app') as HTMLDivElement;

loginForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const data = new FormData(loginForm);
  const errorBox = byId(loginForm, 'login-error');
  errorBox.textContent = '';
  fetch('/api/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: data.get('username'), password: data.get('password') || undefined }) })
    .then(async (res) => {
      const body = (await res.json()) as LoginResponse & { message?: string };
      if (!res.ok) throw new Error(body.message ?? `login failed (${res.status})`);
      loginForm.remove();
      await startApp(body);
    })
    .catch((error: Error) => (errorBox.textContent = error.message));
});

async function startApp(session: LoginResponse): Promise<void> {
  const conn = new Connection(session.token);
  let waddle: WaddleSummary | undefined;
  let channelId: string | undefined;
  const online = new Set<string>(); // in arrival order, the latest last; at most MEMBERS_SHOWN
  let onlineCount = 0;
  const memberCount = h('p', { 'data-testid': 'member-count', 'aria-live': 'polite' });

  const status = h('span', { 'data-testid': 'connection-status', 'data-state': 'connecting', role: 'status', text: 'connecting' });
  const errorBox = h('div', { role: 'alert', 'data-testid': 'error' });
  const waddleList = h('ul', { 'data-testid': 'waddle-list', 'aria-label': 'Waddles' });
  const textList = h('ul', { 'data-testid': 'text-channel-list', 'aria-label': 'Text channels' });
  const voiceList = h('ul', { 'data-testid': 'voice-channel-list', 'aria-label': 'Voice channels' });
  const memberList = h('ul', { 'data-testid': 'member-list', 'aria-label': 'Online members' });
  const leaveWaddleButton = h('button', { type: 'button', 'aria-label': 'Leave waddle', disabled: true, text: 'Leave waddle' });
  const channelTitle = h('h1', { 'data-testid': 'channel-title', style: 'font-size:16px;margin:0', text: 'No channel' });
  const input = h('input', { type: 'text', 'data-testid': 'composer-input', 'aria-label': 'Write a message', maxlength: 4000, autocomplete: 'off', disabled: true });
  const sendButton = h('button', { type: 'submit', 'aria-label': 'Send', disabled: true, text: 'Send' });
  const composer = h('form', { 'data-testid': 'composer', 'aria-label': 'Composer' }, input, sendButton);

  const reportError = (message: string): void => {
    errorBox.textContent = message;
    errorBox.dataset.at = String(pageNowMs());
  };
  const messages = new MessageList(session.username, {
    toggleReaction(messageId, emoji) {
      if (!channelId) return;
      const li = messages.el.querySelector(`li[data-id="${CSS.escape(messageId)}"] button[data-emoji="${CSS.escape(emoji)}"]`);
      const mine = li?.getAttribute('aria-pressed') === 'true';
      conn.request({ type: mine ? 'reaction.remove' : 'reaction.add', channelId, messageId, emoji }).catch((e: Error) => reportError(e.message));
    },
  });
  const voice = new VoicePanel(conn, reportError);
  const upload = new UploadPanel(session.token, () => channelId);

  appRoot.append(
    h('nav', { 'aria-label': 'Navigation' },
      h('div', { 'data-testid': 'current-user', 'data-username': session.username, text: `@${session.username}` }),
      h('h2', { text: 'Waddles' }), waddleList, leaveWaddleButton,
      h('h2', { text: 'Text channels' }), textList,
      h('h2', { text: 'Voice channels' }), voiceList,
      h('h2', { text: 'Online' }), memberCount, memberList),
    h('main', {}, h('header', {}, channelTitle, status), errorBox, messages.el, upload.el, composer),
    h('aside', { 'aria-label': 'Voice panel' }, voice.el),
  );
  appRoot.classList.add('ready');

  conn.onStatus = (state) => {
    status.dataset.state = state;
    status.textContent = state;
    if (state === 'disconnected') voice.resetAfterDisconnect();
  };
  conn.on((frame: ServerFrame) => {
    switch (frame.type) {
      case 'chat.message':
        if (frame.message.channelId === channelId) messages.render(frame.message, { history: false });
        break;
      case 'reaction.update':
        if (frame.channelId === channelId) messages.updateReactions(frame.messageId, frame.reactions);
        break;
      case 'presence':
        if (frame.waddleId !== waddle?.id) break;
        for (const change of frame.changes) {
          online.delete(change.username); // re-add at the end: the list shows the latest first
          if (change.online) online.add(change.username);
        }
        onlineCount = frame.onlineCount;
        renderMembers();
        break;
      case 'error':
        if (!frame.ref) reportError(`${frame.code}: ${frame.message}`);
        break;
    }
  });
  conn.onReconnect = () => {
    // the server forgot this tab's joins with the old socket; restore them
    if (waddle) void joinWaddle(waddle.id).then(() => (channelId ? openChannel(channelId) : undefined));
  };

  // A big waddle has thousands online: show the latest arrivals (bounded DOM) and the count.
  function renderMembers(): void {
    const names = [...online];
    while (names.length > MEMBERS_SHOWN) online.delete(names.shift()!);
    memberCount.textContent = `${onlineCount} online`;
    memberList.replaceChildren(...names.reverse().map((name) => h('li', { 'data-testid': 'member', 'data-username': name, 'data-online': 'true', text: name })));
  }

  async function listWaddles(): Promise<void> {
    const answer = await conn.request({ type: 'waddle.list' });
    if (answer.type !== 'waddle.list') return;
    waddleList.replaceChildren(...answer.waddles.map((w) =>
      // the channel lists ride along as data so a driver can list waddles without joining them
      h('li', { 'data-testid': 'waddle', 'data-waddle-id': w.id, 'data-name': w.name, 'data-channels': JSON.stringify({ text: w.textChannels, voice: w.voiceChannels }) },
        h('button', { type: 'button', 'aria-label': `Open waddle ${w.name}`, 'aria-current': String(w.id === waddle?.id), onclick: () => void joinWaddle(w.id).catch((e: Error) => reportError(e.message)), text: w.name }))));
  }

  async function joinWaddle(id: string): Promise<void> {
    const answer = await conn.request({ type: 'waddle.join', waddleId: id });
    if (answer.type !== 'waddle.joined') return;
    if (waddle && waddle.id !== answer.waddle.id) conn.send({ type: 'waddle.leave', waddleId: waddle.id });
    waddle = answer.waddle;
    appRoot.dataset.waddleId = waddle.id;
    online.clear();
    for (const name of [...answer.online].reverse()) online.add(name); // the answer lists the latest first
    onlineCount = answer.onlineCount;
    renderMembers();
    leaveWaddleButton.disabled = false;
    for (const li of waddleList.querySelectorAll('li')) li.querySelector('button')?.setAttribute('aria-current', String(li.dataset.waddleId === waddle.id));
    textList.replaceChildren(...waddle.textChannels.map((c) =>
      h('li', {}, h('button', { type: 'button', 'data-testid': 'text-channel', 'data-channel-id': c.id, 'data-name': c.name, 'aria-label': `Open channel ${c.name}`, onclick: () => void openChannel(c.id).catch((e: Error) => reportError(e.message)), text: `# ${c.name}` }))));
    voiceList.replaceChildren(...waddle.voiceChannels.map((c) =>
      h('li', {}, h('button', { type: 'button', 'data-testid': 'voice-channel', 'data-channel-id': c.id, 'data-name': c.name, 'aria-label': `Join voice ${c.name}`, onclick: () => void voice.join(c.id, c.name), text: `🔊 ${c.name}` }))));
  }

  async function openChannel(id: string): Promise<void> {
    if (channelId && channelId !== id) conn.send({ type: 'channel.close', channelId });
    const answer = await conn.request({ type: 'channel.open', channelId: id });
    if (answer.type !== 'channel.history') return;
    channelId = id;
    const name = waddle?.textChannels.find((c) => c.id === id)?.name ?? id;
    channelTitle.textContent = `# ${name}`;
    channelTitle.dataset.channelId = id;
    for (const b of textList.querySelectorAll('button')) b.setAttribute('aria-current', String(b.dataset.channelId === id));
    messages.clear();
    for (const m of answer.messages) messages.render(m, { history: true });
    input.disabled = sendButton.disabled = false;
    appRoot.dataset.channelId = id;
  }

  leaveWaddleButton.addEventListener('click', () => {
    if (!waddle) return;
    void voice.leave();
    conn.request({ type: 'waddle.leave', waddleId: waddle.id }).catch((e: Error) => reportError(e.message));
    waddle = channelId = undefined;
    delete appRoot.dataset.waddleId;
    delete appRoot.dataset.channelId;
    textList.replaceChildren();
    voiceList.replaceChildren();
    online.clear();
    renderMembers();
    messages.clear();
    channelTitle.textContent = 'No channel';
    delete channelTitle.dataset.channelId;
    input.disabled = sendButton.disabled = leaveWaddleButton.disabled = true;
    for (const b of waddleList.querySelectorAll('button')) b.setAttribute('aria-current', 'false');
  });

  composer.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value;
    if (!channelId || text.trim() === '') return;
    input.value = '';
    // nonce and send time travel in the frame so receivers can match and measure
    const nonce = crypto.randomUUID();
    const sentAtMs = pageNowMs();
    messages.addPending(text, nonce, sentAtMs, channelId);
    conn
      .request({ type: 'chat.send', channelId, text, nonce, sentAtMs })
      .then((ack) => {
        if (ack.type === 'chat.ack') messages.ack(nonce, ack.id, ack.serverTs);
      })
      .catch((e: Error) => {
        messages.fail(nonce, e.message);
        reportError(e.message);
      });
  });

  await conn.connect();
  await listWaddles();
}
