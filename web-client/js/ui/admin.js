// ui/admin.js - the administrators' pages (platform administrators, and
// organization administrators within their organizations): organizations,
// people and accounts (create with an initial password or a reset link to
// pass on, block and unblock, a new password link), bodies and courses
// (create, roster, CSV roster import with the server's line-numbered
// report), events (create, add a guest), and the audit log
// (ui/admin_audit.js).  Each row has an Edit button that opens the panel
// of ui/admin_edit.js (edit, delete, cancel, export, erase, appoint
// administrators).  One tab at a time; every tab reloads its lists from
// the server when opened or after a change.  The server checks every
// request; this page only offers.

import { admin as api, invite } from '../api.js';
import { errorText, t } from '../i18n.js';
import { $, copyText, h } from './dom.js';
import { formatTime } from './events.js';
import { auditData, drawAudit } from './admin_audit.js';
import { editButton, editData, editPanel } from './admin_edit.js';

const PEOPLE_PAGE = 25;

/** A roster problem in our language (server/store/roster_import.h's codes),
 *  or the server's English text for a code we do not know. */
export function issueText(i) {
  if (!i.code) return i.message;
  const [a = '', b = ''] = i.args || [];
  const params = { a, b };
  if (i.code.startsWith('role-')) params.expected = t(`roster.expect.${a}`);
  if (i.code.endsWith('-malformed')) params.why = t(`roster.csv.${a}`);
  const key = `roster.${i.code}`;
  return t(key) === key ? i.message : t(key, params);
}

const TABS = ['orgs', 'people', 'bodies', 'courses', 'events', 'audit'];
const LEVELS = ['central', 'regional', 'primary'];

// --- small builders ---

function field(labelKey, input, hintKey = null) {
  const id = input.id || `f-${Math.random().toString(36).slice(2)}`;
  input.id = id;
  return h('div', { class: 'field' },
    h('label', { for: id }, t(labelKey)), input,
    hintKey ? h('small', { class: 'hint' }, t(hintKey)) : null);
}

function table(headKeys, rows, cls = '') {
  if (!rows.length) return h('p', { class: 'note' }, t('admin.empty'));
  return h('div', { class: 'table-wrap' },
    h('table', { class: `admin-table ${cls}`.trim() },
      h('thead', {}, h('tr', {}, headKeys.map((k) => h('th', { scope: 'col' }, k ? t(k) : '')))),
      h('tbody', {}, rows)));
}

function errorLine(err) {
  return h('p', { class: 'form-error', role: 'alert' }, errorText(err.code, err.reason));
}

function okLine(text) {
  return h('p', { class: 'form-ok', role: 'status' }, text);
}

/** A read-only link with a Copy button. */
function linkBox(label, link, id) {
  const input = h('input', { class: 'invite-link', readonly: true, id, value: link });
  input.value = link;
  const copy = h('button', {
    type: 'button', class: 'small',
    onclick: async () => {
      const ok = await copyText(link);
      copy.textContent = t(ok ? 'copied' : 'copy_failed');
      if (!ok) input.select();
    },
  }, t('copy'));
  return h('div', { class: 'link-box' }, h('p', {}, label), input, copy);
}

function quorumText(q) {
  if (!q) return '';
  if (typeof q === 'string') return q;
  const op = { more_than: '>', at_least: '≥', '>=': '≥' }[q.op] || q.op || '';
  return `${op}${q.num}/${q.den}`;
}

function orgOptions(orgs, { none = null, selected = '' } = {}) {
  const opts = [];
  if (none) opts.push(new Option(t(none), ''));
  for (const o of orgs) opts.push(new Option(o.name, String(o.id), false, String(o.id) === String(selected)));
  return opts;
}

export class AdminView {
  constructor() {
    this.tab = 'people';
    this.me = null;
    this.orgs = [];
    this.detail = null;          // {kind: 'body'|'course', id, name} whose roster is open
    this.messages = {};          // tab -> elements to show above its lists (results, errors)
    this.seq = 0;
  }

