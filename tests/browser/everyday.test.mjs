// everyday.test.mjs - the secretary's, the chair's and the administrator's
// everyday work (issue 12, first slice), seen from their pages, on the demo
// organization (run.sh: --set demo=true):
//
// * a member asks for the floor (the speakers list replaces the raised hand
//   in meetings): the chair sees the list entry and the member's
//   Mute / Remove buttons without scrolling (in the viewport and inside the
//   side panel's visible part), a count on the Participants button and a
//   framed tile - at 1280x800 with the roll and the guest form present, and
//   at 390x844 after one press on the Participants button;
// * role labels: the secretary is "secretary" (no chair's star), the
//   non-voting member "observer"; "Mute everyone" mutes the secretary too;
// * the event link only for organizers ("Invite a guest" stays theirs);
// * a locked room tells the chair who tried to join; a removed member
//   reads why in Russian (the refused and the removed one at 1280x800 and
//   at 390x844; role labels and the missing invitation button at 390x844
//   too);
// * My events has the attendance CSV and printable links for the chair,
//   also for an event whose joining has closed, none for a member; the CSV
//   in the Russian interface has a BOM, ';' and Russian headers;
// * roster import in the Russian admin pages: a ';' file, a Windows-1251
//   file (converted) and problems in Russian (a ';' file and its problems
//   at 390x844 too); My events' links on a phone;
// * "Forgot password" on a server without a mail relay says to ask the
//   administrator; no 401 shows in the console when the page loads.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  BASE, DOC_SHOTS, PHONE, Session, banner, joinEvent, signIn, state, waitFor, whereIs,
} from './lib.mjs';

const MEETING = 'Заседание президиума';
const NAMES = {
  secretary: 'Борис Секретарёв', member1: 'Вера Членова', member2: 'Григорий Членов',
  member3: 'Дарья Членова', observer: 'Евгений Наблюдателев',
};
const s = new Session();
const p = {};             // label -> Page in the meeting

before(() => s.start());
after(() => s.leaveAndEnd(p));

const onScreen = async (page, selector) => {
  const where = await whereIs(page, selector);
  assert.equal(where, 'on screen', `${selector}: ${where}`);
  return true;
};

const person = async (page, name) => (await state(page)).people.find((x) => x.name === name);

async function enter(label, email, { viewport, lang = 'en' } = {}) {
  const page = await s.page(label, viewport ? { viewport } : {});
  await signIn(page, email);
  if (lang !== 'en') await page.selectOption('#lang', lang);
  await joinEvent(page, MEETING);
  p[label] = page;
  return page;
}

test('everyday: a request for the floor and the moderation buttons show without scrolling (1280x800)',
  { timeout: 120000 }, s.recorded(async () => {
    const chair = await enter('chair', 'chair@veche.demo');
    await enter('secretary', 'secretary@veche.demo');
    await enter('member1', 'member1@veche.demo');
    await enter('observer', 'observer@veche.demo');
    await chair.locator('#attendance').waitFor({ state: 'visible', timeout: 10000 });
    await waitFor(async () => (await state(chair)).people.length >= 4,
      { timeout: 15000, describe: async () => JSON.stringify((await state(chair)).people) });
    // The roll and the guest form are there (folded), as for a real chair.
    assert.equal(await chair.isVisible('#roll-details'), true);
    assert.equal(await chair.isVisible('#guest-details'), true);
    assert.equal(await chair.isVisible('#hands-count'), false, 'no hands, no count');

    await p.member1.click('#hand');
    const m1 = (await person(chair, NAMES.member1)).id;
    const item = `#speakers-list li[data-speaker="${m1}"]`;
    await chair.locator(item).waitFor({ state: 'visible', timeout: 10000 });
    const where = await whereIs(chair, item);
    if (where !== 'on screen') {
      const c = await state(chair);
      const m = await state(p.member1);
      assert.fail(`${where}; chair speakers ${JSON.stringify(c.speakers)} m1 ${m1}; member1 ` +
        `${m.me} reconnects ${m.reconnects}`);
    }
    const row = `#people-list li[data-person="${m1}"]`;
    for (const b of [`${row} button[aria-label="Turn off the microphone of ${NAMES.member1}"]`,
      `${row} button[aria-label="Remove ${NAMES.member1} from the room"]`]) {
      assert.ok(await onScreen(chair, b), `${b} is on screen`);
    }
    assert.equal(await chair.textContent('#hands-count'), '1');
    assert.ok(await onScreen(chair, '#hands-count'), 'the count on the Participants button');
    assert.equal(await chair.getAttribute('#people-toggle', 'aria-label'),
      'Participants: 1 asking for the floor');
    const tile = chair.locator(`#grid [data-participant="${m1}"]`);
    await waitFor(async () => /hand-raised/.test(await tile.getAttribute('class')),
      { timeout: 5000, describe: async () => tile.getAttribute('class') });
    assert.match(await tile.locator('.hand-badge').textContent(), /Floor/);
    await chair.screenshot({ path: `${DOC_SHOTS}/everyday-hand.png` });
  }));

