// agenda.test.mjs - the agenda and the speakers list of the demo
// presidium's meeting (run.sh: --set demo=true), seen from the pages:
//
// * the chair prepares the agenda before the meeting from My events (the
//   Agenda dialog: add, move, remove) and the items are there in the room;
// * in the room the chair opens the first item and moves to the next: every
//   member sees the current item at once, without scrolling, at 1280x800
//   and at 390x844, and it is announced (aria-live);
// * the chair adds an item during the meeting and everyone sees it;
// * a member asks for the floor (the hand button of a meeting), the chair
//   sees the request in the speakers list, sets the time per speech and
//   gives the floor: the speaker is told and the countdown shows to the
//   speaker and the chair, not to the others;
// * a member on the speakers list whose network goes away keeps their
//   place: the chair sees them marked "connection lost, keeps the place",
//   and when the page comes back on its own (resume) they are in their
//   place again.
// The chair's page is docs/screenshots/agenda.png.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DOC_SHOTS, PHONE, Session, joinEvent, signIn, state, waitFor,
} from './lib.mjs';

const MEETING = 'Заседание президиума';
const s = new Session();
const p = {};

before(() => s.start());
after(() => s.leaveAndEnd(p));

const onScreen = (page, sel) => page.evaluate((q) => {
  const el = document.querySelector(q);
  if (!el) return `${q}: not in the page`;
  const r = el.getBoundingClientRect();
  if (!r.width || !r.height) return `${q}: not shown`;
  if (r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth) {
    return `${q}: outside the window at ${Math.round(r.left)},${Math.round(r.top)}`;
  }
  return 'on screen';
}, sel);

const current = async (page) => {
  const a = (await state(page)).agenda;
  return a && a.items.find((i) => i.id === a.current);
};

async function enter(label, email, viewport = null) {
  const page = await s.page(label, viewport ? { viewport } : {});
  await signIn(page, email);
  await joinEvent(page, MEETING);
  p[label] = page;
  return page;
}

test('agenda: the chair prepares the agenda from My events', { timeout: 90000 },
  s.recorded(async () => {
    const page = await s.page('chair-prep');
    await signIn(page, 'chair@veche.demo');
    await page.locator('#events-list li.event', { hasText: MEETING })
      .locator('button.event-agenda').click();
    await page.locator('#agenda-dialog').waitFor({ state: 'visible', timeout: 5000 });
    const add = async (title, speaker = '') => {
      const n = await page.locator('#agenda-dialog-list li').count();
      await page.fill('#agenda-dialog-title-input', title);
      await page.fill('#agenda-dialog-speaker', speaker);
      await page.click('#agenda-dialog-add');
      await waitFor(async () => (await page.locator('#agenda-dialog-list li').count()) === n + 1,
        { timeout: 10000 });
    };
    const before = await page.locator('#agenda-dialog-list li').count();
    await add('О работе президиума', 'Председатель');
    await add('Удалить меня');
    await add('Разное');
    const items = page.locator('#agenda-dialog-list li');
    await items.filter({ hasText: 'Удалить меня' }).locator('button', { hasText: 'Remove' }).click();
    await waitFor(async () => (await items.count()) === before + 2, { timeout: 10000 });
    // Разное up above the first one
    await items.filter({ hasText: 'Разное' }).locator('button', { hasText: 'Up' }).click();
    await waitFor(async () => /Разное/.test(await items.nth(before).textContent()),
      { timeout: 10000, describe: async () => page.textContent('#agenda-dialog-list') });
    await page.click('#agenda-dialog-close');
    await page.close();
  }));

test('agenda: the chair moves through the items and everyone sees the current one',
  { timeout: 300000 }, s.recorded(async () => {
    const chair = await enter('chair', 'chair@veche.demo');
    const m1 = await enter('member1', 'member1@veche.demo');
    const phone = await enter('member2', 'member2@veche.demo', PHONE);
    const titles = (await state(chair)).agenda.items.map((i) => i.title);
    assert.ok(titles.includes('О работе президиума') && titles.includes('Разное'), titles.join(' | '));
    await chair.locator('#agenda-next').waitFor({ state: 'visible', timeout: 10000 });
    assert.equal(await chair.textContent('#agenda-next'), 'Open the first item');
    const first = (await state(chair)).agenda.items.find((i) => !i.startedAt);
    await chair.click('#agenda-next');
    for (const page of [chair, m1, phone]) {
      await waitFor(async () => (await current(page))?.id === first.id,
        { timeout: 10000, describe: async () => JSON.stringify((await state(page)).agenda) });
      await waitFor(async () => (await page.textContent('#agenda-current')) === first.title,
        { timeout: 5000, describe: async () => page.textContent('#agenda-current') });
      assert.equal(await onScreen(page, '#agenda-current'), 'on screen', page.label);
    }
    await waitFor(async () => /Now on the agenda/.test(await m1.textContent('#status')),
      { timeout: 5000, describe: async () => m1.textContent('#status') });
    // An item added during the meeting shows to everyone.
    await chair.click('#agenda-all > summary');
    await chair.fill('#agenda-add-title', 'Срочный вопрос');
    await chair.fill('#agenda-add-speaker', 'Секретарь');
    await chair.click('#agenda-add-submit');
    await waitFor(async () => (await state(phone)).agenda.items.some((i) => i.title === 'Срочный вопрос'),
      { timeout: 10000, describe: async () => JSON.stringify((await state(phone)).agenda) });
    // Next item: everyone sees it; the previous one has its times.
    await chair.click('#agenda-next');
    const items = (await state(chair)).agenda.items;
    const second = items[items.findIndex((i) => i.id === first.id) + 1];
    for (const page of [m1, phone]) {
      await waitFor(async () => (await page.textContent('#agenda-current')) === second.title,
        { timeout: 10000, describe: async () => page.textContent('#agenda-current') });
      assert.equal(await onScreen(page, '#agenda-current'), 'on screen', page.label);
    }
    const done = (await state(m1)).agenda.items.find((i) => i.id === first.id);
    assert.ok(done.startedAt && done.endedAt >= done.startedAt, JSON.stringify(done));
    assert.equal(await m1.isVisible('#agenda-next'), false, 'members do not move the agenda');
  }));

