// ui/vote.js - the vote panel of a meeting's room: the chair opens a vote
// (question, options, kind, majority rule) and closes it; entitled members
// vote and may change their vote until the close; everyone sees the open
// vote, how many have voted, and the result at the close (with names for a
// named vote).  The panel is a region over the media area with its own
// heading; announcements go to the page's aria-live region.
//
// State comes only from the server's `vote` messages (protocol.js emits
// them): a reconnect or a late join gets the current vote and this
// person's own ballot again; while the vote is open the count of ballots
// comes in `vote-progress` messages (protocol v2: `vote` carries no list
// of voters, a closed named vote carries its roll-call).  The form's
// agenda item is a choice of the event's items (from the room's agenda,
// agenda() below) and defaults to the current one, so a vote is tied to
// the item under discussion (the minutes list it there) unless the chair
// picks another or none.  Does not: decide
// who may vote (the server's snapshot does) or keep anything after leaving
// the room.

import { t } from '../i18n.js';
import { $, h } from './dom.js';

const RULES = ['half-of-cast', 'half-of-present', 'half-of-members', 'two-thirds-of-cast',
  'two-thirds-of-present', 'two-thirds-of-members'];
const CHAIRS = ['chair', 'org_admin', 'platform_admin'];

/** The text of option i of vote v in the page's language. */
export function optionText(v, i) {
  if (v.defaultOptions) return t(`vote.option.${v.options[i]}`);
  return v.options[i] ?? '?';
}

/** The result of a closed vote as a sentence. */
export function resultText(v) {
  if (v.result === 'chosen') return t('vote.result.chosen', { option: optionText(v, v.winner) });
  return t(`vote.result.${v.result}`);
}

export class VotePanel {
  /** conn(): the connection; announce(text) from app.js; showError(err) for
   * failures the connection's 'error' event does not already show;
   * agenda(): the room's agenda ({items, current} or null). */
  constructor({ conn, announce, showError, agenda = () => null }) {
    this.conn = conn;
    this.agenda = agenda;
    this.announce = announce;
    this.showError = showError;
    this.clear();
  }

  clear() {
    this.event = null;
    this.chair = false;
    this.msg = null;        // the last `vote` message
    this.formOpen = false;
    this.pickedItem = null;  // the form's item the chair chose by hand ('' = none)
    this.waiting = null;     // chair, secretary: {vote, list} who has not voted yet
    this.render();
  }

  /** Entering an event's room (joined: the `joined` reply). */
  start(joined) {
    this.clear();
    if (!joined.event || joined.kind === 'training') return;
    this.event = joined.event;
    this.chair = CHAIRS.includes(joined.access);
    this.render();
  }

  set(msg) {
    if (!this.event || msg.vote.event !== this.event) return;
    const before = this.msg && this.msg.vote;
    this.msg = msg;
    const v = msg.vote;
    if (v.state === 'open' && (!before || before.id !== v.id)) {
      this.announce(t('vote.opened_announce', { question: v.question }));
    } else if (v.state === 'closed' && before && before.id === v.id && before.state === 'open') {
      this.announce(t('vote.result_announce', { result: resultText(v) }));
    }
    this.render();
  }

  /** A `vote-progress` message: the new count of the open vote; only the
   * status line changes (the buttons keep the keyboard focus). */
  progress(msg) {
    const v = this.msg && this.msg.vote;
    if (!v || v.id !== msg.vote || v.state !== 'open') return;
    if (Array.isArray(msg.waiting)) {  // only those who run the vote get it
      this.waiting = { vote: msg.vote, list: msg.waiting };
      const old = document.querySelector('#vote-panel .vote-waiting');
      if (old) old.replaceWith(this.waitingList(old.open));
    }
    if (msg.voted === v.voted && msg.entitled === v.entitled) {
      if (this.waiting && !document.querySelector('#vote-panel .vote-waiting')) this.render();
      return;
    }
    this.msg = { ...this.msg, vote: { ...v, voted: msg.voted, entitled: msg.entitled } };
    const line = document.querySelector('#vote-panel .vote-state');
    if (line) line.textContent = this.stateText(this.msg.vote);
    else this.render();
  }

  stateText(v) {
    return `${t(`vote.state.${v.state}`)}. ${t('vote.progress', v)}`;
  }

  async open(form) {
    const fields = { question: form.question.value.trim(), kind: form.kind.value };
    if (form.rule.value) fields.rule = form.rule.value;
    const options = form.options.value.split('\n').map((s) => s.trim()).filter(Boolean);
    if (options.length) fields.options = options;
    const item = parseInt(form.item.value, 10);
    if (item > 0) fields.agendaItem = item;
    try {
      await this.conn().openVote(fields);
      this.formOpen = false;
      this.pickedItem = null;
      form.reset();
      this.render();
    } catch (err) { if (!err.code) this.showError(err); }
  }

  async cast(option) {
    try {
      await this.conn().castVote(this.msg.vote.id, option);
      this.announce(t('vote.recorded', { choice: optionText(this.msg.vote, option) }));
    } catch (err) { if (!err.code) this.showError(err); }
  }

  async close() {
    try { await this.conn().closeVote(this.msg.vote.id); } catch (err) { if (!err.code) this.showError(err); }
  }

  render() {
    const box = $('vote-panel');
    if (!box) return;
    const v = this.msg && this.msg.vote;
    box.hidden = !this.event || (!v && !this.chair);
    if (box.hidden) return;
    const parts = [h('h2', { id: 'vote-title' }, t('vote.title'))];
    if (v) parts.push(this.current(v));
    if (this.chair && (!v || v.state === 'closed')) parts.push(this.openForm());
    box.replaceChildren(...parts);
  }