test('everyday: the secretary and the observer are labelled as such; Mute everyone mutes the secretary',
  { timeout: 60000 }, s.recorded(async () => {
    const chair = p.chair;
    const label = async (name) => {
      const id = (await person(chair, name)).id;
      const tag = chair.locator(`#people-list li[data-person="${id}"] .role`);
      return { text: (await tag.textContent()).trim(), star: await tag.locator('svg').count() };
    };
    assert.deepEqual(await label(NAMES.secretary), { text: 'secretary', star: 0 });
    assert.deepEqual(await label(NAMES.observer), { text: 'observer', star: 0 });
    const self = chair.locator(`#people-list li[data-person="${(await state(chair)).me}"] .role`);
    assert.equal((await self.textContent()).trim(), 'chair');
    assert.equal(await self.locator('svg').count(), 1, 'the chair has the star');
    assert.equal(await p.secretary.textContent('#my-role'), 'You: secretary');
    assert.equal(await p.observer.textContent('#my-role'), 'You: observer');
    assert.equal((await person(chair, NAMES.secretary)).title, 'secretary');

    await chair.click('#mute-all');
    await waitFor(async () => (await person(chair, NAMES.secretary)).muted &&
      (await person(chair, NAMES.member1)).muted,
    { timeout: 10000, describe: async () => JSON.stringify((await state(chair)).people) });
    const now = await state(chair);
    const me = now.people.find((x) => x.id === now.me);
    assert.equal(me.muted, false, 'the chair is not muted by her own button');
    await waitFor(async () => (await state(p.secretary)).mic === false,
      { timeout: 5000, describe: async () => JSON.stringify(await state(p.secretary)) });
  }));

test('everyday: only organizers get the event link; members see no invitation button',
  { timeout: 30000 }, s.recorded(async () => {
    assert.equal(await p.member1.isVisible('#copy-invite'), false);
    assert.equal(await p.member1.isVisible('#guest-details'), false);
    assert.equal(await p.chair.isVisible('#copy-invite'), true);
    assert.match(await p.chair.textContent('#copy-invite'), /for people on its list/);
    assert.equal(await p.chair.isVisible('#copy-mod-invite'), false);
    assert.equal(await p.chair.isVisible('#guest-details > summary'), true);
  }));

test('everyday: at 390x844 too: the observer reads her role, a member has no invitation button, ' +
  'the chair sees the labels after one press', { timeout: 90000 }, s.recorded(async () => {
    const obs = await enter('observer-phone', 'observer@veche.demo', { viewport: PHONE });
    await obs.locator('#my-role').waitFor({ state: 'visible', timeout: 10000 });
    assert.equal(await obs.textContent('#my-role'), 'You: observer');
    assert.ok(await onScreen(obs, '#my-role'), 'the role is on the phone screen');
    assert.equal(await obs.isVisible('#copy-invite'), false);
    assert.equal(await obs.isVisible('#guest-details'), false);
    const chair = await enter('chair-labels', 'chair@veche.demo', { viewport: PHONE });
    await chair.click('#people-toggle');
    const sec = (await person(chair, NAMES.secretary)).id;
    const tag = chair.locator(`#people-list li[data-person="${sec}"] .role`);
    await tag.waitFor({ state: 'visible', timeout: 10000 });
    assert.equal((await tag.textContent()).trim(), 'secretary');
    assert.equal(await tag.locator('svg').count(), 0, 'no chair star for the secretary');
    for (const label of ['observer-phone', 'chair-labels']) {
      await p[label].click('#leave');
      delete p[label];
    }
  }));