test('agenda: a member asks for the floor, the chair gives it, the countdown shows',
  { timeout: 300000 }, s.recorded(async () => {
    const { chair, member1: m1, member2: m2 } = p;
    const me1 = (await state(m1)).me;
    assert.match(await m1.textContent('#hand'), /Ask for the floor/);
    await m1.click('#hand');
    const row = `#speakers-list li[data-speaker="${me1}"]`;
    await chair.locator(row).waitFor({ state: 'visible', timeout: 10000 });
    assert.equal(await onScreen(chair, row), 'on screen');
    assert.match(await m1.textContent('#hand'), /Withdraw/);
    await chair.selectOption('#speakers-limit', '60');
    await waitFor(async () => (await state(m1)).speakers.limit === 60, { timeout: 10000 });
    await chair.locator(`${row} button`, { hasText: 'Give the floor' }).click();
    await waitFor(async () => (await state(m1)).speakers.speaking === me1,
      { timeout: 10000, describe: async () => JSON.stringify((await state(m1)).speakers) });
    for (const page of [m1, chair]) {
      await page.locator('#speech-timer').waitFor({ state: 'visible', timeout: 5000 });
      assert.match(await page.textContent('#speech-timer'), /Time left: (1:00|0:[0-5]\d)/);
      assert.equal(await onScreen(page, '#speech-timer'), 'on screen', page.label);
    }
    assert.equal(await m2.isVisible('#speech-timer'), false, 'only the speaker and the chair');
    assert.match(await m2.textContent('#speakers-now'), /Speaking: Вера Членова/);
    await waitFor(async () => /You have the floor/.test(await m1.textContent('#status')),
      { timeout: 5000, describe: async () => m1.textContent('#status') });
    // it counts down
    const t0 = await m1.textContent('#speech-timer');
    await waitFor(async () => (await m1.textContent('#speech-timer')) !== t0, { timeout: 5000 });
    await chair.click('#agenda-all > summary');   // folded again, as the chair would
    await chair.screenshot({ path: `${DOC_SHOTS}/agenda.png` });
    await chair.click('#speakers-end');
    await waitFor(async () => (await state(m1)).speakers.speaking === null, { timeout: 10000 });
    await m1.locator('#speech-timer').waitFor({ state: 'hidden', timeout: 5000 });
  }));

test('agenda: a member whose connection drops keeps their place on the speakers list',
  { timeout: 180000 }, s.recorded(async () => {
    const { chair, member1: m1, member2: m2 } = p;
    const me1 = (await state(m1)).me;
    const me2 = (await state(m2)).me;
    await m2.click('#hand');
    await waitFor(async () => (await state(chair)).speakers.list.includes(me2), { timeout: 10000 });
    await m1.click('#hand');
    await waitFor(async () => (await state(chair)).speakers.list.join() === [me2, me1].join(),
      { timeout: 10000, describe: async () => JSON.stringify((await state(chair)).speakers) });
    // member2's network goes: offline, and the WebSocket cut under the page
    await m2.context().setOffline(true);
    await m2.evaluate(() => window.veche.conn.ws.close(4000, 'test: network cut'));
    const row2 = chair.locator(`#speakers-list li[data-speaker="${me2}"]`);
    await waitFor(async () => /connection lost, keeps the place/.test(await row2.textContent()),
      { timeout: 15000, describe: async () => chair.textContent('#speakers-list') });
    assert.match(await row2.textContent(), /^1\. Григорий Членов/, 'first, by name');
    assert.deepEqual((await state(chair)).speakers.list, [me2, me1]);
    await m2.context().setOffline(false);
    // back on its own as the same participant, in the same place
    await waitFor(async () => {
      const st = await state(m2);
      return st.connection === 'joined' && st.me === me2;
    }, { timeout: 45000, describe: async () => JSON.stringify(await state(m2)) });
    await waitFor(async () => !/connection lost/.test(await row2.textContent()),
      { timeout: 15000, describe: async () => chair.textContent('#speakers-list') });
    assert.deepEqual((await state(chair)).speakers.list, [me2, me1]);
    await waitFor(async () => /Withdraw/.test(await m2.textContent('#hand')), { timeout: 10000 });
    // both withdraw again
    await m2.click('#hand');
    await m1.click('#hand');
    await waitFor(async () => (await state(chair)).speakers.list.length === 0, { timeout: 10000 });
  }));
