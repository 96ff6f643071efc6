// admin.test.mjs - the administrator's editing pages (issue 12), from the
// administrator's and the member's side, at 1280x800 and at 390x844, on the
// demo organization (run.sh: --set demo=true).  Everything this file
// changes it creates first (its own organization, people and event), so
// the other test files' demo data stays as it was:
//
// * an organization renamed and given a time zone through its Edit panel;
//   an organization administrator appointed from a list and removed;
// * people found by the search box, paged, a name corrected, a person
//   without attendance deleted (the row goes);
// * an event rescheduled and cancelled in the admin pages: the member sees
//   the new time and "Cancelled" (Join disabled) in My events; the
//   cancellation withdrawn, Join comes back;
// * the Audit log tab lists those changes in words, filtered by kind, and
//   offers the CSV;
// * a delete the server refuses (a body with an event) says why, in Russian
//   in the Russian interface.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PHONE, Session, VIEWPORT, apiCall, signIn, waitFor } from './lib.mjs';

const s = new Session();
before(() => s.start());
after(() => s.end());

async function openTab(page, tab) {
  await page.click('#nav-admin');
  await page.click(`#admin-tab-${tab}`);
  await page.locator('#admin-body[aria-busy="false"]').waitFor({ state: 'attached' });
}

const bodyText = (page) => page.textContent('#admin-body');
const until = (page, re, what) => waitFor(async () => re.test(await bodyText(page)),
  { timeout: 10000, describe: async () => `${what}: ${await bodyText(page)}` });