test('everyday: at 390x844 the count shows and one press shows the speakers list',
  { timeout: 60000 }, s.recorded(async () => {
    const phone = await enter('chair-phone', 'chair@veche.demo', { viewport: PHONE });
    const m1 = (await person(phone, NAMES.member1)).id;
    await waitFor(async () => ((await state(phone)).speakers || { list: [] }).list.includes(m1),
      { timeout: 10000, describe: async () => JSON.stringify((await state(phone)).speakers) });
    await phone.locator('#hands-count').waitFor({ state: 'visible', timeout: 5000 });
    assert.ok(await onScreen(phone, '#hands-count'), 'the count is on the control bar');
    await phone.click('#people-toggle');
    const item = `#speakers-list li[data-speaker="${m1}"]`;
    await phone.locator(item).waitFor({ state: 'visible', timeout: 5000 });
    assert.ok(await onScreen(phone, item), 'the queue entry is on the phone screen');
    assert.ok(await onScreen(phone, `#people-list li[data-person="${m1}"] button.danger`),
      'Remove is on the phone screen');
    await phone.click('#leave');
    delete p['chair-phone'];
    await p.member1.click('#hand');   // withdrawn again
  }));

test('everyday: a locked room tells the chair who tried to join (the late one at 1280x800 and 390x844)',
  { timeout: 90000 }, s.recorded(async () => {
    const chair = p.chair;
    await chair.click('#lock');
    await waitFor(async () => (await state(chair)).locked, { timeout: 5000 });
    for (const viewport of [undefined, PHONE]) {
      const late = await s.page('member2', viewport ? { viewport } : {});
      await signIn(late, 'member2@veche.demo');
      await late.locator('#events-list li.event', { hasText: MEETING })
        .locator('button.event-join').click();
      await late.locator('#error').waitFor({ state: 'visible', timeout: 15000 });
      assert.match(await banner(late), /The room is locked/);
      assert.ok(await onScreen(late, '#error'), 'the refusal is on the screen');
      await chair.locator('#knock-note').waitFor({ state: 'visible', timeout: 10000 });
      assert.equal(await chair.textContent('#knock-note'),
        `${NAMES.member2} tried to join, but the room is locked.`);
      assert.ok(await onScreen(chair, '#knock-note'));
      await late.context().close();
    }
    await chair.click('#lock');
    await waitFor(async () => !(await state(chair)).locked, { timeout: 5000 });
    assert.equal(await chair.isVisible('#knock-note'), false);
  }));

test('everyday: a member removed by the chair reads why in Russian (1280x800 and 390x844)',
  { timeout: 90000 }, s.recorded(async () => {
    for (const viewport of [undefined, PHONE]) {
      const m3 = await enter('member3', 'member3@veche.demo', { lang: 'ru', viewport });
      const id = (await state(m3)).me;
      const remove = `#people-list li[data-person="${id}"] button.danger`;
      await p.chair.locator(remove).waitFor({ state: 'visible', timeout: 10000 });
      await p.chair.click(remove);
      await m3.locator('#error').waitFor({ state: 'visible', timeout: 10000 });
      assert.equal(await banner(m3), 'Ведущий удалил вас из комнаты.');
      assert.ok(await onScreen(m3, '#error'), 'the reason is on the screen');
      delete p.member3;
      await m3.context().close();
    }
  }));

