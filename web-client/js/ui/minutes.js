// ui/minutes.js - the minutes of a meeting, opened from "My events" by the
// chair and the secretary (and administrators) after the meeting: the
// votes with their results, the agenda items with a decision text per item
// that the secretary writes, "Finalize" (after which nothing changes), the
// SHA-256 digest, and links to the printable протокол and the votes as
// CSV/JSON.  Everything comes from GET /api/events/ID/minutes.

import * as api from '../api.js';
import { errorText, getLang, t } from '../i18n.js';
import { $, h } from './dom.js';
import { optionText, resultText } from './vote.js';
import { formatTime } from './events.js';

export class MinutesView {
  /** onBack() returns to "my events"; announce(text) for screen readers. */
  constructor({ onBack, announce }) {
    this.onBack = onBack;
    this.announce = announce;
    this.event = null;
    this.data = null;
  }

  async open(ev) {
    this.event = ev;
    this.data = null;
    this.error = null;
    this.render();
    try {
      this.data = await api.minutes(ev.id);
    } catch (err) {
      this.error = errorText(err.code, err.reason);
    }
    this.render();
  }

  async save(item, textarea, status) {
    try {
      await api.minutesDecision(this.event.id, item.id, textarea.value.trim() || null);
      status.textContent = t('minutes.saved');
      this.announce(t('minutes.saved'));
    } catch (err) {
      status.textContent = errorText(err.code, err.reason);
    }
  }

  async finalize() {
    if (!window.confirm(t('minutes.finalize_confirm'))) return;
    try {
      await api.minutesFinalize(this.event.id);
    } catch (err) {
      this.error = errorText(err.code, err.reason);
    }
    await this.open(this.event);
    if (this.data && this.data.finalized) {
      this.announce(t('minutes.finalized', { digest: this.data.digest }));
    }
  }

  render() {
    const root = $('minutes-body');
    if (!root || !this.event) return;
    $('minutes-title').textContent = t('minutes.event', { title: this.event.title });
    const parts = [h('p', { class: 'links' }, h('a', {
      href: '#', id: 'minutes-back', onclick: (e) => { e.preventDefault(); this.onBack(); },
    }, t('minutes.back')))];
    if (this.error) parts.push(h('p', { class: 'form-error', role: 'alert' }, this.error));
    const d = this.data;
    if (d) {
      const id = this.event.id;
      parts.push(h('div', { class: 'tools' },
        h('a', { class: 'button small', id: 'minutes-print', href: api.minutesHtmlUrl(id, getLang()),
          target: '_blank', rel: 'noopener' }, t('minutes.print')),
        h('a', { class: 'button small', href: api.votesCsvUrl(id), download: `votes-${id}.csv` },
          t('minutes.csv')),
        h('a', { class: 'button small', href: api.votesJsonUrl(id), target: '_blank',
          rel: 'noopener' }, t('minutes.json'))));
      parts.push(h('p', { class: `minutes-digest ${d.finalized ? 'final' : 'draft'}`, id: 'minutes-digest',
        role: 'status' }, t(d.finalized ? 'minutes.finalized' : 'minutes.draft', { digest: d.digest })));
      parts.push(this.votes(d), this.agenda(d));
      if (d.mayEdit) {
        parts.push(h('button', { type: 'button', id: 'minutes-finalize', class: 'primary',
          onclick: () => this.finalize() }, t('minutes.finalize')));
      }
    }
    root.replaceChildren(...parts);
  }

  votes(d) {
    const sec = h('section', { 'aria-labelledby': 'minutes-votes-title' },
      h('h3', { id: 'minutes-votes-title' }, t('minutes.votes')));
    if (!d.votes.length) sec.append(h('p', { class: 'note' }, t('minutes.no_votes')));
    for (const v of d.votes) {
      const counts = v.options.map((_, i) => `${optionText(v, i)}: ${v.counts[i]}`).join(', ');
      sec.append(h('article', { class: 'minutes-vote', dataset: { vote: String(v.id) } },
        h('h4', {}, v.question),
        h('p', {}, `${t(`vote.kind.${v.kind}`)} · ${t(`vote.rule.${v.rule}`)} · ${formatTime(new Date(v.openedAt).toISOString())}`),
        h('p', {}, counts),
        h('p', { class: 'vote-outcome' }, v.state === 'closed' ? resultText(v) : t('vote.state.open')),
        v.ballots ? h('ul', {}, v.ballots.map((b) => h('li', {},
          `${b.name}: ${b.option == null ? '—' : optionText(v, b.option)}`))) : null));
    }
    return sec;
  }

  agenda(d) {
    const sec = h('section', { 'aria-labelledby': 'minutes-agenda-title' },
      h('h3', { id: 'minutes-agenda-title' }, t('minutes.agenda')));
    if (!d.agenda.length) sec.append(h('p', { class: 'note' }, t('minutes.no_agenda')));
    d.agenda.forEach((item, n) => {
      const fid = `decision-${item.id}`;
      const area = h('textarea', { id: fid, rows: '3', maxlength: '10000', readOnly: !d.mayEdit },
        item.decision || '');
      const status = h('span', { class: 'note', role: 'status' });
      sec.append(h('div', { class: 'minutes-item', dataset: { item: String(item.id) } },
        h('label', { for: fid }, t('minutes.decision', { n: n + 1, title: item.title })), area,
        d.mayEdit ? h('button', { type: 'button', class: 'small minutes-save',
          onclick: () => this.save(item, area, status) }, t('minutes.save')) : null, status));
    });
    return sec;
  }
}