  open(me) {
    this.me = me;
    this.render();
  }

  render() {
    const tabs = $('admin-tabs');
    tabs.replaceChildren(...TABS.map((name) => h('button', {
      type: 'button', role: 'tab', id: `admin-tab-${name}`, class: 'tab',
      'aria-selected': String(name === this.tab),
      onclick: () => {
        if (name === this.tab && !this.detail) return;   // keep what is being typed
        this.tab = name;
        this.detail = null;
        this.editing = null;
        this.messages = {};
        this.render();
      },
    }, t(`admin.tab.${name}`))));
    if (!$('admin-view').hidden) this.load();
  }

  /** Fetch what the tab shows, then draw it (stale answers are dropped). */
  async load() {
    const seq = ++this.seq;
    const body = $('admin-body');
    body.setAttribute('aria-busy', 'true');
    if (!body.firstChild) body.append(h('p', { class: 'note' }, t('admin.loading')));
    const data = {};
    const problems = [];
    const get = async (key, fn) => {
      try {
        data[key] = await fn();
      } catch (err) {
        data[key] = null;
        problems.push(err);
      }
    };
    await get('orgs', api.orgs);
    this.orgs = (data.orgs && data.orgs.orgs) || [];
    if (this.tab === 'people') {
      await get('people', () => api.people(this.orgFilter || '', this.peopleQuery || '',
        this.peopleOffset || 0, PEOPLE_PAGE));
    }
    if (this.tab === 'audit') await get('audit', () => auditData(this));
    if (this.editing) await get('edit', () => editData(this.editing));
    if (this.tab === 'bodies' || this.tab === 'events') await get('bodies', api.bodies);
    if (this.tab === 'courses' || this.tab === 'events') await get('courses', api.courses);
    if (this.tab === 'events') await get('events', api.events);
    if (this.detail) await get('roster', () => api.roster(this.detail.kind, this.detail.id));
    if (seq !== this.seq) return;
    const parts = [];
    for (const err of problems) {
      parts.push(h('p', { class: 'form-error', role: 'alert' },
        err.status === 404 ? t('admin.missing', { reason: err.reason })
          : errorText(err.code, err.reason)));
    }
    // Results go next to what made them: under the roster's import form
    // while a roster is open, else on top.
    if (!this.detail && !this.editing) parts.push(...(this.messages[this.tab] || []));
    const panel = editPanel(this, data.edit || {});
    if (panel) parts.push(panel);
    parts.push(...this[`draw_${this.tab}`](data));
    body.replaceChildren(...parts);
    body.setAttribute('aria-busy', 'false');
  }

  /** Run a change; show its result (or error) on top and reload. */
  async act(fn, onDone) {
    try {
      const res = await fn();
      this.messages[this.tab] = onDone ? onDone(res) : [okLine(t('admin.created'))];
    } catch (err) {
      this.messages[this.tab] = [errorLine(err)];
      if (err.data && Array.isArray(err.data.issues)) {
        this.messages[this.tab].push(h('ol', { class: 'issues', id: 'roster-issues' },
          err.data.issues.map((i) => h('li', {}, t('admin.line',
            { line: i.line, message: issueText(i) })))));
      }
    }
    await this.load();
  }

  // --- organizations ---

