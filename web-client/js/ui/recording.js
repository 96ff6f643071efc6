// ui/recording.js - the recording indicator (red, announced to screen
// readers through its aria-live region) and, for the trainer or chair of
// an event's room, the start / stop / chapter buttons.  The server says
// when recording starts and stops (`recording` messages, `joined`).

import { t } from '../i18n.js';
import { announce, showError, showNotice } from './banners.js';

const MOD_ACCESS = ['chair', 'secretary', 'trainer', 'org_admin', 'platform_admin'];

export class RecordingUI {
  constructor(container) {
    this.box = document.createElement('div');
    this.box.className = 'recording-bar';
    this.box.hidden = true;
    this.dot = document.createElement('p');
    this.dot.id = 'recording-indicator';
    this.dot.className = 'recording-indicator';
    this.dot.setAttribute('role', 'status');
    this.dot.setAttribute('aria-live', 'assertive');
    this.dot.hidden = true;
    this.startBtn = this._button('recording-start', () => this._request('record-start'));
    this.stopBtn = this._button('recording-stop', () => this._request('record-stop'));
    this.markBtn = this._button('recording-mark', () => this._mark());
    this.box.append(this.dot, this.startBtn, this.stopBtn, this.markBtn);
    container.append(this.box);
    this.conn = null;
    this.on = false;
    this.mayControl = false;
  }

  _button(id, fn) {
    const b = document.createElement('button');
    b.type = 'button';
    b.id = id;
    b.className = 'small';
    b.addEventListener('click', fn);
    return b;
  }

  async _request(type, fields) {
    try { await this.conn.request(type, fields); } catch { /* shown by the 'error' event */ }
  }

  _mark() {
    const label = prompt(t('recording.chapter_prompt'));
    if (label && label.trim()) this._request('record-mark', { label: label.trim().slice(0, 200) });
  }

  /** Entering a room: the state from `joined`. */
  enter(conn, joined) {
    this.conn = conn;
    this.mayControl = !!joined.event && MOD_ACCESS.includes(joined.access);
    this.on = !!joined.recording;
    this.render();
    if (this.on) showNotice(t('recording.joined_note'), 0);
  }

  /** A `recording` message. */
  set(d) {
    const was = this.on;
    this.on = !!d.recording;
    this.render();
    if (this.on && !was) announce(t('recording.started'));
    if (!this.on && was) {
      if (d.reason === 'disk-full' || d.reason === 'recorder-failed') {
        showError(t(`recording.reason.${d.reason}`));
      } else {
        announce(t('recording.stopped'));
      }
    }
  }

  warn(d) {
    if (d.code === 'disk-low') showNotice(t('recording.disk_low', { mb: d.freeMb }), 0);
  }

  clear() {
    this.conn = null;
    this.on = false;
    this.mayControl = false;
    this.render();
  }

  render() {
    this.dot.hidden = !this.on;
    this.dot.textContent = this.on ? `● ${t('recording.on')}` : '';
    this.startBtn.textContent = t('recording.start');
    this.stopBtn.textContent = t('recording.stop');
    this.markBtn.textContent = t('recording.chapter');
    this.startBtn.hidden = !this.mayControl || this.on;
    this.stopBtn.hidden = !this.mayControl || !this.on;
    this.markBtn.hidden = !this.mayControl || !this.on;
    this.box.hidden = !this.on && !this.mayControl;
  }
}
