// ui/chat.js - the text chat panel: the room's history (from `joined`) and
// new messages; Enter (or the Send button) sends.  Counts unread messages
// on the chat button while the panel is closed.

import { $, h } from './dom.js';
import { showError } from './banners.js';
import { errorText, getLang, t } from '../i18n.js';

export class ChatPanel {
  /** conn(): the current VecheConnection; isOpen(): is the panel shown */
  constructor(state, { conn, isOpen }) {
    this.state = state;
    this.conn = conn;
    this.isOpen = isOpen;
    this.log = $('chat-log');
    this.input = $('chat-input');
    this.shown = 0;         // messages drawn
    this.unread = 0;
    $('chat-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.send();
    });
  }

  async send() {
    const text = this.input.value.trim();
    const conn = this.conn();
    if (!text || !conn) return;
    this.input.value = '';
    try {
      await conn.chat(text);
    } catch (err) {
      this.input.value = text;  // not sent: let them try again
      // Server refusals are shown by the connection's 'error' event.
      if (!err.code) showError(errorText('client', err.message));
    }
  }

  _time(ts) {
    try {
      return new Date(ts).toLocaleTimeString(getLang(), { hour: '2-digit', minute: '2-digit' });
    } catch {
      return '';
    }
  }

  _item(m) {
    const mine = m.from === this.state.me;
    return h('li', { class: mine ? 'msg mine' : 'msg', dataset: { seq: m.seq } },
      h('div', { class: 'meta' }, h('span', { class: 'from' }, mine ? t('you') : m.name),
        ' ', h('time', { datetime: new Date(m.ts).toISOString() }, this._time(m.ts))),
      h('div', { class: 'text' }, m.text));
  }

  /** Draw new messages (all of them when `all`), keeping the view at the bottom. */
  render(all = false) {
    const msgs = this.state.chat;
    const atBottom = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 40;
    if (all || msgs.length < this.shown) {
      this.log.replaceChildren(...msgs.map((m) => this._item(m)));
    } else {
      for (const m of msgs.slice(this.shown)) {
        this.log.append(this._item(m));
        if (!this.isOpen() && m.from !== this.state.me) this.unread++;
      }
    }
    this.shown = msgs.length;
    $('chat-empty').hidden = msgs.length > 0;
    if (atBottom || all) this.log.scrollTop = this.log.scrollHeight;
    this.showUnread();
  }

  /** Update the unread count on the chat button. */
  showUnread() {
    if (this.isOpen()) this.unread = 0;
    const badge = $('chat-unread');
    badge.hidden = this.unread === 0;
    badge.textContent = String(this.unread);
  }
}