  draw_orgs() {
    const byId = new Map(this.orgs.map((o) => [o.id, o]));
    const rows = this.orgs.map((o) => h('tr', {},
      h('td', {}, o.name), h('td', {}, t(`admin.level.${o.level}`)),
      h('td', {}, o.parent && byId.get(o.parent) ? byId.get(o.parent).name : t('admin.none')),
      h('td', {}, o.timeZone || t('admin.edit.server_zone')),
      h('td', { class: 'actions' }, editButton(this, 'org', o, o.name))));
    const name = h('input', { id: 'org-name', required: true, maxlength: 128 });
    const level = h('select', { id: 'org-level' },
      LEVELS.map((l) => new Option(t(`admin.level.${l}`), l)));
    const parent = h('select', { id: 'org-parent' }, orgOptions(this.orgs, { none: 'admin.none' }));
    const form = h('form', {
      class: 'admin-form',
      onsubmit: (e) => {
        e.preventDefault();
        const o = { name: name.value.trim(), level: level.value };
        if (parent.value) o.parent = Number(parent.value);
        this.act(() => api.createOrg(o));
      },
    }, h('h3', {}, t('admin.new_org')), field('admin.name', name), field('admin.level', level),
    field('admin.parent', parent), h('button', { type: 'submit', id: 'org-submit' }, t('admin.create')));
    return [table(['admin.name', 'admin.level', 'admin.parent', 'admin.edit.time_zone', null], rows), form];
  }

  // --- people and accounts ---

  draw_people(data) {
    const orgName = new Map(this.orgs.map((o) => [o.id, o.name]));
    const filter = h('select', {
      id: 'people-org',
      onchange: () => {
        this.orgFilter = filter.value;
        this.peopleOffset = 0;
        this.load();
      },
    }, orgOptions(this.orgs, { none: 'admin.all_orgs', selected: this.orgFilter || '' }));
    const people = (data.people && data.people.people) || [];
    const rows = people.map((p) => {
      const status = !p.account ? t('admin.no_account')
        : [t(p.blocked ? 'admin.blocked' : 'admin.active'),
          p.mustChangePassword ? t('admin.must_change') : null,
          p.platformAdmin ? t('admin.platform_admin') : null].filter(Boolean).join(', ');
      const actions = [];
      if (p.account) {
        actions.push(h('button', {
          type: 'button', class: `small ${p.blocked ? '' : 'danger'}`.trim(),
          dataset: { person: String(p.id), action: p.blocked ? 'unblock' : 'block' },
          onclick: () => {
            if (!p.blocked && !window.confirm(t('admin.confirm_block', { name: p.name }))) return;
            this.act(() => (p.blocked ? api.unblock(p.id) : api.block(p.id)),
              () => [okLine(`${p.name}: ${t(p.blocked ? 'admin.active' : 'admin.blocked')}`)]);
          },
        }, t(p.blocked ? 'admin.unblock' : 'admin.block')));
        actions.push(h('button', {
          type: 'button', class: 'small', dataset: { person: String(p.id), action: 'reset' },
          onclick: () => this.act(() => api.reset(p.id),
            (r) => [linkBox(`${p.name}. ${t('admin.reset_link')}`, r.resetLink, 'reset-link')]),
        }, t('admin.new_link')));
      }
      actions.push(editButton(this, 'person', p, p.name));
      return h('tr', { class: p.blocked ? 'blocked' : '', dataset: { person: String(p.id) } },
        h('td', {}, p.name), h('td', {}, p.email || ''), h('td', {}, p.phone || ''),
        h('td', {}, orgName.get(p.org) || ''), h('td', {}, status),
        h('td', { class: 'actions' }, actions));
    });
    const email = h('input', { id: 'acc-email', type: 'email', required: true, maxlength: 254, autocapitalize: 'off' });
    const name = h('input', { id: 'acc-name', required: true, maxlength: 128 });
    const org = h('select', { id: 'acc-org' }, orgOptions(this.orgs, { none: 'admin.none' }));
    if (this.orgs.length) org.value = String(this.orgs[0].id);
    const password = h('input', { id: 'acc-password', type: 'text', maxlength: 256, autocomplete: 'off' });
    const form = h('form', {
      class: 'admin-form',
      onsubmit: (e) => {
        e.preventDefault();
        const a = { email: email.value.trim(), name: name.value.trim() };
        if (org.value) a.org = Number(org.value);
        if (password.value) a.password = password.value;
        this.act(() => api.createAccount(a), (r) => {
          const out = [h('div', { id: 'acc-result', class: 'result' },
            okLine(`${a.name} <${a.email}>: ${t('admin.account_created')}`),
            r.resetLink ? linkBox(t('admin.reset_link'), r.resetLink, 'acc-link') : null)];
          return out;
        });
      },
    }, h('h3', {}, t('admin.new_account')), field('email', email), field('admin.full_name', name),
    field('admin.org', org), field('admin.initial_password', password, 'pw.hint'),
    h('button', { type: 'submit', id: 'acc-submit' }, t('admin.create')));
    const total = (data.people && data.people.total) || 0;
    const offset = this.peopleOffset || 0;
    const search = h('input', { id: 'people-search', type: 'search', maxlength: 100 });
    search.value = this.peopleQuery || '';
    const find = h('form', {
      class: 'inline-form people-find', role: 'search',
      onsubmit: (e) => {
        e.preventDefault();
        this.peopleQuery = search.value.trim();
        this.peopleOffset = 0;
        this.load();
      },
    }, h('label', { for: 'people-search' }, t('admin.search')), search,
    h('button', { type: 'submit', class: 'small', id: 'people-search-submit' }, t('admin.search_submit')));
    const page = (delta) => () => {
      this.peopleOffset = Math.max(0, offset + delta);
      this.load();
    };
    const pager = h('div', { class: 'tools pager' },
      h('span', { id: 'people-count', role: 'status' }, t('admin.page.of', {
        from: total ? offset + 1 : 0, to: Math.min(total, offset + people.length), total })),
      h('button', { type: 'button', class: 'small', id: 'people-prev', disabled: offset === 0,
        onclick: page(-PEOPLE_PAGE) }, t('admin.page.prev')),
      h('button', { type: 'button', class: 'small', id: 'people-next',
        disabled: offset + people.length >= total, onclick: page(PEOPLE_PAGE) }, t('admin.page.next')));
    return [form, field('admin.filter_org', filter), find, pager,
      table(['admin.full_name', 'email', 'admin.phone', 'admin.org', 'admin.status', null], rows)];
  }