test('everyday: My events has the attendance links, also after joining closed; Excel CSV in Russian',
  { timeout: 60000 }, s.recorded(async () => {
    // An event of the presidium that ended yesterday (the admin API).
    const admin = await s.page('admin');
    await signIn(admin, 'admin@veche.demo');
    const past = await admin.evaluate(async () => {
      const bodies = await (await fetch('/api/admin/bodies')).json();
      const body = bodies.bodies.find((b) => b.name === 'Президиум');
      const day = 86400e3;
      const r = await fetch('/api/admin/events', {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ title: 'Прошедшее заседание', body: body.id,
          startsAt: new Date(Date.now() - 2 * day).toISOString(),
          endsAt: new Date(Date.now() - day).toISOString() }),
      });
      return { status: r.status, body: await r.json() };
    });
    assert.equal(past.status, 201, JSON.stringify(past));
    await admin.context().close();

    const page = await s.page('chair-events');
    await signIn(page, 'chair@veche.demo');
    await page.selectOption('#lang', 'ru');
    for (const title of [MEETING, 'Прошедшее заседание']) {
      const li = page.locator('#events-list li.event', { hasText: title });
      await li.locator('a.event-csv').waitFor({ state: 'visible', timeout: 10000 });
      assert.equal(await li.locator('a.event-print').isVisible(), true);
    }
    const li = page.locator('#events-list li.event', { hasText: MEETING });
    const id = await li.getAttribute('data-event');
    assert.equal(await li.locator('a.event-print').getAttribute('href'),
      `/api/events/${id}/attendance.html?lang=ru`);
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 15000 }), li.locator('a.event-csv').click(),
    ]);
    const bytes = readFileSync(await download.path());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xEF, 0xBB, 0xBF], 'a UTF-8 byte order mark');
    const lines = bytes.toString('utf8').slice(1).split('\r\n');
    assert.match(lines[0], /^Номер;ФИО;Роль;.*;Первый вход \(Europe\/Moscow\);/);
    assert.ok(lines.some((l) => l.split(';')[1] === NAMES.member1), lines.join('\n'));
    await page.context().close();

    // the same links on a phone, reachable by scrolling the list only
    const phone = await s.page('chair-events-phone', { viewport: PHONE });
    await signIn(phone, 'chair@veche.demo');
    await phone.selectOption('#lang', 'ru');
    for (const title of [MEETING, 'Прошедшее заседание']) {
      const li = phone.locator('#events-list li.event', { hasText: title });
      const sel = `#events-list li.event[data-event="${await li.getAttribute('data-event')}"]`;
      for (const link of ['a.event-csv', 'a.event-print']) {
        await li.locator(link).scrollIntoViewIfNeeded({ timeout: 10000 });
        await onScreen(phone, `${sel} ${link}`);
      }
    }
    await phone.context().close();

    const member = await s.page('member-events');
    await signIn(member, 'member1@veche.demo');
    await member.locator('#events-list li.event').first().waitFor({ timeout: 10000 });
    assert.equal(await member.locator('#events-list a.event-csv').count(), 0);
    await member.context().close();
  }));

/** The administrator's roster import of the course 'Школа актива', in Russian. */
async function openCourseRoster(page) {
  await signIn(page, 'admin@veche.demo');
  await page.selectOption('#lang', 'ru');
  await page.click('#nav-admin');
  await page.click('#admin-tab-courses');
  await page.locator('#admin-body[aria-busy="false"]').waitFor({ state: 'attached' });
  await page.locator('.admin-table tr', { hasText: 'Школа актива' })
    .locator('button.roster-open').click();
  await page.locator('#roster-csv').waitFor({ state: 'visible', timeout: 10000 });
}

test('everyday: roster import in Russian at 390x844: a ";" file, its report and problems on the phone screen',
  { timeout: 60000 }, s.recorded(async () => {
    const page = await s.page('admin-ru-phone', { viewport: PHONE });
    await openCourseRoster(page);
    await page.fill('#roster-csv', 'full_name;email;role\r\nТихон Телефонов;tikhon.ph@example.org;activist\r\n');
    await page.click('#roster-submit');
    await page.locator('#roster-report').waitFor({ state: 'visible', timeout: 10000 });
    assert.match(await page.textContent('#roster-report'), /^Загружено строк: 1;/);
    await page.locator('#roster-report').scrollIntoViewIfNeeded({ timeout: 10000 });
    await onScreen(page, '#roster-report');
    await page.fill('#roster-csv', 'full_name;email;role\r\nБез Почты;;activist\r\n');
    await page.click('#roster-submit');
    await page.locator('#roster-issues li').first().waitFor({ state: 'visible', timeout: 10000 });
    await page.locator('#roster-issues li').first().scrollIntoViewIfNeeded({ timeout: 10000 });
    assert.deepEqual(await page.locator('#roster-issues li').allTextContents(),
      ['Строка 2: не указана почта']);
    await onScreen(page, '#roster-issues li');
    await page.context().close();
  }));