for (const [label, viewport] of [['1280x800', VIEWPORT], ['390x844', PHONE]]) {
  const tag = label.replace('x', '-');

  test(`admin ${label}: edit an organization, appoint and remove its administrator`, s.recorded(async () => {
    const page = await s.page(`admin-${tag}`, { viewport });
    await signIn(page, 'admin@veche.demo');
    const root = (await apiCall(page, 'GET', 'admin/orgs')).body.orgs.find((o) => !o.parent).id;
    const org = (await apiCall(page, 'POST', 'admin/orgs',
      { name: `Правка ${tag}`, level: 'regional', parent: root })).body.id;
    const who = (await apiCall(page, 'POST', 'admin/accounts', {
      email: `appointee-${tag}@example.org`, name: `Назначаемый ${tag}`, org,
      password: 'Long enough pass 2026!',
    })).body.person;
    await openTab(page, 'orgs');
    await page.locator(`button.edit-open[data-kind="org"][data-id="${org}"]`).click();
    await page.locator('#edit-panel').waitFor();
    assert.equal(await page.inputValue('#edit-org-name'), `Правка ${tag}`);
    await page.fill('#edit-org-name', `Исправлено ${tag}`);
    await page.fill('#edit-org-zone', 'Asia/Yekaterinburg');
    await page.click('#edit-save');
    await until(page, new RegExp(`Исправлено ${tag}.*Asia/Yekaterinburg`), 'the renamed row');
    assert.equal(await page.locator('#edit-panel').count(), 0, 'the panel closes after Save');
    // appoint from the list of the organization's people, then remove
    await page.locator(`button.edit-open[data-kind="org"][data-id="${org}"]`).click();
    await page.selectOption('#edit-org-appoint', String(who));
    await page.click('#edit-org-appoint-submit');
    await waitFor(async () => (await page.textContent('#edit-org-admins')).includes(`Назначаемый ${tag}`),
      { timeout: 10000, describe: () => page.textContent('#edit-panel') });
    const admins = await apiCall(page, 'GET', `admin/orgs/${org}/admins`);
    assert.deepEqual(admins.body.admins.map((a) => a.person), [who]);
    await page.locator(`#edit-org-admins button.admin-remove[data-person="${who}"]`).click();
    await waitFor(async () => !(await page.textContent('#edit-org-admins')).includes(`Назначаемый ${tag}`),
      { timeout: 10000, describe: () => page.textContent('#edit-panel') });
    assert.deepEqual((await apiCall(page, 'GET', `admin/orgs/${org}/admins`)).body.admins, []);
    await page.context().close();
  }));

  test(`admin ${label}: find people, page through them, correct a name, delete one`, s.recorded(async () => {
    const page = await s.page(`people-${tag}`, { viewport });
    await signIn(page, 'admin@veche.demo');
    const root = (await apiCall(page, 'GET', 'admin/orgs')).body.orgs.find((o) => !o.parent).id;
    const ids = [];
    for (let i = 0; i < 27; i++) {
      ids.push((await apiCall(page, 'POST', 'admin/accounts', {
        email: `pager-${tag}-${i}@example.org`, name: `Листаемый ${tag} ${String(i).padStart(2, '0')}`,
        org: root,
      })).body.person);
    }
    await openTab(page, 'people');
    await page.fill('#people-search', `Листаемый ${tag}`);
    await page.click('#people-search-submit');
    await waitFor(async () => (await page.textContent('#people-count')) === '1–25 of 27',
      { timeout: 10000, describe: () => page.textContent('#people-count') });
    assert.equal(await page.locator('.admin-table tbody tr').count(), 25);
    await page.click('#people-next');
    await waitFor(async () => (await page.textContent('#people-count')) === '26–27 of 27',
      { timeout: 10000, describe: () => page.textContent('#people-count') });
    assert.ok(await page.isDisabled('#people-next'));
    // correct the name of the last one (it still sorts last: stays on this page)
    const last = ids[26];
    await page.locator(`button.edit-open[data-kind="person"][data-id="${last}"]`).click();
    await page.fill('#edit-person-name', `Листаемый ${tag} 26 (исправлено)`);
    await page.click('#edit-save');
    await until(page, new RegExp(`Листаемый ${tag} 26 \\(исправлено\\)`), 'the corrected name');
    // delete the other one on this page (no attendance: allowed)
    const other = ids[25];
    await page.locator(`button.edit-open[data-kind="person"][data-id="${other}"]`).click();
    await page.click('#edit-delete');
    await waitFor(async () => (await page.locator(`tr[data-person="${other}"]`).count()) === 0,
      { timeout: 10000, describe: () => bodyText(page) });
    await page.fill('#people-search', `Листаемый ${tag}`);
    await page.click('#people-search-submit');
    await waitFor(async () => (await page.textContent('#people-count')) === '1–25 of 26',
      { timeout: 10000, describe: () => page.textContent('#people-count') });
    await page.context().close();
  }));

  test(`admin ${label}: reschedule and cancel an event; the member sees it in My events`, s.recorded(async () => {
    const admin = await s.page(`events-${tag}`, { viewport });
    await signIn(admin, 'admin@veche.demo');
    const bodies = (await apiCall(admin, 'GET', 'admin/bodies')).body.bodies;
    const presidium = bodies.find((b) => b.name === 'Президиум').id;
    const title = `Переносимое ${tag}`;
    const ev = (await apiCall(admin, 'POST', 'admin/events', {
      title, body: presidium, startsAt: '2031-03-02T09:00:00Z', endsAt: '2031-03-02T10:00:00Z',
    })).body.id;
    await openTab(admin, 'events');
    await admin.locator(`button.edit-open[data-kind="event"][data-id="${ev}"]`).click();
    // the page's zone is the browser's (UTC in the tests): a local time input
    await admin.fill('#edit-event-starts', '2031-03-05T12:00');
    await admin.fill('#edit-event-ends', '2031-03-05T13:30');
    await admin.click('#edit-save');
    await waitFor(async () => {
      const e = (await apiCall(admin, 'GET', 'admin/events')).body.events.find((x) => x.id === ev);
      return e.startsAt === new Date('2031-03-05T12:00').toISOString().replace(/\.\d+Z$/, 'Z');
    }, { timeout: 10000, describe: () => bodyText(admin) });
    await admin.locator(`button.edit-open[data-kind="event"][data-id="${ev}"]`).click();
    await admin.click('#edit-cancel');     // the confirm() is accepted (lib.mjs)
    await until(admin, /cancelled/i, 'the cancellation');
    await admin.locator(`tr[data-id="${ev}"] .pill.cancelled`).waitFor({ timeout: 10000 });

    const member = await s.page(`member-${tag}`, { viewport });
    await signIn(member, 'member1@veche.demo');
    const item = member.locator(`#events-list li.event[data-event="${ev}"]`);
    await item.waitFor({ timeout: 10000 });
    assert.match(await item.textContent(), /Cancelled/);
    assert.match(await item.textContent(), /2031/);
    assert.ok(await item.locator('button.event-join').isDisabled(), 'Join is disabled');
    assert.ok(await item.locator('.pill.cancelled').isVisible());
    // withdrawn: Join comes back after a reload of My events
    await admin.locator(`button.edit-open[data-kind="event"][data-id="${ev}"]`).click();
    await admin.click('#edit-uncancel');
    await until(admin, /takes place again/, 'the withdrawal');
    await member.reload();
    await member.locator(`#events-list li.event[data-event="${ev}"]`).waitFor({ timeout: 10000 });
    assert.ok(!(await member.locator(`#events-list li.event[data-event="${ev}"] button.event-join`).isDisabled()));
    // the audit log tab, in words, filtered by kind
    await openTab(admin, 'audit');
    await admin.selectOption('#audit-action', 'event.');
    await admin.locator('#admin-body[aria-busy="false"]').waitFor({ state: 'attached' });
    await until(admin, /Event rescheduled/, 'the audit log');
    const text = await bodyText(admin);
    assert.match(text, /Event cancelled/);
    assert.match(text, /Cancellation withdrawn/);
    assert.ok(!/Organization changed/.test(text), 'the kind filter applies');
    assert.match(await admin.getAttribute('#audit-csv', 'href'), /^\/api\/admin\/audit\.csv\?action=event\./);
    await member.context().close();
    await admin.context().close();
  }));
}