  // --- bodies and courses ---

  draw_bodies(data) {
    return this.groups('body', (data.bodies && data.bodies.bodies) || [], data);
  }

  draw_courses(data) {
    return this.groups('course', (data.courses && data.courses.courses) || [], data);
  }

  groups(kind, list, data) {
    const orgName = new Map(this.orgs.map((o) => [o.id, o.name]));
    const isBody = kind === 'body';
    const rows = list.map((g) => h('tr', { dataset: { id: String(g.id) } },
      h('td', {}, g.name), h('td', {}, orgName.get(g.org) || ''),
      isBody ? h('td', {}, quorumText(g.quorum)) : null,
      h('td', {}, String(g.members ?? '')),
      isBody ? h('td', {}, String(g.voting ?? '')) : null,
      h('td', {}, h('button', {
        type: 'button', class: 'small roster-open', dataset: { id: String(g.id) },
        onclick: () => {
          this.detail = { kind, id: g.id, name: g.name };
          this.csvDraft = '';
          this.messages[this.tab] = [];
          this.load();
        },
      }, t('admin.show_roster')), ' ', editButton(this, kind, g, g.name))));
    const head = isBody
      ? ['admin.name', 'admin.org', 'admin.quorum', 'admin.members', 'admin.voting', null]
      : ['admin.name', 'admin.org', 'admin.members', null];
    const org = h('select', { id: `${kind}-org`, required: true }, orgOptions(this.orgs));
    const name = h('input', { id: `${kind}-name`, required: true, maxlength: 128 });
    const quorum = isBody ? h('input', { id: 'body-quorum', maxlength: 16, placeholder: '>1/2' }) : null;
    const form = h('form', {
      class: 'admin-form',
      onsubmit: (e) => {
        e.preventDefault();
        const g = { org: Number(org.value), name: name.value.trim() };
        if (quorum && quorum.value.trim()) g.quorum = quorum.value.trim();
        this.detail = null;
        this.act(() => (isBody ? api.createBody(g) : api.createCourse(g)));
      },
    }, h('h3', {}, t(isBody ? 'admin.new_body' : 'admin.new_course')),
    field('admin.org', org), field('admin.name', name),
    isBody ? field('admin.quorum', quorum, 'admin.quorum_hint') : null,
    h('button', { type: 'submit', id: `${kind}-submit` }, t('admin.create')));
    const parts = [table(head, rows)];
    if (this.detail && this.detail.kind === kind) parts.push(this.rosterPanel(data));
    parts.push(form);
    return parts;
  }

