// votes.test.mjs - a vote in a presidium meeting and its minutes, in
// Chromium against the real server with the demo organization.
//
// The administrator schedules a meeting of the demo presidium (starting
// now).  The chair and three members sign in and join; the chair sets the
// agenda in the room (adds an item) and opens that item, and the vote form's agenda item follows it (the default: the
// chair does not touch it); the chair opens a named vote, which is thus
// tied to the item; the three members vote (one changes her
// vote); every page shows the progress and, once the chair closes, the
// result.  Everyone leaves; the secretary opens the minutes from "My
// events", writes the decision and finalizes (then nothing can be edited
// and the digest shows); the printable minutes show the vote with the
// names, under its agenda item.  Saves vote.png and minutes.png (docs/screenshots/ with
// VECHE_UPDATE_SCREENSHOTS=1).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DOC_SHOTS, Session, joinEvent, signIn, waitFor } from './lib.mjs';

const TITLE = `Заседание с голосованием ${Date.now().toString(36)}`;
const QUESTION = 'Утвердить смету на 2027 год?';
const ITEM = 'Смета на 2027 год';
const DECISION = 'Смету на 2027 год утвердить.';
const s = new Session();
const p = {};
let eventId = null;
let itemId = null;

before(() => s.start());
after(() => s.end());

const api = (page, method, path, body) => page.evaluate(async ([m, u, b]) => {
  const r = await fetch(`/api/${u}`, {
    method: m, headers: b ? { 'Content-Type': 'application/json' } : {},
    body: b ? JSON.stringify(b) : undefined,
  });
  return { status: r.status, body: await r.json() };
}, [method, path, body]);

const voteText = (page) => page.locator('#vote-panel').innerText();

test('votes: a meeting of the presidium', { timeout: 60000 },
  s.recorded(async () => {
    const admin = await s.page('admin');
    await signIn(admin, 'admin@veche.demo');
    const bodies = await api(admin, 'GET', 'admin/bodies');
    const body = bodies.body.bodies.find((b) => b.name === 'Президиум').id;
    const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
    const ev = await api(admin, 'POST', 'admin/events', {
      title: TITLE, body, startsAt: iso(Date.now() - 300000), endsAt: iso(Date.now() + 7200000),
    });
    assert.equal(ev.status, 201, JSON.stringify(ev.body));
    eventId = ev.body.id;
    await admin.context().close();
  }));

test('votes: the chair sets the agenda, opens a named vote on the current item, three members vote, everyone sees the result',
  { timeout: 150000 }, s.recorded(async () => {
    // Nobody sends media (a vote needs none, and the machine may be busy):
    // each page joins to watch, as without camera permission.
    const noMedia = () => {
      navigator.mediaDevices.getUserMedia = () =>
        Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
    };
    for (const who of ['chair', 'member1', 'member2', 'member3']) {
      p[who] = await s.page(who, { initScript: noMedia });
      await signIn(p[who], `${who}@veche.demo`);
      await joinEvent(p[who], TITLE);
    }
    const chair = p.chair;
    await chair.locator('#vote-panel').waitFor({ state: 'visible', timeout: 10000 });
    assert.equal(await p.member1.isVisible('#vote-panel'), false, 'no vote yet: members see none');
    // The chair sets the agenda in the room: one item, with its rapporteur.
    await chair.click('#agenda-all summary');
    await chair.fill('#agenda-add-title', ITEM);
    await chair.fill('#agenda-add-speaker', 'Борис Секретарёв');
    await chair.click('#agenda-add-submit');
    await p.member1.locator('#agenda-list li', { hasText: ITEM }).waitFor({ state: 'attached' });
    const ag = await api(chair, 'GET', `events/${eventId}/agenda`);
    assert.equal(ag.status, 200);
    assert.deepEqual(ag.body.items.map((i) => i.title), [ITEM]);
    itemId = ag.body.items[0].id;
    await chair.fill('#vote-question', QUESTION);
    await chair.selectOption('#vote-kind', 'named');
    await chair.selectOption('#vote-rule', 'half-of-cast');
    // No item is open yet: the form offers the item, and no item is chosen.
    const itemSel = chair.locator('#vote-item');
    assert.equal(await itemSel.inputValue(), '');
    assert.match(await itemSel.locator(`option[value="${itemId}"]`).textContent(), new RegExp(ITEM));
    // The chair opens the item in the room: the form's item follows it.
    await chair.click('#agenda-next');
    await waitFor(async () => (await itemSel.inputValue()) === String(itemId),
      { describe: async () => `vote form item: ${await itemSel.inputValue()}` });
    assert.equal(await chair.locator('label[for="vote-item"]').textContent(), 'Agenda item');
    await chair.click('#vote-open');
    for (const who of ['member1', 'member2', 'member3']) {
      await p[who].locator('#vote-panel .vote-option').first().waitFor({ timeout: 15000 });
      assert.match(await voteText(p[who]), new RegExp(QUESTION.replace('?', '\\?')));
    }
    await p.member1.click('#vote-panel .vote-option[data-option="1"]');   // against, then changes
    await p.member1.locator('.vote-option[data-option="1"][aria-pressed="true"]').waitFor();
    await p.member1.click('#vote-panel .vote-option[data-option="0"]');
    await p.member2.click('#vote-panel .vote-option[data-option="0"]');
    await p.member3.click('#vote-panel .vote-option[data-option="1"]');
    for (const who of Object.keys(p)) {
      await waitFor(async () => /3 of 4 entitled have voted/.test(await voteText(p[who])),
        { describe: async () => `${who}: ${await voteText(p[who])}` });
    }
    assert.match(await voteText(p.member1), /Your vote: For/);
    // The chair sees who has not voted yet (the chair alone); members do not.
    await waitFor(async () => /Not voted yet: 1/.test(await voteText(chair)),
      { describe: async () => `chair: ${await voteText(chair)}` });
    await chair.click('#vote-panel .vote-waiting summary');
    assert.deepEqual(await chair.locator('#vote-panel .vote-waiting li').allTextContents(),
      ['Анна Председателева']);
    for (const who of ['member1', 'member2', 'member3']) {
      assert.equal(await p[who].locator('#vote-panel .vote-waiting').count(), 0, who);
    }
    await chair.click('#vote-panel .vote-close');
    for (const who of Object.keys(p)) {
      await p[who].locator('#vote-panel .vote-outcome').waitFor({ timeout: 15000 });
      const text = await voteText(p[who]);
      assert.match(text, /Voting is closed/, who);
      assert.match(text, /adopted \(2 needed of 3\)/, `${who}: ${text}`);
      assert.doesNotMatch(text, /not adopted/, who);
      assert.match(text, /Вера Членова: For/, who);
      assert.match(text, /Дарья Членова: Against/, who);
    }
    await chair.evaluate(() => { document.getElementById('error').hidden = true; });
    await chair.screenshot({ path: `${DOC_SHOTS}/vote.png` });
    for (const who of Object.keys(p)) await p[who].context().close();
  }));

