// ui/people.js - the participants panel: everyone with their role, mute,
// hand, floor and connection quality; the queue of raised hands; and, for
// the chair or trainer, the moderation buttons (mute, mute all, give/take
// the floor, lower a hand, remove, lock) and the invitation links.
// Buttons only send requests: the list changes when the server says so.

import { $, copyText, h, icon, qualityBars } from './dom.js';
import { showError } from './banners.js';
import { errorText, t } from '../i18n.js';
import { VirtualList } from './vlist.js';

// Above this many people the list draws only the rows in view (a lesson
// of 500 activists).
const VIRTUAL_AT = 60;

export class PeoplePanel {
  /** actions: {conn(): VecheConnection, inviteLink(moderator: bool): string} */
  constructor(state, actions) {
    this.state = state;
    this.actions = actions;
    this.list = $('people-list');
    this.hands = $('hands-list');
    // viewport > spacer > the list, made here so the page's markup stays
    const viewport = h('div', { class: 'people-viewport' });
    const spacer = h('div', { class: 'people-spacer' });
    this.list.replaceWith(viewport);
    viewport.append(spacer);
    spacer.append(this.list);
    this.vlist = new VirtualList(viewport, spacer, this.list, (p) => this._row(p),
      { threshold: VIRTUAL_AT });
    $('mute-all').addEventListener('click', () => this._do((c) => c.muteAll()));
    $('lock').addEventListener('click', () => this._do((c) => c.lock(!this.state.locked)));
    $('copy-invite').addEventListener('click', (e) => this._copy(e.currentTarget, false));
    $('copy-mod-invite').addEventListener('click', (e) => this._copy(e.currentTarget, true));
  }

  // Send a request; show the server's refusal, if any.
  async _do(fn) {
    const conn = this.actions.conn();
    if (!conn) return;
    try {
      await fn(conn);
    } catch (err) {
      // Server refusals are shown by the connection's 'error' event.
      if (!err.code) showError(errorText('client', err.message));
    }
  }

  async _copy(button, moderator) {
    const link = this.actions.inviteLink(moderator);
    const ok = await copyText(link);
    const field = $('invite-link');
    field.value = link;
    field.hidden = ok;        // could not copy: show it to copy by hand
    if (!ok) field.select();
    button.dataset.copied = ok ? 'yes' : '';
    button.querySelector('span').textContent = t(ok ? 'copied' : 'copy_failed');
    setTimeout(() => { delete button.dataset.copied; this.render(); }, 2500);
  }

  // The role as people call it: the event's (secretary, observer, ...) when
  // the server says it, else the room's.
  _roleLabel(p) {
    const role = p.title || p.role;
    return role ? t(`role.${role}`) : '';
  }

  // Who gets a label: everyone but plain members and activists; the star
  // only for who presides (the chair, the trainer).
  _roleTag(p) {
    const role = p.title || p.role;
    if (!role || role === 'member' || role === 'activist') return null;
    const presides = role === 'chair' || role === 'trainer';
    return h('span', { class: `role role-${role}` }, presides ? icon('star') : null,
      this._roleLabel(p));
  }

  // Moderator buttons for one person.
  _actions(p) {
    const st = this.state;
    if (!st.moderator || p.id === st.me) return null;
    const name = p.name;
    const out = h('div', { class: 'actions' });
    const button = (key, fn, cls = '') => out.append(h('button', {
      type: 'button', class: `small ${cls}`, 'aria-label': t(`${key}_aria`, { name }),
      onclick: () => this._do(fn),
    }, t(key)));
    const subject = p.role !== 'chair' && p.role !== 'trainer';
    if (!p.muted) button('mute', (c) => c.mute(p.id));
    if (st.kind === 'training' && subject) {
      if (p.floor) button('take_floor', (c) => c.takeFloor(p.id));
      else button('give_floor', (c) => c.giveFloor(p.id), 'primary');
    }
    if (p.hand) button('lower_hand', (c) => c.lowerHand(p.id));
    if (p.chatMuted) button('bigroom.unmute_chat', (c) => c.muteChat(p.id, false));
    else button('bigroom.mute_chat', (c) => c.muteChat(p.id, true));
    button('remove', (c) => {
      if (!window.confirm(t('confirm_remove', { name }))) return null;
      return c.remove(p.id);
    }, 'danger');
    return out;
  }

  _row(p) {
    const st = this.state;
    const icons = h('span', { class: 'icons' });
    if (p.muted) icons.append(h('span', { title: t('is_muted') }, icon('micOff', 'badge-muted')));
    if (p.hand) icons.append(h('span', { title: t('hand_raised') }, icon('hand', 'badge-hand')));
    if (p.floor) icons.append(h('span', { title: t('has_floor') }, icon('speak', 'badge-floor')));
    if (p.chatMuted) icons.append(h('span', { class: 'badge-chat-muted' }, t('bigroom.chat_muted')));
    const q = qualityBars(p.quality);
    q.title = t(`quality.${p.quality || 'unknown'}`);
    q.setAttribute('role', 'img');
    q.setAttribute('aria-label', q.title);
    const you = p.id === st.me ? ` (${t('you')})` : '';
    const role = this._roleTag(p);
    return h('li', { class: st.speaker === p.id ? 'person speaking' : 'person', dataset: { person: p.id } },
      h('div', { class: 'who' }, q, h('span', { class: 'name' }, p.name + you), role, icons),
      this._actions(p));
  }

  render() {
    const st = this.state;
    const people = st.list();
    // An activist of a training lists only some: the count is the room's.
    $('people-count').textContent = String(Math.max(people.length, st.present || 0));
    this.vlist.setRows(people);
    // The queue of raised hands, in order.
    $('hands').hidden = st.hands.length === 0;
    this.hands.replaceChildren(...st.hands.map((id, i) => {
      const item = h('li', { dataset: { hand: id } },
        h('span', { class: 'name' }, `${i + 1}. ${st.name(id)}`));
      if (st.moderator && st.kind === 'training') {
        item.append(h('button', { type: 'button', class: 'small primary',
          onclick: () => this._do((c) => c.giveFloor(id)) }, t('give_floor')));
      } else if (st.moderator) {
        item.append(h('button', { type: 'button', class: 'small',
          onclick: () => this._do((c) => c.lowerHand(id)) }, t('lower_hand')));
      }
      return item;
    }));
    // Moderator tools.
    $('mod-tools').hidden = !st.moderator;
    $('lock').querySelector('span').textContent = t(st.locked ? 'unlock_room' : 'lock_room');
    $('lock').setAttribute('aria-pressed', String(st.locked));
    $('locked-note').hidden = !st.locked;
    $('copy-mod-invite').hidden = !st.moderator;
    for (const id of ['copy-invite', 'copy-mod-invite']) {
      const b = $(id);
      if (!b.dataset.copied) {
        const key = id === 'copy-mod-invite' ? 'copy_mod_invite'
          : this.actions.eventRoom() ? 'copy_event_link' : 'copy_invite';
        b.querySelector('span').textContent = t(key);
      }
    }
  }
}