test('admin: a refused delete says why, in Russian', s.recorded(async () => {
  const page = await s.page('admin-ru-delete');
  await signIn(page, 'admin@veche.demo');
  const root = (await apiCall(page, 'GET', 'admin/orgs')).body.orgs.find((o) => !o.parent).id;
  const body = (await apiCall(page, 'POST', 'admin/bodies', { org: root, name: 'Неудаляемый орган' })).body.id;
  await apiCall(page, 'POST', 'admin/events', {
    title: 'Держит орган', body, startsAt: '2031-04-01T09:00:00Z', endsAt: '2031-04-01T10:00:00Z',
  });
  await page.selectOption('#lang', 'ru');
  await openTab(page, 'bodies');
  await page.locator(`button.edit-open[data-kind="body"][data-id="${body}"]`).click();
  await page.click('#edit-delete');
  await waitFor(async () => /Удалить нельзя/.test(await page.textContent('#edit-panel')),
    { timeout: 10000, describe: () => page.textContent('#edit-panel') });
  assert.equal(await page.locator('#edit-panel [role="alert"]').count(), 1);
  await page.context().close();
}));

// Issue 14: an event's own room limit and an organization's sign-in
// lifetime are fields of the admin pages, labelled, in both languages.
test('admin: an event\'s room limit and an organization\'s sign-in lifetime', s.recorded(async () => {
  const page = await s.page('admin-limits');
  await signIn(page, 'admin@veche.demo');
  const bodies = (await apiCall(page, 'GET', 'admin/bodies')).body.bodies;
  const presidium = bodies.find((b) => b.name === 'Президиум').id;
  const findEvent = async (title) => (await apiCall(page, 'GET', 'admin/events')).body.events
    .find((e) => e.title === title);
  // a new event with its limit, from the form
  await openTab(page, 'events');
  await page.fill('#event-title', 'Конференция делегатов');
  await page.selectOption('#event-for', `body:${presidium}`);
  await page.fill('#event-starts', '2031-05-01T09:00');
  await page.fill('#event-ends', '2031-05-01T18:00');
  await page.getByLabel('Room limit (people)').fill('300');
  await page.click('#event-submit');
  await waitFor(async () => (await findEvent('Конференция делегатов'))?.maxParticipants === 300,
    { timeout: 10000, describe: () => bodyText(page) });
  const ev = (await findEvent('Конференция делегатов')).id;
  // edited: shown, cleared (the kind's default), set again
  await page.locator(`button.edit-open[data-kind="event"][data-id="${ev}"]`).click();
  assert.equal(await page.inputValue('#edit-event-limit'), '300');
  await page.fill('#edit-event-limit', '');
  await page.click('#edit-save');
  await waitFor(async () => (await findEvent('Конференция делегатов')).maxParticipants === null,
    { timeout: 10000, describe: () => bodyText(page) });
  await page.locator(`button.edit-open[data-kind="event"][data-id="${ev}"]`).click();
  await page.fill('#edit-event-limit', '42');
  await page.click('#edit-save');
  await waitFor(async () => (await findEvent('Конференция делегатов')).maxParticipants === 42,
    { timeout: 10000, describe: () => bodyText(page) });
  // the organization's sign-in lifetime, in the Russian interface
  const root = (await apiCall(page, 'GET', 'admin/orgs')).body.orgs.find((o) => !o.parent).id;
  const org = (await apiCall(page, 'POST', 'admin/orgs',
    { name: 'Срок входа', level: 'regional', parent: root })).body.id;
  await page.selectOption('#lang', 'ru');
  await openTab(page, 'orgs');
  await page.locator(`button.edit-open[data-kind="org"][data-id="${org}"]`).click();
  await page.getByLabel('Вход действует (часов без работы)').fill('8');
  await page.click('#edit-save');
  const hours = async () => (await apiCall(page, 'GET', 'admin/orgs')).body.orgs
    .find((o) => o.id === org).sessionHours;
  await waitFor(async () => (await hours()) === 8, { timeout: 10000, describe: () => bodyText(page) });
  await page.context().close();
}));