test('votes: the secretary writes the decision, finalizes, and the printable minutes show the vote',
  { timeout: 90000 }, s.recorded(async () => {
    const sec = await s.page('secretary');
    await signIn(sec, 'secretary@veche.demo');
    const row = sec.locator('#events-list li.event', { hasText: TITLE });
    await row.locator('button.event-minutes').click();
    await sec.locator('#minutes-view').waitFor({ state: 'visible' });
    const area = sec.locator(`#decision-${itemId}`);
    await area.waitFor({ timeout: 10000 });
    await area.fill(DECISION);
    await sec.click('.minutes-item button.minutes-save');
    await sec.locator('.minutes-item [role="status"]', { hasText: 'Decision saved' }).waitFor();
    // Finalizing waits until nobody is left in the meeting (the leaves are records too).
    await waitFor(async () => {
      if (await sec.locator('#minutes-digest.final').isVisible()) return true;
      if (await sec.isVisible('#minutes-finalize')) await sec.click('#minutes-finalize');
      return false;
    }, { timeout: 30000, interval: 1000 });
    const digest = (await sec.textContent('#minutes-digest')).match(/[0-9a-f]{64}/)[0];
    // The vote is tied to the item that was current when the chair opened it.
    const mins = await api(sec, 'GET', `events/${eventId}/minutes`);
    assert.equal(mins.status, 200);
    assert.deepEqual(mins.body.votes.map((v) => [v.question, v.agendaItem]), [[QUESTION, itemId]]);
    assert.equal(await sec.isVisible('#minutes-finalize'), false, 'nothing to finalize again');
    assert.equal(await sec.locator(`#decision-${itemId}`).evaluate((el) => el.readOnly), true);
    const again = await api(sec, 'POST', `events/${eventId}/minutes/decisions/${itemId}`,
      { decision: 'x' });
    assert.equal(again.status, 409);
    await sec.goto(`${BASE}api/events/${eventId}/minutes.html?lang=ru`);
    const html = await sec.content();
    for (const want of ['ПРОТОКОЛ', QUESTION, ITEM, DECISION, 'поимённое', 'решение принято',
      'Вера Членова', 'Председательствующий', 'Секретарь', digest]) {
      assert.ok(html.includes(want), `the printable minutes show ${want}`);
    }
    // listed under its item: after the item's title, before its decision
    assert.ok(html.indexOf(ITEM) < html.indexOf(QUESTION) &&
      html.indexOf(QUESTION) < html.indexOf(DECISION), 'the vote is under its agenda item');
    await sec.screenshot({ path: `${DOC_SHOTS}/minutes.png`, fullPage: true });
    await sec.context().close();
  }));
