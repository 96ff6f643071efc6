// ui/agenda.js - in a meeting: the agenda strip above the video (the
// current item for everyone, without scrolling; the chair's and the
// secretary's buttons to move through the items, the list of all items and
// a form to add one) and the speakers list in the participants panel (who
// asked for the floor, in order; the chair gives the floor, skips, moves
// up, sets the time per speech), with the countdown of the speech for the
// speaker and the chair.  The current item and the floor are announced
// (aria-live) when they change.  Buttons only send requests: everything
// shown comes from the server's `agenda` and `speakers` messages
// (state.js).  Trainings keep the raised hand (ui/people.js).

import { $, h } from './dom.js';
import { announce, showError, showNotice } from './banners.js';
import { errorText, t } from '../i18n.js';

const LIMITS = [0, 60, 120, 180, 300, 600];   // seconds per speech, 0 = none

function clock(ms) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function hhmm(secs) {
  if (!secs) return '';
  return new Date(secs * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

export class AgendaUi {
  /** actions: {conn(): VecheConnection|null} */
  constructor(state, actions) {
    this.state = state;
    this.actions = actions;
    this.timer = null;
    this.lastCurrent = undefined;   // the current item we announced
    this.lastSpeaking = undefined;
    $('agenda-prev').addEventListener('click', () => this._do((c) => c.agendaPrevious()));
    $('agenda-next').addEventListener('click', () => this._do((c) => c.agendaNext()));
    $('agenda-add-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const title = $('agenda-add-title').value.trim();
      const speaker = $('agenda-add-speaker').value.trim();
      if (!title) return;
      this._do(async (c) => {
        await c.agendaAdd(title, speaker || null);
        $('agenda-add-title').value = '';
        $('agenda-add-speaker').value = '';
      });
    });
    $('speakers-end').addEventListener('click', () => this._do((c) => c.speakersDone()));
    $('speakers-limit').addEventListener('change', (e) =>
      this._do((c) => c.speakersLimit(Number(e.target.value))));
  }

  async _do(fn) {
    const conn = this.actions.conn();
    if (!conn) return;
    try {
      await fn(conn);
    } catch (err) {
      if (!err.code) showError(errorText('client', err.message));
    }
  }

  /** Ask for the floor, or withdraw the request (the control bar's button). */
  toggleRequest() {
    const waiting = this.waiting();
    return this._do((c) => (waiting ? c.speakWithdraw() : c.speakRequest()));
  }

  /** Whether we are on the speakers list. */
  waiting() {
    const sp = this.state.speakers;
    return !!(sp && sp.list.includes(this.state.me));
  }

  /** After the state changed: say what matters out loud. */
  changed(what) {
    const st = this.state;
    if (what === 'agenda' || what === 'all') {
      const cur = st.agenda ? st.agenda.current : null;
      if (this.lastCurrent !== undefined && cur !== this.lastCurrent) {
        const item = st.currentItem();
        const text = item ? t('agenda.announce', { n: item.position, title: item.title })
          : t('agenda.announce_end');
        announce(text);
      }
      this.lastCurrent = cur;
    }
    if (what === 'speakers' || what === 'all') {
      const speaking = st.speakers ? st.speakers.speaking : null;
      if (this.lastSpeaking !== undefined && speaking !== this.lastSpeaking &&
          speaking === st.me && st.me) {
        announce(t('agenda.floor_you'));
        showNotice(t('agenda.floor_you'));
      }
      this.lastSpeaking = speaking;
    }
  }

  clear() {
    clearInterval(this.timer);
    this.timer = null;
    this.lastCurrent = this.lastSpeaking = undefined;
    $('agenda-strip').hidden = true;
    $('speakers').hidden = true;
  }

  render() {
    this._strip();
    this._speakers();
    this._countdown();
  }

  _strip() {
    const st = this.state;
    const ag = st.agenda;
    const meeting = st.kind === 'meeting';
    const speaking = st.speakers && st.speakers.speaking;
    // Members see it once there is an agenda; the chair also to add items.
    const empty = !ag || ag.items.length === 0;
    $('agenda-strip').hidden = !st.room || !meeting || (empty && !speaking && !(ag && st.moderator));
    if ($('agenda-strip').hidden) return;
    const items = ag ? ag.items : [];
    const item = st.currentItem();
    const started = items.some((i) => i.startedAt);
    $('agenda-pos').hidden = !item;
    $('agenda-pos').textContent = item ? t('agenda.item', { n: item.position, total: items.length }) : '';
    $('agenda-current').textContent = item ? item.title
      : !ag ? '' : items.length === 0 ? t('agenda.empty')
        : started ? t('agenda.finished') : t('agenda.none');
    $('agenda-rapporteur').hidden = !(item && item.speaker);
    $('agenda-rapporteur').textContent = item && item.speaker
      ? t('agenda.rapporteur', { name: item.speaker }) : '';
    const chair = st.moderator && !!ag;
    $('agenda-tools').hidden = !chair;
    $('agenda-prev').hidden = !item || item.position === 1;
    $('agenda-next').textContent = item ? t('agenda.next') : t('agenda.start');
    $('agenda-next').hidden = items.length === 0 || (!item && started &&
      items.every((i) => i.startedAt));
    $('agenda-all').hidden = !ag;
    $('agenda-add-form').hidden = !chair;
    $('agenda-list').replaceChildren(...items.map((i) => {
      const times = i.startedAt ? t('agenda.times',
        { start: hhmm(i.startedAt), end: i.endedAt ? hhmm(i.endedAt) : '' }) : '';
      const li = h('li', { class: i.id === ag.current ? 'current' : '', dataset: { item: String(i.id) } },
        h('span', { class: 'agenda-title' }, `${i.position}. ${i.title}`),
        i.speaker ? h('span', { class: 'note' }, t('agenda.rapporteur', { name: i.speaker })) : null,
        i.id === ag.current ? h('span', { class: 'pill' }, t('agenda.current')) : null,
        times ? h('span', { class: 'note' }, times) : null);
      if (chair && i.id !== ag.current) {
        li.append(h('button', {
          type: 'button', class: 'small', 'aria-label': t('agenda.open_aria', { n: i.position, title: i.title }),
          onclick: () => this._do((c) => c.agendaGo(i.id)),
        }, t('agenda.open')));
      }
      return li;
    }));
  }

  _speakers() {
    const st = this.state;
    const sp = st.speakers;
    const box = $('speakers');
    // Shown while someone asks or speaks (like the raised hands it
    // replaces): the people and their buttons stay in view below it.
    box.hidden = !sp || st.kind !== 'meeting' || (sp.list.length === 0 && !sp.speaking);
    if (box.hidden) return;
    const chair = st.moderator;
    $('speakers-now').hidden = !sp.speaking;
    $('speakers-now-text').textContent = sp.speaking ? t('agenda.speaking', { name: st.name(sp.speaking) }) : '';
    $('speakers-empty').hidden = sp.list.length > 0;
    $('speakers-list').replaceChildren(...sp.list.map((id, i) => {
      const name = st.name(id);
      const away = (sp.away || []).includes(id);
      const li = h('li', { dataset: { speaker: id }, class: away ? 'away' : '' },
        h('span', { class: 'name' }, `${i + 1}. ${name}${id === st.me ? ` (${t('you')})` : ''}`
          + (away ? ` (${t('agenda.away')})` : '')));
      if (chair) {
        const b = (key, fn, cls = 'small') => li.append(h('button', {
          type: 'button', class: cls, 'aria-label': t(`${key}_aria`, { name }),
          onclick: () => this._do(fn),
        }, t(key)));
        b('agenda.give', (c) => c.speakersGive(id), 'small primary');
        if (i > 0) b('agenda.move_up', (c) => c.speakersMove(id, i));
        b('agenda.skip', (c) => c.speakersSkip(id));
      }
      return li;
    }));
    $('speakers-tools').hidden = !chair;
    $('speakers-end').hidden = !sp.speaking || !(chair || sp.speaking === st.me);
    const sel = $('speakers-limit');
    if (sel.options.length !== LIMITS.length) {
      sel.replaceChildren(...LIMITS.map((s) => new Option(
        s ? t('agenda.minutes', { n: s / 60 }) : t('agenda.limit_none'), String(s))));
    }
    for (const o of sel.options) {
      o.textContent = Number(o.value) ? t('agenda.minutes', { n: Number(o.value) / 60 })
        : t('agenda.limit_none');
    }
    if (document.activeElement !== sel) sel.value = String(sp.limit || 0);
  }

  // The time left of the speech: to the speaker and the chair.
  _countdown() {
    const st = this.state;
    const sp = st.speakers;
    const show = !!(sp && sp.speaking && sp.deadline && (st.moderator || sp.speaking === st.me));
    const el = $('speech-timer');
    if (!show) {
      el.hidden = true;
      clearInterval(this.timer);
      this.timer = null;
      return;
    }
    const tick = () => {
      const left = sp.deadline - Date.now();
      el.hidden = false;
      el.classList.toggle('over', left <= 0);
      el.classList.toggle('low', left > 0 && left <= 30000);
      el.textContent = left > 0 ? t('agenda.time_left', { time: clock(left) }) : t('agenda.time_up');
    };
    tick();
    clearInterval(this.timer);
    this.timer = setInterval(() => {
      if (this.state.speakers !== sp) return;   // a newer list draws its own
      tick();
    }, 500);
  }
}
