// ui/admin_edit.js - editing on the administrators' pages: an Edit button
// on each row of organizations, people, bodies, courses and events opens
// one panel above the list with the item's fields, Save, and what else
// may be done with it: delete (the server refuses, with a reason, what a
// record still names), a person's data export and erasure, deleting an
// account, cancelling and rescheduling an event, an organization's time
// zone, privacy notice and administrators (appoint, remove), an event's
// guests (remove).  Every change goes to the server's audit log there.
// The view (ui/admin.js) owns the state: view.editing = {kind, item}.

import { admin as api } from '../api.js';
import { t } from '../i18n.js';
import { h } from './dom.js';

/** The Edit button of one row. */
export function editButton(view, kind, item, label) {
  return h('button', {
    type: 'button', class: 'small edit-open', dataset: { kind, id: String(item.id) },
    'aria-label': t('admin.edit.open_aria', { name: label }),
    onclick: () => {
      view.editing = { kind, item };
      view.messages[view.tab] = [];
      view.load().then(() => {
        const first = document.querySelector('#edit-panel input, #edit-panel select');
        if (first) first.focus();
      });
    },
  }, t('admin.edit.open'));
}

/** What the panel needs besides the item (loaded by the view). */
export async function editData(editing) {
  if (!editing) return {};
  if (editing.kind === 'org') {
    const [admins, people] = await Promise.all([api.orgAdmins(editing.item.id),
      api.people(editing.item.id, '', 0, 500)]);
    return { admins: admins.admins || [], people: people.people || [] };
  }
  if (editing.kind === 'event') return { guests: (await api.guests(editing.item.id)).guests || [] };
  return {};
}

function input(id, labelKey, value, attrs = {}) {
  const el = h('input', { id, ...attrs });
  el.value = value ?? '';
  return [el, h('div', { class: 'field' }, h('label', { for: id }, t(labelKey)), el)];
}

