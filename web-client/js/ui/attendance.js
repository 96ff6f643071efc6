// ui/attendance.js - the attendance panel of an event's room, for its
// moderators (chair, secretary, trainer, administrators): counts first,
// the live quorum of a meeting, then who is present (or, on request, the
// whole roster) in a virtualized, searchable list (ui/vlist.js), the
// exports (CSV download, printable page) and, for organizers, "invite a
// guest".
//
// The server sends one `attendance` snapshot and then `attendance-delta`
// messages, at most four a second (protocol v2; roll.js applies them);
// the roster is read over HTTP in pages only when "everyone" is chosen.
// When each person joined: for rosters up to SINCE_MAX the first join the
// server recorded (GET /api/events/ID/attendance, read once), else the
// moment this page first saw them present.

import * as api from '../api.js';
import { getLang, t } from '../i18n.js';
import { Roll } from '../roll.js';
import { $, copyText, h } from './dom.js';
import { formError } from './signin.js';
import { formatTime } from './events.js';
import { VirtualList } from './vlist.js';

const SINCE_MAX = 2000;   // larger rosters: no full report on entering

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
    this.vlist = new VirtualList($('att-viewport'), $('att-spacer'), $('attendance-list'),
      (p) => this.row(p));
    let searchTimer = null;
    $('att-search').addEventListener('input', () => {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(() => this.renderList(), 120);
    });
    $('att-view').addEventListener('change', () => this.changeView());
    $('roll-details').addEventListener('toggle', () => this.renderList());
  }

  clear() {
    this.event = null;
    this.mayExport = false;
    this.mayManage = false;
    this.roll = null;             // roll.js, from the snapshot on
    this.quorum = null;           // the last `quorum` (or a delta's)
    this.since = new Map();       // person id -> ms of their first join
    this.sinceAsked = false;
    this.loading = null;          // {loaded, total} while the roster loads
    this.listKey = null;          // what the list was last drawn from
    this.pending = false;         // a redraw is due on the next frame
    // For tests and curious people: how long drawing takes (ms).
    this.stats = { renders: 0, maxRenderMs: 0, snapshotToPanelMs: null, rows: 0 };
    this.snapshotAt = null;
  }

  /** Entering an event's room (event: id; perms from GET /api/events). */
  start(event, { mayExport = false, mayManage = false } = {}) {
    this.clear();
    this.event = event;
    this.mayExport = mayExport;
    this.mayManage = mayManage;
    $('guest-link').hidden = $('guest-copy').hidden = true;
    $('att-view').value = 'present';
    $('att-search').value = '';
    formError($('guest-error'), null);
    this.render();
  }

  /** The report's first joins, once, for a roster small enough. */
  askSince(total) {
    if (this.sinceAsked || !this.mayExport || total > SINCE_MAX) return;
    this.sinceAsked = true;
    const event = this.event;
    api.attendance(event).then((r) => {
      if (this.event !== event) return;
      for (const p of r.people || []) {
        const ms = p.firstJoin ? Date.parse(p.firstJoin) : NaN;
        if (!Number.isNaN(ms)) this.since.set(p.person, ms);
      }
      this.schedule();
    }).catch(() => { /* the live messages still tell who is here */ });
  }

  /** `attendance` or `attendance-delta` (protocol v2). */
  setAttendance(msg) {
    if (!this.event || msg.event !== this.event) return;
    if (msg.type === 'attendance') {
      this.roll = new Roll(this.event);
      this.snapshotAt = performance.now();
    }
    if (!this.roll || !this.roll.apply(msg)) return;
    const now = Date.now();
    for (const p of msg.type === 'attendance' ? msg.people : msg.joined) {
      if (!this.since.has(p.person)) this.since.set(p.person, now);
    }
    if (msg.quorum) this.quorum = { ...msg.quorum };
    this.askSince(msg.total);
    this.schedule();
  }

  setQuorum(msg) {
    if (!this.event || msg.event !== this.event) return;
    this.quorum = msg;
    this.schedule();
  }

  /** Redraw once per animation frame, however many messages came. */
  schedule() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.render();
    });
  }

  get visible() {
    return !!this.event && (this.mayExport || !!this.roll);
  }

  status(p) {
    const since = this.since.get(p.person);
    if (p.present) return since ? t('att.present_since', { time: formatTime(since, false) }) : '';
    return since ? t('att.left', { time: formatTime(since, false) }) : t('att.absent');
  }

  row(p) {
    const status = this.status(p);
    const tags = [h('span', { class: 'role' }, t(`access.${p.role}`))];
    if (p.voting) tags.push(h('span', { class: 'voting' }, t('att.voting')));
    if (!p.onRoster) tags.push(h('span', { class: 'guest' }, t('att.not_listed')));
    return h('li', {
      class: p.present ? 'present' : 'absent', dataset: { person: String(p.person) },
      'aria-label': t('att.status_aria', { name: p.name, status: status || t('att.absent') }),
    },
    h('span', { class: 'dot', 'aria-hidden': 'true' }),
    h('span', { class: 'who' }, h('span', { class: 'name' }, p.name), h('small', {}, tags)),
    h('span', { class: 'status' }, status));
  }

  async changeView() {
    const view = $('att-view').value;
    const roll = this.roll;
    if (view === 'all' && roll && !roll.roster && !this.loading) {
      this.loading = { loaded: 0, total: roll.counts ? roll.counts.total : 0 };
      this.renderList();
      try {
        await roll.loadRoster((offset, limit) => api.roll(this.event, offset, limit),
          (loaded, total) => { this.loading = { loaded, total }; this.renderList(); });
      } catch { /* stays on the present list */ }
      this.loading = null;
    }
    this.renderList();
  }

  renderList() {
    const t0 = performance.now();
    const roll = this.roll;
    const view = $('att-view').value;
    // Nothing changed since the last draw (the page redraws for many reasons):
    // nothing to do.
    const key = `${roll ? roll.version : -1} ${view} ${$('att-search').value} ${!!this.loading}`
      + ` ${this.loading ? this.loading.loaded : ''} ${this.since.size} ${getLang()}`;
    if (key === this.listKey) return;
    this.listKey = key;
    const rows = roll ? roll.rows(view, $('att-search').value) : [];
    $('att-status').textContent = this.loading
      ? t('bigroom.loading', this.loading)
      : (roll && rows.length === 0 && $('att-search').value ? t('bigroom.none') : '');
    $('att-viewport').setAttribute('aria-label', t('bigroom.list_aria', { n: rows.length }));
    this.vlist.setRows(rows);
    this.stats.rows = rows.length;
    this.note(t0);
  }

  note(t0) {
    const ms = performance.now() - t0;
    this.stats.renders++;
    if (ms > this.stats.maxRenderMs) this.stats.maxRenderMs = ms;
  }

  render() {
    const t0 = performance.now();
    const panel = $('attendance');
    panel.hidden = !this.visible;
    if (panel.hidden) return;
    const c = this.roll && this.roll.counts;
    $('attendance-count').textContent = c ? `${c.present}/${c.total}` : '';
    $('att-counts').textContent = c ? t('bigroom.counts', c) : '';
    $('att-counts').setAttribute('aria-label', c ? t('bigroom.counts_aria', c) : '');
    const q = this.quorum;
    $('quorum').hidden = !q;
    if (q) {
      $('quorum').textContent = t(q.reached ? 'quorum.reached' : 'quorum.not',
        { present: q.present, voting: q.voting, needed: q.needed });
      $('quorum').className = `quorum ${q.reached ? 'reached' : 'not-reached'}`;
    }
    this.renderList();
    const tools = $('att-csv').parentElement;
    tools.hidden = !this.mayExport;
    $('att-csv').href = api.attendanceCsvUrl(this.event, getLang());
    $('att-csv').setAttribute('download', `attendance-${this.event}.csv`);
    $('att-print').href = api.attendanceHtmlUrl(this.event, getLang());
    $('guest-details').hidden = !this.mayManage;
    this.note(t0);
    if (this.snapshotAt !== null && c) {
      this.stats.snapshotToPanelMs = performance.now() - this.snapshotAt;
      this.snapshotAt = null;
    }
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