  rosterPanel(data) {
    const { kind, id, name } = this.detail;
    const members = (data.roster && data.roster.members) || [];
    const rows = members.map((m) => h('tr', {},
      h('td', {}, m.name), h('td', {}, m.email || ''), h('td', {}, t(`access.${m.role}`)),
      kind === 'body' ? h('td', {}, t(m.voting ? 'admin.yes' : 'admin.no')) : null));
    const head = kind === 'body' ? ['admin.full_name', 'email', 'admin.role', 'admin.voting']
      : ['admin.full_name', 'email', 'admin.role'];
    const file = h('input', { id: 'roster-file', type: 'file', accept: '.csv,text/csv' });
    const text = h('textarea', { id: 'roster-csv', rows: 5, spellcheck: 'false' });
    text.value = this.csvDraft || '';   // kept across the reload, to be fixed
    const replace = h('input', { id: 'roster-replace', type: 'checkbox' });
    // The file goes to the server as it is (UTF-8, or Windows-1251, which
    // the server converts); the box shows it readable either way.
    file.addEventListener('change', async () => {
      const f = file.files[0];
      if (!f) return;
      const bytes = await f.arrayBuffer();
      this.csvBytes = null;
      try {
        text.value = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        text.value = new TextDecoder('windows-1251').decode(bytes);
        // as the box gives it back (line ends become LF), to see edits
        this.csvBytes = { bytes, shown: text.value };
      }
    });
    const form = h('form', {
      class: 'admin-form roster-import',
      onsubmit: (e) => {
        e.preventDefault();
        const csv = text.value;
        this.csvDraft = csv;
        // Unchanged since the file was chosen: its own bytes.
        const raw = this.csvBytes && this.csvBytes.shown === csv ? this.csvBytes.bytes : null;
        this.act(() => api.importRoster(kind, id, raw || csv, replace.checked), (r) => {
          this.csvDraft = '';
          this.csvBytes = null;
          const report = h('div', { id: 'roster-report', class: 'result' }, okLine(t('admin.import_ok', {
            rows: r.rows, created: r.personsCreated, existing: r.personsExisting,
            set: r.membersSet, removed: r.membersRemoved,
          })));
          if (r.encoding === 'windows-1251') report.append(okLine(t('admin.converted')));
          return [report];
        });
      },
    }, h('h3', {}, t('admin.import')), h('p', { class: 'note' }, t('admin.import_hint')),
    field('admin.csv_file', file), field('admin.csv_text', text),
    h('label', { class: 'check' }, replace, ` ${t('admin.replace')}`),
    h('button', { type: 'submit', id: 'roster-submit' }, t('admin.import_submit')));
    return h('section', { class: 'roster-detail', id: 'roster-detail' },
      h('h3', {}, t('admin.roster_of', { name })), table(head, rows), form,
      ...(this.messages[this.tab] || []));
  }

  // --- audit log ---

  draw_audit(data) {
    return drawAudit(this, data.audit, this.orgs);
  }

  // --- events ---

