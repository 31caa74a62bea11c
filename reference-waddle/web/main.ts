// The reference Waddle web client: login, waddles, channels, chat, reactions, presence,
// voice/video/screen and uploads. Plain DOM; every control has a role+label or a
// data-testid so drivers (clients/browser/) can use stable Playwright locators.
// This file logs in and wires the parts: navigation.ts (waddles, channels), members.ts,
// messages.ts, composer.ts, upload.ts, voice.ts, over one connection.ts.
import type { LoginResponse, ServerFrame } from '../protocol.ts';
import { Composer } from './composer.ts';
import { Connection } from './connection.ts';
import { byId, h, pageNowMs } from './dom.ts';
import { MemberList } from './members.ts';
import { MessageList } from './messages.ts';
import { Navigation } from './navigation.ts';
import { UploadPanel } from './upload.ts';
import { VoicePanel } from './voice.ts';

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
  const status = h('span', { 'data-testid': 'connection-status', 'data-state': 'connecting', role: 'status', text: 'connecting' });
  const errorBox = h('div', { role: 'alert', 'data-testid': 'error' });
  const reportError = (message: string): void => {
    errorBox.textContent = message;
    errorBox.dataset.at = String(pageNowMs());
  };
  const messages = new MessageList(session.username, {
    toggleReaction(messageId, emoji) {
      const channelId = nav.channelId;
      if (!channelId) return;
      const li = messages.el.querySelector(`li[data-id="${CSS.escape(messageId)}"] button[data-emoji="${CSS.escape(emoji)}"]`);
      const mine = li?.getAttribute('aria-pressed') === 'true';
      conn.request({ type: mine ? 'reaction.remove' : 'reaction.add', channelId, messageId, emoji }).catch((e: Error) => reportError(e.message));
    },
  });
  const voice = new VoicePanel(conn, reportError);
  const upload = new UploadPanel(session.token, (): string | undefined => nav.channelId);
  const members = new MemberList();
  const composer = new Composer(conn, messages, (): string | undefined => nav.channelId, reportError);
  const nav: Navigation = new Navigation({ appRoot, conn, members, messages, composer, voice, reportError });

  appRoot.append(
    h('nav', { 'aria-label': 'Navigation' },
      h('div', { 'data-testid': 'current-user', 'data-username': session.username, text: `@${session.username}` }),
      h('h2', { text: 'Waddles' }), nav.waddleList, nav.leaveWaddleButton,
      h('h2', { text: 'Text channels' }), nav.textList,
      h('h2', { text: 'Voice channels' }), nav.voiceList,
      h('h2', { text: 'Online' }), members.count, members.list),
    h('main', {}, h('header', {}, nav.channelTitle, status), errorBox, messages.el, upload.el, composer.el),
    h('aside', { 'aria-label': 'Voice panel' }, voice.el),
  );
  appRoot.classList.add('ready');

  conn.onStatus = (state) => {
    status.dataset.state = state;
    status.textContent = state;
    if (state === 'disconnected') voice.resetAfterDisconnect();
  };
  conn.on((frame) => routeFrame(frame, { nav, messages, members, reportError }));
  conn.onReconnect = () => nav.restore();

  await conn.connect();
  await nav.listWaddles();
}

/** Server pushes that are not answers to a request of this tab. */
function routeFrame(frame: ServerFrame, to: { nav: Navigation; messages: MessageList; members: MemberList; reportError: (message: string) => void }): void {
  switch (frame.type) {
    case 'chat.message':
      if (frame.message.channelId === to.nav.channelId) to.messages.render(frame.message, { history: false });
      break;
    case 'reaction.update':
      if (frame.channelId === to.nav.channelId) to.messages.updateReactions(frame.messageId, frame.reactions);
      break;
    case 'presence':
      if (frame.waddleId === to.nav.waddleId) to.members.apply(frame.changes, frame.onlineCount);
      break;
    case 'error':
      if (!frame.ref) to.reportError(`${frame.code}: ${frame.message}`);
      break;
  }
}