/** datetime-local text of an ISO time, in the browser's zone. */
function localInput(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

const isoOf = (v) => new Date(v).toISOString().replace(/\.\d+Z$/, 'Z');

function danger(id, labelKey, confirmKey, name, run) {
  return h('button', {
    type: 'button', class: 'small danger', id,
    onclick: () => {
      if (confirmKey && !window.confirm(t(confirmKey, { name }))) return;
      run();
    },
  }, t(labelKey));
}

function plain(id, labelKey, run) {
  return h('button', { type: 'button', class: 'small', id, onclick: run }, t(labelKey));
}

/** Save the changed fields with fn, then close the panel (kept open on an error). */
function save(view, fn, doneKey = 'admin.edit.saved') {
  view.act(async () => {
    const r = await fn();
    view.editing = null;
    return r;
  }, () => [h('p', { class: 'form-ok', role: 'status' }, t(doneKey))]);
}

/** Delete, then close the panel. */
function remove(view, fn) {
  save(view, fn, 'admin.edit.deleted');
}

function download(name, data) {
  const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
  const a = h('a', { href: URL.createObjectURL(blob), download: name, hidden: true });
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

// --- one panel per kind ---

function orgPanel(view, o, extra) {
  const [name, nameF] = input('edit-org-name', 'admin.name', o.name, { required: true, maxlength: 200 });
  const [zone, zoneF] = input('edit-org-zone', 'admin.edit.time_zone', o.timeZone || '',
    { maxlength: 63, placeholder: 'Europe/Moscow', list: 'edit-zones' });
  const zones = h('datalist', { id: 'edit-zones' },
    (Intl.supportedValuesOf ? Intl.supportedValuesOf('timeZone') : ['Europe/Moscow'])
      .map((z) => h('option', { value: z })));
  const notice = h('textarea', { id: 'edit-org-notice', rows: 3, maxlength: 2000 });
  notice.value = o.privacyNotice || '';
  const [hours, hoursF] = input('edit-org-session-hours', 'bigroom.session_hours', o.sessionHours ?? '',
    { type: 'number', min: 1, max: 8760, step: 1, inputmode: 'numeric', 'aria-describedby': 'edit-org-session-hint' });
  hoursF.append(h('small', { class: 'hint', id: 'edit-org-session-hint' }, t('bigroom.session_hint')));
  const chatDays = h('input', {
    id: 'edit-org-chat-days', type: 'number', min: 0, max: 36500, step: 1,
    'aria-describedby': 'edit-org-chat-days-hint',
  });
  chatDays.value = o.chatRetentionDays ?? '';
  const admins = (extra.admins || []).map((a) => h('li', { dataset: { person: String(a.person) } },
    `${a.name} <${a.email}> `,
    h('button', {
      type: 'button', class: 'small danger admin-remove', dataset: { person: String(a.person) },
      'aria-label': t('admin.edit.remove_admin_aria', { name: a.name }),
      onclick: () => view.act(() => api.removeOrgAdmin(o.id, a.person),
        () => [h('p', { class: 'form-ok', role: 'status' }, t('admin.edit.saved'))]),
    }, t('admin.edit.remove'))));
  const who = h('select', { id: 'edit-org-appoint' },
    new Option(t('admin.edit.choose_person'), ''),
    (extra.people || []).filter((p) => p.account)
      .map((p) => new Option(`${p.name} <${p.email}>`, String(p.id))));
  const appoint = h('button', {
    type: 'button', class: 'small', id: 'edit-org-appoint-submit',
    onclick: () => who.value && view.act(() => api.addOrgAdmin(o.id, Number(who.value)),
      () => [h('p', { class: 'form-ok', role: 'status' }, t('admin.edit.appointed'))]),
  }, t('admin.edit.appoint'));
  return {
    fields: [nameF, zoneF, zones, h('div', { class: 'field' },
      h('label', { for: 'edit-org-notice' }, t('admin.edit.privacy_notice')), notice,
      h('small', { class: 'hint' }, t('admin.edit.privacy_hint'))), hoursF,
    h('div', { class: 'field' },
      h('label', { for: 'edit-org-chat-days' }, t('privacy.chat_retention')), chatDays,
      h('small', { class: 'hint', id: 'edit-org-chat-days-hint' }, t('privacy.chat_retention_hint')))],
    submit: () => {
      const change = {
        name: name.value.trim(), timeZone: zone.value.trim(), privacyNotice: notice.value.trim(),
        chatRetentionDays: chatDays.value.trim() === '' ? null : Number(chatDays.value),
      };
      const hrs = hours.value.trim() ? Number(hours.value) : null;
      if (hrs !== (o.sessionHours ?? null)) change.sessionHours = hrs;  // only a change is audited
      save(view, () => api.updateOrg(o.id, change));
    },
    actions: [danger('edit-delete', 'admin.edit.delete', 'admin.edit.confirm_delete', o.name,
      () => remove(view, () => api.deleteOrg(o.id)))],
    more: [h('h4', {}, t('admin.edit.admins')),
      admins.length ? h('ul', { id: 'edit-org-admins' }, admins)
        : h('p', { class: 'note', id: 'edit-org-admins' }, t('admin.edit.no_admins')),
      h('div', { class: 'field inline' }, h('label', { for: 'edit-org-appoint' },
        t('admin.edit.appoint_label')), who, appoint)],
  };
}

function personPanel(view, p) {
  const [name, nameF] = input('edit-person-name', 'admin.full_name', p.name, { required: true, maxlength: 200 });
  const [email, emailF] = input('edit-person-email', 'email', p.email, { type: 'email', required: true, maxlength: 254 });
  const [phone, phoneF] = input('edit-person-phone', 'admin.phone', p.phone || '', { maxlength: 32 });
  const actions = [
    plain('edit-export', 'admin.edit.export', () => view.act(async () => {
      download(`person-${p.id}.json`, await api.exportPerson(p.id));
    }, () => [h('p', { class: 'form-ok', role: 'status' }, t('admin.edit.exported'))])),
  ];
  if (p.account) {
    actions.push(danger('edit-delete-account', 'admin.edit.delete_account',
      'admin.edit.confirm_delete_account', p.name, () => remove(view, () => api.deleteAccount(p.id))));
  }
  actions.push(danger('edit-delete', 'admin.edit.delete', 'admin.edit.confirm_delete', p.name,
    () => remove(view, () => api.deletePerson(p.id))));
  actions.push(danger('edit-erase', 'admin.edit.erase', 'admin.edit.confirm_erase', p.name,
    () => save(view, () => api.erasePerson(p.id), 'admin.edit.erased')));
  return {
    fields: [nameF, emailF, phoneF],
    submit: () => save(view, () => api.updatePerson(p.id, {
      name: name.value.trim(), email: email.value.trim(), phone: phone.value.trim(),
    })),
    actions,
  };
}

function unitPanel(view, kind, g) {
  const isBody = kind === 'body';
  const [name, nameF] = input(`edit-${kind}-name`, 'admin.name', g.name, { required: true, maxlength: 200 });
  const q = g.quorum ? `${g.quorum.op}${g.quorum.num}/${g.quorum.den}` : '';
  const [quorum, quorumF] = isBody ? input('edit-body-quorum', 'admin.quorum', q, { maxlength: 16 }) : [null, null];
  // whether the body's chair may record its meetings (trainings always may)
  const rec = isBody ? h('input', { id: 'edit-body-recording', type: 'checkbox' }) : null;
  if (rec) rec.checked = !!g.allowRecording;
  const recF = rec ? h('div', { class: 'field' }, rec, ' ',
    h('label', { for: 'edit-body-recording' }, t('recording.admin_allow'))) : null;
  return {
    fields: [nameF, quorumF, recF],
    submit: () => save(view, () => (isBody
      ? api.updateBody(g.id, { name: name.value.trim(), quorum: quorum.value.trim() || null,
        allowRecording: rec.checked })
      : api.updateCourse(g.id, { name: name.value.trim() }))),
    actions: [danger('edit-delete', 'admin.edit.delete', 'admin.edit.confirm_delete', g.name,
      () => remove(view, () => (isBody ? api.deleteBody(g.id) : api.deleteCourse(g.id))))],
  };
}

function eventPanel(view, ev, extra) {
  const [title, titleF] = input('edit-event-title', 'admin.event_title', ev.title, { required: true, maxlength: 200 });
  const [starts, startsF] = input('edit-event-starts', 'admin.starts', localInput(ev.startsAt), { type: 'datetime-local', required: true });
  const [ends, endsF] = input('edit-event-ends', 'admin.ends', localInput(ev.endsAt), { type: 'datetime-local', required: true });
  const [limit, limitF] = input('edit-event-limit', 'bigroom.limit', ev.maxParticipants ?? '',
    { type: 'number', min: 1, max: 100000, step: 1, inputmode: 'numeric', 'aria-describedby': 'edit-event-limit-hint' });
  limitF.append(h('small', { class: 'hint', id: 'edit-event-limit-hint' }, t('bigroom.limit_hint')));
  const guests = (extra.guests || []).map((g) => h('li', {}, `${g.name} <${g.email}> `,
    h('button', {
      type: 'button', class: 'small danger guest-remove', dataset: { person: String(g.person) },
      'aria-label': t('admin.edit.remove_guest_aria', { name: g.name }),
      onclick: () => view.act(() => api.removeGuest(ev.id, g.person),
        () => [h('p', { class: 'form-ok', role: 'status' }, t('admin.edit.saved'))]),
    }, t('admin.edit.remove'))));
  const cancel = ev.cancelled
    ? plain('edit-uncancel', 'admin.edit.uncancel', () => save(view,
      () => api.updateEvent(ev.id, { cancelled: false }), 'admin.edit.uncancelled'))
    : danger('edit-cancel', 'admin.edit.cancel_event', 'admin.edit.confirm_cancel', ev.title,
      () => save(view, () => api.updateEvent(ev.id, { cancelled: true }), 'admin.edit.cancelled'));
  return {
    fields: [titleF, startsF, endsF, limitF],
    submit: () => {
      const change = { title: title.value.trim(), startsAt: isoOf(starts.value), endsAt: isoOf(ends.value) };
      const max = limit.value.trim() ? Number(limit.value) : null;
      if (max !== (ev.maxParticipants ?? null)) change.maxParticipants = max;  // only a change is audited
      save(view, () => api.updateEvent(ev.id, change));
    },
    actions: [cancel, danger('edit-delete', 'admin.edit.delete', 'admin.edit.confirm_delete',
      ev.title, () => remove(view, () => api.deleteEvent(ev.id)))],
    more: [h('h4', {}, t('admin.guests')),
      guests.length ? h('ul', { id: 'edit-event-guests' }, guests)
        : h('p', { class: 'note' }, t('admin.empty'))],
  };
}

/** The panel for view.editing, or null. */
export function editPanel(view, extra) {
  const e = view.editing;
  if (!e) return null;
  const item = e.item;
  const p = e.kind === 'org' ? orgPanel(view, item, extra)
    : e.kind === 'person' ? personPanel(view, item)
      : e.kind === 'event' ? eventPanel(view, item, extra)
        : unitPanel(view, e.kind, item);
  const label = item.name || item.title;
  const form = h('form', {
    class: 'admin-form edit-form',
    onsubmit: (ev) => {
      ev.preventDefault();
      p.submit();
    },
  }, ...p.fields.filter(Boolean),
  h('div', { class: 'tools' },
    h('button', { type: 'submit', id: 'edit-save' }, t('admin.edit.save')),
    h('button', {
      type: 'button', class: 'small', id: 'edit-close',
      onclick: () => { view.editing = null; view.load(); },
    }, t('admin.edit.close'))));
  return h('section', {
    class: 'edit-panel', id: 'edit-panel', 'aria-labelledby': 'edit-panel-title',
  }, h('h3', { id: 'edit-panel-title' }, t(`admin.edit.title.${e.kind}`, { name: label })),
  form, h('div', { class: 'tools edit-actions' }, p.actions), ...(p.more || []),
  ...(view.messages[view.tab] || []));
}