  draw_events(data) {
    const bodies = (data.bodies && data.bodies.bodies) || [];
    const courses = (data.courses && data.courses.courses) || [];
    const bodyName = new Map(bodies.map((b) => [b.id, b.name]));
    const courseName = new Map(courses.map((k) => [k.id, k.name]));
    const events = (data.events && data.events.events) || [];
    const rows = events.map((ev) => {
      const gEmail = h('input', { type: 'email', required: true, maxlength: 254, 'aria-label': t('email'), placeholder: t('email') });
      const gName = h('input', { maxlength: 128, 'aria-label': t('admin.full_name'), placeholder: t('admin.full_name') });
      const guest = h('form', {
        class: 'inline-form',
        onsubmit: (e) => {
          e.preventDefault();
          const g = { email: gEmail.value.trim() };
          if (gName.value.trim()) g.name = gName.value.trim();
          // Added to the guest list, then an invitation link to pass on.
          this.act(async () => {
            const r = await api.addGuest(ev.id, g);
            const inv = await invite(ev.id, r.person ? { person: r.person } : g).catch(() => null);
            return { ...r, link: inv && inv.link };
          }, (r) => [okLine(`${ev.title}: ${t('admin.guest_added')}`),
            r.link ? linkBox(t('guest.done'), r.link, 'guest-admin-link') : null].filter(Boolean));
        },
      }, gEmail, gName, h('button', { type: 'submit', class: 'small' }, t('admin.add_guest')));
      const target = ev.body ? t('admin.kind_body', { name: bodyName.get(ev.body) || ev.body })
        : t('admin.kind_course', { name: courseName.get(ev.course) || ev.course });
      return h('tr', { dataset: { id: String(ev.id) } },
        h('td', {}, ev.title), h('td', {}, t(`events.kind.${ev.kind}`)), h('td', {}, ev.room || ''),
        h('td', {}, target), h('td', {}, formatTime(ev.startsAt)), h('td', {}, formatTime(ev.endsAt)),
        h('td', {}, Array.isArray(ev.guests) ? String(ev.guests.length) : String(ev.guests ?? '')),
        h('td', {}, ev.cancelled ? h('span', { class: 'pill cancelled' }, t('admin.edit.cancelled_pill')) : null,
          guest, editButton(this, 'event', ev, ev.title)));
    });
    const title = h('input', { id: 'event-title', required: true, maxlength: 200 });
    const target = h('select', { id: 'event-for', required: true },
      bodies.map((b) => new Option(t('admin.kind_body', { name: b.name }), `body:${b.id}`)),
      courses.map((k) => new Option(t('admin.kind_course', { name: k.name }), `course:${k.id}`)));
    const starts = h('input', { id: 'event-starts', type: 'datetime-local', required: true });
    const ends = h('input', { id: 'event-ends', type: 'datetime-local', required: true });
    const limit = h('input', { id: 'event-limit', type: 'number', min: 1, max: 100000, step: 1, inputmode: 'numeric' });
    const form = h('form', {
      class: 'admin-form',
      onsubmit: (e) => {
        e.preventDefault();
        const [kind, id] = target.value.split(':');
        // The browser's local time, sent as ISO with the zone (UTC).
        const iso = (v) => new Date(v).toISOString().replace(/\.\d+Z$/, 'Z');
        const ev = { title: title.value.trim(), [kind]: Number(id),
          startsAt: iso(starts.value), endsAt: iso(ends.value) };
        if (limit.value.trim()) ev.maxParticipants = Number(limit.value);
        this.act(() => api.createEvent(ev));
      },
    }, h('h3', {}, t('admin.new_event')), field('admin.event_title', title),
    field('admin.event_for', target), field('admin.starts', starts), field('admin.ends', ends),
    field('bigroom.limit', limit, 'bigroom.limit_hint'),
    h('button', { type: 'submit', id: 'event-submit' }, t('admin.create')));
    return [table(['admin.event_title', 'admin.kind', 'admin.room', 'admin.event_for',
      'admin.starts', 'admin.ends', 'admin.guests', null], rows, 'events-table'), form];
  }
}
