// ui/events.js - "my events": the events the signed-in person may join
// (GET /api/events), each with its title, kind, time and the person's role,
// a Join button, and the attendance report (CSV, printable) for those who
// may export it.  Times are shown in the browser's time zone.  A cancelled
// event says so and cannot be joined; a rescheduled one shows its new time.

import * as api from '../api.js';
import { getLang, t } from '../i18n.js';
import { $, h } from './dom.js';

// Intl.DateTimeFormat is slow to make: one per language and form (a list
// of 500 people formats 500 times a redraw).
const formats = new Map();

/** A server time (ISO 8601) as local date and time; '' for none. */
export function formatTime(iso, withDate = true) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const key = `${getLang()} ${withDate}`;
  if (!formats.has(key)) {
    const opts = withDate
      ? { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' }
      : { hour: '2-digit', minute: '2-digit' };
    formats.set(key, new Intl.DateTimeFormat(getLang(), opts));
  }
  return formats.get(key).format(d);
}

export class EventsView {
  /** onJoin(event) when a Join button is pressed; onMinutes(event) for the
   * minutes of a meeting (chair, secretary, administrators: ui/minutes.js);
   * onAgenda(event) for the agenda of a meeting its organizers prepare. */
  constructor({ onJoin, onMinutes = null, onAgenda = null }) {
    this.onJoin = onJoin;
    this.onMinutes = onMinutes;
    this.onAgenda = onAgenda;
    this.list = [];
  }

  set(list) {
    this.list = list || [];
    this.render();
  }

  find(id) {
    return this.list.find((e) => e.id === id) || null;
  }

  render() {
    const ul = $('events-list');
    ul.replaceChildren();
    $('events-empty').hidden = this.list.length > 0;
    for (const ev of this.list) {
      const role = t(`access.${ev.role}`);
      const meta = [
        ev.cancelled ? h('span', { class: 'pill cancelled', role: 'status' },
          t('admin.edit.cancelled_pill')) : null,
        h('span', { class: `pill kind-${ev.kind}` }, t(`events.kind.${ev.kind}`)),
        h('span', { class: 'when' }, t('events.when',
          { start: formatTime(ev.startsAt), end: formatTime(ev.endsAt) })),
        h('span', { class: 'pill' }, t('events.role', { role })),
      ];
      if (ev.kind === 'meeting' && ['chair', 'secretary', 'member'].includes(ev.role)) {
        meta.push(h('span', { class: 'pill' }, t(ev.voting ? 'events.voting' : 'events.nonvoting')));
      }
      // The attendance report, for those who may export it: during the
      // event and after joining has closed.
      const report = ev.mayExportAttendance ? h('div', { class: 'event-report tools' },
        h('a', {
          class: 'button small event-csv', href: api.attendanceCsvUrl(ev.id, getLang()),
          download: `attendance-${ev.id}.csv`,
          // the visible text first, so that speech input finds it (WCAG 2.5.3)
          'aria-label': `${t('att.csv')}. ${t('events.csv_aria', { title: ev.title })}`,
        }, t('att.csv')),
        h('a', {
          class: 'button small event-print', href: api.attendanceHtmlUrl(ev.id, getLang()),
          target: '_blank', rel: 'noopener', 'aria-label': `${t('att.print')}. ${t('events.print_aria', { title: ev.title })}`,
        }, t('att.print')),
        ev.minutes && this.onMinutes ? h('button', {
          type: 'button', class: 'small event-minutes',
          'aria-label': `${t('vote.minutes')}. ${t('minutes.open_aria', { title: ev.title })}`,
          onclick: () => this.onMinutes(ev),
        }, t('vote.minutes')) : null) : null;
      const agenda = ev.mayManage && ev.kind === 'meeting' && this.onAgenda ? h('button', {
        type: 'button', class: 'small event-agenda', dataset: { event: String(ev.id) },
        // The name starts with the visible text (WCAG 2.5.3, label in name).
        'aria-label': `${t('agenda.prepare')}. ${t('agenda.prepare_aria', { title: ev.title })}`,
        onclick: () => this.onAgenda(ev),
      }, t('agenda.prepare')) : null;
      ul.append(h('li', { class: `event${ev.cancelled ? ' cancelled' : ''}`, dataset: { event: String(ev.id) } },
        h('div', { class: 'event-main' },
          h('h3', { class: 'event-title' }, ev.title),
          h('div', { class: 'event-meta' }, meta.filter(Boolean)), report, agenda),
        h('button', {
          type: 'button', class: 'event-join', dataset: { event: String(ev.id) },
          disabled: !!ev.cancelled,
          'aria-label': t('events.join_aria', { title: ev.title }),
          onclick: () => this.onJoin(ev),
        }, t('events.join'))));
    }
  }
}