  current(v) {
    const you = this.msg.you || {};
    const open = v.state === 'open';
    const out = h('div', { class: `vote-current ${v.state}`, dataset: { vote: String(v.id) } },
      h('p', { class: 'vote-question' }, v.question),
      h('p', { class: 'vote-meta' }, `${t(`vote.kind.${v.kind}`)} · ${t(`vote.rule.${v.rule}`)}`),
      h('p', { class: 'vote-state', role: 'status' }, this.stateText(v)));
    if (v.noQuorum) out.append(h('p', { class: 'vote-warning' }, t('vote.no_quorum')));
    if (v.kind === 'secret' && open) out.append(h('p', { class: 'note' }, t('vote.secret_note')));
    if (open && you.entitled) {
      const group = h('div', { class: 'vote-options', role: 'group', 'aria-labelledby': 'vote-title' });
      v.options.forEach((_, i) => group.append(h('button', {
        type: 'button', class: `vote-option${you.choice === i ? ' chosen' : ''}`,
        'aria-pressed': String(you.choice === i), dataset: { option: String(i) },
        onclick: () => this.cast(i),
      }, optionText(v, i))));
      out.append(group);
      if (you.voted) {
        out.append(h('p', { class: 'vote-mine' }, you.choice == null ? t('vote.your_sealed')
          : t('vote.your_choice', { choice: optionText(v, you.choice) })));
      }
    } else if (open) {
      out.append(h('p', { class: 'note' }, t('vote.not_entitled')));
    }
    if (open && this.waiting && this.waiting.vote === v.id) out.append(this.waitingList(false));
    if (open && this.chair) {
      out.append(h('button', { type: 'button', class: 'vote-close danger', onclick: () => this.close() },
        t('vote.close')));
    }
    if (!open) out.append(this.result(v));
    return out;
  }

  /** Who has not voted yet (the chair's and secretary's `vote-progress`),
   * folded unless open was. */
  waitingList(open) {
    const list = this.waiting.list;
    return h('details', { class: 'fold vote-waiting', open },
      h('summary', {}, t('vote.waiting', { n: list.length })),
      list.length ? h('ul', {}, list.map((p) => h('li', { dataset: { person: String(p.person) } }, p.name)))
        : h('p', { class: 'note' }, t('vote.waiting_none')));
  }

  result(v) {
    const rows = v.options.map((_, i) => h('tr', {},
      h('th', { scope: 'row' }, optionText(v, i)), h('td', {}, String(v.counts[i]))));
    const res = h('div', { class: 'vote-result' },
      h('table', { class: 'vote-counts' }, h('tbody', {}, rows)),
      h('p', { class: `vote-outcome ${v.adopted ? 'adopted' : 'rejected'}` },
        `${resultText(v)} (${t('vote.needed', v)})`));
    if (v.kind === 'named' && Array.isArray(v.voters)) {
      res.append(h('details', { class: 'fold', open: true }, h('summary', {}, t('vote.ballots')),
        h('ul', { class: 'vote-ballots' }, v.voters.map((p) => h('li', {},
          `${p.name}: ${p.option == null ? '—' : optionText(v, p.option)}`)))));
    }
    return res;
  }

  /** The agenda changed (app.js): the form's choice of items follows; the
   * current item is chosen unless the chair picked one by hand. */
  agendaChanged() {
    const sel = document.getElementById('vote-item');
    if (sel && this.event) this.fillItems(sel);
  }

  fillItems(sel) {
    const ag = this.agenda() || { items: [], current: null };
    const keep = this.pickedItem;
    sel.replaceChildren(h('option', { value: '' }, t('vote.item_none')),
      ...(ag.items || []).map((i) => h('option', { value: String(i.id) },
        `${i.position}. ${i.title}`)));
    const want = keep ?? (ag.current != null ? String(ag.current) : '');
    sel.value = [...sel.options].some((o) => o.value === want) ? want : '';
  }

  openForm() {
    const form = h('form', { class: 'vote-form', onsubmit: (e) => { e.preventDefault(); this.open(form); } },
      h('label', { for: 'vote-question' }, t('vote.question')),
      h('input', { id: 'vote-question', name: 'question', required: true, maxlength: '1000' }),
      h('label', { for: 'vote-kind' }, t('vote.kind')),
      h('select', { id: 'vote-kind', name: 'kind' },
        ['open', 'named', 'secret'].map((k) => h('option', { value: k }, t(`vote.kind.${k}`)))),
      h('label', { for: 'vote-rule' }, t('vote.rule')),
      h('select', { id: 'vote-rule', name: 'rule' }, h('option', { value: '' }, t('vote.rule.default')),
        RULES.map((r) => h('option', { value: r }, t(`vote.rule.${r}`)))),
      h('label', { for: 'vote-options' }, t('vote.options')),
      h('textarea', { id: 'vote-options', name: 'options', rows: '3' }),
      h('label', { for: 'vote-item' }, t('vote.item')),
      h('select', { id: 'vote-item', name: 'item',
        onchange: (e) => { this.pickedItem = e.target.value; } }),
      h('button', { type: 'submit', class: 'primary', id: 'vote-open' }, t('vote.open')));
    this.fillItems(form.item);
    return h('details', { class: 'fold vote-new', open: this.formOpen || !this.msg,
      ontoggle: (e) => { this.formOpen = e.target.open; } },
    h('summary', {}, t('vote.open_title')), form);
  }
}
