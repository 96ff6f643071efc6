// ui/agenda_edit.js - preparing a meeting's agenda before it starts, from
// "My events" (the chair, the secretary, administrators): a dialog with
// the items in order (up, down, remove an item not yet opened) and a form
// to add one, over the API (docs/api.md, "Agenda").  In the meeting the
// chair adds and moves through items in the agenda strip (ui/agenda.js).

import * as api from '../api.js';
import { errorText, t } from '../i18n.js';
import { $, h } from './dom.js';

export class AgendaEditor {
  constructor() {
    this.event = null;      // {id, title}
    this.items = [];
    $('agenda-dialog-close').addEventListener('click', () => $('agenda-dialog').close());
    $('agenda-dialog-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const title = $('agenda-dialog-title-input').value.trim();
      const speaker = $('agenda-dialog-speaker').value.trim();
      if (!title) return;
      this._call(() => api.agendaAdd(this.event.id, title, speaker || null), () => {
        $('agenda-dialog-title-input').value = '';
        $('agenda-dialog-speaker').value = '';
        $('agenda-dialog-title-input').focus();
      });
    });
  }

  async open(ev) {
    this.event = ev;
    this.items = [];
    this.render();
    if (!$('agenda-dialog').open) $('agenda-dialog').showModal();
    await this._call(() => api.agenda(ev.id));
    $('agenda-dialog-title-input').focus();
  }

  // Run an API call that answers with the agenda; show it or the error.
  async _call(fn, after = null) {
    const err = $('agenda-dialog-error');
    try {
      const r = await fn();
      this.items = r.items || [];
      err.hidden = true;
      if (after) after();
    } catch (e) {
      err.textContent = errorText(e.code, e.reason);
      err.hidden = false;
    }
    this.render();
  }

  render() {
    if (!this.event) return;
    $('agenda-dialog-title').textContent = t('agenda.prepare_title', { title: this.event.title });
    $('agenda-dialog-empty').hidden = this.items.length > 0;
    const id = this.event.id;
    const n = this.items.length;
    $('agenda-dialog-list').replaceChildren(...this.items.map((i) => {
      const b = (key, fn, off = false) => h('button', {
        type: 'button', class: 'small', disabled: off,
        'aria-label': t(`${key}_aria`, { title: i.title }), onclick: () => this._call(fn),
      }, t(key));
      return h('li', { dataset: { item: String(i.id) } },
        h('span', { class: 'agenda-title' }, `${i.position}. ${i.title}`),
        i.speaker ? h('span', { class: 'note' }, t('agenda.rapporteur', { name: i.speaker })) : null,
        h('span', { class: 'tools' },
          b('agenda.up', () => api.agendaMove(id, i.id, i.position - 1), i.position === 1),
          b('agenda.down', () => api.agendaMove(id, i.id, i.position + 1), i.position === n),
          i.startedAt ? null : b('agenda.remove', () => api.agendaRemove(id, i.id))));
    }));
  }
}
