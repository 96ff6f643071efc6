// ui/admin_audit.js - the Audit log tab of the administrators' pages: who
// changed what, when and from which address (GET /api/admin/audit),
// newest first, filtered by organization, kind of change, person and
// dates, a page at a time, and the same as a spreadsheet (audit.csv in the
// organization's time zone).  Read-only: nobody can change the log.

import { admin as api } from '../api.js';
import { STRINGS, getLang, t } from '../i18n.js';
import { h } from './dom.js';
import { formatTime } from './events.js';

export const AUDIT_PAGE = 50;
const ACTIONS = ['org.', 'person.', 'account.', 'admin.', 'body.', 'course.', 'event.',
  'guest.', 'roster.'];

/** The filter the tab keeps in view.auditFilter. */
export function auditFilter(view) {
  if (!view.auditFilter) view.auditFilter = { org: '', action: '', person: '', from: '', to: '', offset: 0 };
  return view.auditFilter;
}

function query(f) {
  const day = (v, end) => (v ? `${v}T${end ? '23:59:59' : '00:00:00'}Z` : '');
  return { org: f.org, action: f.action, person: f.person, from: day(f.from), to: day(f.to, true) };
}

export async function auditData(view) {
  const f = auditFilter(view);
  return api.audit({ ...query(f), offset: f.offset, limit: AUDIT_PAGE });
}

/** An action code in words ("person.update" -> "Person changed"). */
export function actionText(code) {
  const key = `admin.audit.action.${code}`;
  return key in STRINGS.en ? t(key) : code;
}

export function drawAudit(view, data, orgs) {
  const f = auditFilter(view);
  const reload = () => { view.load(); };
  const org = h('select', {
    id: 'audit-org', onchange: () => { f.org = org.value; f.offset = 0; reload(); },
  }, new Option(t('admin.all_orgs'), ''),
  orgs.map((o) => new Option(o.name, String(o.id), false, String(o.id) === String(f.org))));
  const action = h('select', {
    id: 'audit-action', onchange: () => { f.action = action.value; f.offset = 0; reload(); },
  }, new Option(t('admin.audit.all_actions'), ''),
  ACTIONS.map((a) => new Option(t(`admin.audit.kind.${a.slice(0, -1)}`), a, false, a === f.action)));
  const person = h('input', { id: 'audit-person', inputmode: 'numeric', maxlength: 12, value: f.person });
  person.value = f.person;
  const from = h('input', { id: 'audit-from', type: 'date' });
  from.value = f.from;
  const to = h('input', { id: 'audit-to', type: 'date' });
  to.value = f.to;
  const form = h('form', {
    class: 'admin-form audit-filter',
    onsubmit: (e) => {
      e.preventDefault();
      Object.assign(f, { person: person.value.trim(), from: from.value, to: to.value, offset: 0 });
      reload();
    },
  }, h('div', { class: 'field' }, h('label', { for: 'audit-org' }, t('admin.org')), org),
  h('div', { class: 'field' }, h('label', { for: 'audit-action' }, t('admin.audit.action')), action),
  h('div', { class: 'field' }, h('label', { for: 'audit-person' }, t('admin.audit.person')), person),
  h('div', { class: 'field' }, h('label', { for: 'audit-from' }, t('admin.audit.from')), from),
  h('div', { class: 'field' }, h('label', { for: 'audit-to' }, t('admin.audit.to')), to),
  h('button', { type: 'submit', id: 'audit-apply' }, t('admin.audit.apply')));
  const entries = (data && data.entries) || [];
  const rows = entries.map((e) => h('tr', { dataset: { id: String(e.id) } },
    h('td', {}, formatTime(e.at)),
    h('td', {}, e.actor ? `#${e.actor}` : t('admin.audit.system')),
    h('td', {}, e.address || ''),
    h('td', {}, actionText(e.action)),
    h('td', {}, e.target ? `${t(`admin.audit.kind.${e.kind}`)} #${e.target}` : ''),
    h('td', { class: 'detail' }, JSON.stringify(e.detail || {}))));
  const csv = h('a', {
    class: 'button small', id: 'audit-csv', download: 'audit.csv',
    href: api.auditCsvUrl(query(f), getLang()),
  }, t('admin.audit.csv'));
  const prev = h('button', {
    type: 'button', class: 'small', id: 'audit-prev', disabled: f.offset === 0,
    onclick: () => { f.offset = Math.max(0, f.offset - AUDIT_PAGE); reload(); },
  }, t('admin.page.prev'));
  const next = h('button', {
    type: 'button', class: 'small', id: 'audit-next', disabled: entries.length < AUDIT_PAGE,
    onclick: () => { f.offset += AUDIT_PAGE; reload(); },
  }, t('admin.page.next'));
  const head = ['admin.audit.when', 'admin.audit.who', 'admin.audit.address',
    'admin.audit.action', 'admin.audit.target', 'admin.audit.detail'];
  const table = entries.length
    ? h('div', { class: 'table-wrap' }, h('table', { class: 'admin-table audit-table', 'aria-label': t('admin.tab.audit') },
      h('thead', {}, h('tr', {}, head.map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, rows)))
    : h('p', { class: 'note' }, t('admin.empty'));
  return [h('p', { class: 'note' }, t('admin.audit.note')), form,
    h('div', { class: 'tools' }, csv, prev, next), table];
}