test('everyday: roster import in Russian: a ";" file, a Windows-1251 file, problems in Russian',
  { timeout: 60000 }, s.recorded(async () => {
    const page = await s.page('admin-ru');
    await openCourseRoster(page);

    await page.fill('#roster-csv', 'full_name;email;role\r\nСемён Точкозапятов;semen.tz@example.org;activist\r\n');
    await page.click('#roster-submit');
    await page.locator('#roster-report').waitFor({ state: 'visible', timeout: 10000 });
    assert.match(await page.textContent('#roster-report'), /^Загружено строк: 1;/);

    // "Фёдор Кодировкин" saved by Excel as CSV (Windows-1251).
    const cp1251 = Buffer.from([...Buffer.from('full_name;email;role\r\n'),
      0xD4, 0xB8, 0xE4, 0xEE, 0xF0, 0x20, 0xCA, 0xEE, 0xE4, 0xE8, 0xF0, 0xEE, 0xE2, 0xEA, 0xE8, 0xED,
      ...Buffer.from(';fedor.cp@example.org;activist\r\n')]);
    await page.setInputFiles('#roster-file', { name: 'roster.csv', mimeType: 'text/csv', buffer: cp1251 });
    await waitFor(async () => (await page.inputValue('#roster-csv')).includes('Фёдор Кодировкин'),
      { timeout: 5000, describe: async () => page.inputValue('#roster-csv') });
    await page.click('#roster-submit');
    await waitFor(async () => /перекодирован/.test(await page.textContent('#admin-body')),
      { timeout: 10000, describe: async () => page.textContent('#admin-body') });
    await waitFor(async () => (await page.textContent('#roster-detail')).includes('Фёдор Кодировкин'),
      { timeout: 10000, describe: async () => page.textContent('#roster-detail') });

    await page.fill('#roster-csv', 'full_name,email,role\nБез Почты,,activist\nНе Тот,ne.tot@example.org,boss\n');
    await page.click('#roster-submit');
    await page.locator('#roster-issues').waitFor({ state: 'visible', timeout: 10000 });
    const issues = await page.locator('#roster-issues li').allTextContents();
    assert.deepEqual(issues, ['Строка 2: не указана почта',
      'Строка 3: неизвестная роль «boss» (нужно: trainer или activist)']);
    await page.context().close();
  }));

test('everyday: forgot password without a mail relay says to ask the administrator; no 401 on load' +
  ' (1280x800 and 390x844)', { timeout: 60000 }, s.recorded(async () => {
    for (const viewport of [undefined, PHONE]) {
      const page = await s.page('forgot', viewport ? { viewport } : {});
      const failed = [];
      page.on('response', (r) => { if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`); });
      const errors = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      await page.goto(BASE);
      await page.selectOption('#lang', 'en');
      await page.locator('#signin-email').waitFor({ state: 'visible', timeout: 10000 });
      assert.deepEqual(failed, [], 'no failed request on load');
      assert.deepEqual(errors, [], 'no error in the console on load');
      await page.click('#forgot-open');
      await page.fill('#forgot-email', 'member1@veche.demo');
      await page.click('#forgot-submit');
      await page.locator('#forgot-done').waitFor({ state: 'visible', timeout: 10000 });
      assert.match(await page.textContent('#forgot-done'),
        /does not send mail.*Ask your administrator to reset your password/);
      assert.ok(await onScreen(page, '#forgot-done'), 'the answer is on the screen');
      await page.context().close();
    }
  }));
