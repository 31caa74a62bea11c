// The message composer: the text input and Send. A sent message shows at once as pending (with
// its nonce and the page-clock send time, which travel in the frame so receivers can match and
// measure), then acked with the server's id, or failed with the server's reason.
import type { Connection } from './connection.ts';
import { h, pageNowMs } from './dom.ts';
import type { MessageList } from './messages.ts';

export class Composer {
  readonly input = h('input', { type: 'text', 'data-testid': 'composer-input', 'aria-label': 'Write a message', maxlength: 4000, autocomplete: 'off', disabled: true });
  readonly sendButton = h('button', { type: 'submit', 'aria-label': 'Send', disabled: true, text: 'Send' });
  readonly el = h('form', { 'data-testid': 'composer', 'aria-label': 'Composer' }, this.input, this.sendButton);

  constructor(
    private readonly conn: Connection,
    private readonly messages: MessageList,
    private readonly channelId: () => string | undefined,
    private readonly reportError: (message: string) => void,
  ) {
    this.el.addEventListener('submit', (event) => {
      event.preventDefault();
      this.send();
    });
  }

  set enabled(on: boolean) {
    this.input.disabled = this.sendButton.disabled = !on;
  }

  private send(): void {
    const text = this.input.value;
    const channelId = this.channelId();
    if (!channelId || text.trim() === '') return;
    this.input.value = '';
    const nonce = crypto.randomUUID();
    const sentAtMs = pageNowMs();
    this.messages.addPending(text, nonce, sentAtMs, channelId);
    this.conn
      .request({ type: 'chat.send', channelId, text, nonce, sentAtMs })
      .then((ack) => {
        if (ack.type === 'chat.ack') this.messages.ack(nonce, ack.id, ack.serverTs);
      })
      .catch((e: Error) => {
        this.messages.fail(nonce, e.message);
        this.reportError(e.message);
      });
  }
}
