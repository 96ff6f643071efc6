// ui/attendance.js - the attendance panel of an event's room, for its
// moderators (chair, secretary, trainer, administrators): the roster with
// who is present and since when, the live quorum of a meeting, the exports
// (CSV download, printable page) and, for organizers, "invite a guest".
//
// The server sends `attendance` and `quorum` to moderators on every change
// (protocol.js emits them).  When each person joined: the first join the
// server recorded (GET /api/events/ID/attendance, read once on entering),
// else the moment this page first saw them present.

import * as api from '../api.js';
import { getLang, t } from '../i18n.js';
import { $, copyText, h } from './dom.js';
import { formError } from './signin.js';
import { formatTime } from './events.js';

export class AttendancePanel {
  constructor() {
    this.clear();
    $('guest-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.invite();
    });
    $('guest-copy').addEventListener('click', async () => {
      const ok = await copyText($('guest-link').value);
      $('guest-copy').dataset.copied = ok ? 'yes' : 'no';
      $('guest-copy').textContent = t(ok ? 'copied' : 'copy_failed');
      if (!ok) $('guest-link').select();
    });
  }

  clear() {
    this.event = null;
    this.mayExport = false;
    this.mayManage = false;
    this.roster = null;           // the last `attendance` message
    this.quorum = null;           // the last `quorum` message
    this.since = new Map();       // person id -> ms of their first join
  }

  /** Entering an event's room (event: id; perms from GET /api/events). */
  start(event, { mayExport = false, mayManage = false } = {}) {
    this.clear();
    this.event = event;
    this.mayExport = mayExport;
    this.mayManage = mayManage;
    $('guest-link').hidden = $('guest-copy').hidden = true;
    formError($('guest-error'), null);
    if (mayExport) {
      api.attendance(event).then((r) => {
        if (this.event !== event) return;
        for (const p of r.people || []) {
          const ms = p.firstJoin ? Date.parse(p.firstJoin) : NaN;
          if (!Number.isNaN(ms)) this.since.set(p.person, ms);
        }
        this.render();
      }).catch(() => { /* the live messages still tell who is here */ });
    }
    this.render();
  }

  setAttendance(msg) {
    if (!this.event || msg.event !== this.event) return;
    this.roster = msg;
    const now = Date.now();
    for (const p of msg.roster || []) {
      if (p.present && !this.since.has(p.person)) this.since.set(p.person, now);
    }
    // The server sends `quorum` when the status flips (and to a moderator
    // coming in); between flips the count of voting members present
    // follows from the roll itself (`needed` stays the server's).
    if (this.quorum) {
      const present = (msg.roster || []).filter((p) => p.voting && p.onRoster && p.present).length;
      this.quorum = { ...this.quorum, present, reached: present >= this.quorum.needed };
    }
    this.render();
  }

  setQuorum(msg) {
    if (!this.event || msg.event !== this.event) return;
    this.quorum = msg;
    this.render();
  }

  get visible() {
    return !!this.event && (this.mayExport || !!this.roster);
  }

  status(p) {
    const since = this.since.get(p.person);
    if (p.present) return since ? t('att.present_since', { time: formatTime(since, false) }) : '';
    return since ? t('att.left', { time: formatTime(since, false) }) : t('att.absent');
  }

  render() {
    const panel = $('attendance');
    panel.hidden = !this.visible;
    if (panel.hidden) return;
    const r = this.roster;
    $('attendance-count').textContent = r ? `${r.present}/${r.total}` : '';
    const q = this.quorum;
    $('quorum').hidden = !q;
    if (q) {
      $('quorum').textContent = t(q.reached ? 'quorum.reached' : 'quorum.not',
        { present: q.present, voting: q.voting, needed: q.needed });
      $('quorum').className = `quorum ${q.reached ? 'reached' : 'not-reached'}`;
    }
    const list = $('attendance-list');
    list.replaceChildren();
    const people = r ? [...r.roster] : [];
    // Present first, then the roster's order.
    people.sort((a, b) => (b.present ? 1 : 0) - (a.present ? 1 : 0));
    for (const p of people) {
      const status = this.status(p);
      const tags = [h('span', { class: 'role' }, t(`access.${p.role}`))];
      if (p.voting) tags.push(h('span', { class: 'voting' }, t('att.voting')));
      if (!p.onRoster) tags.push(h('span', { class: 'guest' }, t('att.not_listed')));
      list.append(h('li', {
        class: p.present ? 'present' : 'absent', dataset: { person: String(p.person) },
        'aria-label': t('att.status_aria', { name: p.name, status: status || t('att.absent') }),
      },
      h('span', { class: 'dot', 'aria-hidden': 'true' }),
      h('span', { class: 'who' }, h('span', { class: 'name' }, p.name), h('small', {}, tags)),
      h('span', { class: 'status' }, status)));
    }
    const tools = $('att-csv').parentElement;
    tools.hidden = !this.mayExport;
    $('att-csv').href = api.attendanceCsvUrl(this.event, getLang());
    $('att-csv').setAttribute('download', `attendance-${this.event}.csv`);
    $('att-print').href = api.attendanceHtmlUrl(this.event, getLang());
    $('guest-details').hidden = !this.mayManage;
  }

  async invite() {
    const button = $('guest-submit');
    if (button.disabled || !this.event) return;
    formError($('guest-error'), null);
    button.disabled = true;
    try {
      const email = $('guest-email').value.trim();
      const name = $('guest-name').value.trim();
      const res = await api.invite(this.event, name ? { email, name } : { email });
      $('guest-link').value = res.link;
      $('guest-link').hidden = $('guest-copy').hidden = false;
      $('guest-copy').textContent = t('copy');
      delete $('guest-copy').dataset.copied;
      $('guest-link').select();
    } catch (err) {
      formError($('guest-error'), err);
    }
    button.disabled = false;
  }
}
