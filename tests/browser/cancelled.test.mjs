// cancelled.test.mjs - a cancelled event takes nobody (issue 12), seen
// from the user's side at 1280x800 (English) and 390x844 (Russian):
//
// * a member whose "My events" still shows Join (the page was open before
//   the cancellation) presses it: the server refuses, and the page says the
//   event was cancelled, in the page's language, on screen;
// * a guest opening an invitation link to the cancelled event is told the
//   same; the link is not used up: when the cancellation is withdrawn the
//   same link brings the guest into the event.
//
// Everything it uses it creates (an event of the demo's Президиум, a guest).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, PHONE, Session, VIEWPORT, apiCall, signIn, waitFor } from './lib.mjs';

const s = new Session();
before(() => s.start());
after(() => s.end());

const CANCELLED = {
  en: /^This event was cancelled\. Ask its organizer whether it will take place at another time\.$/,
  ru: /^Это мероприятие отменено\. Уточните у организатора, не перенесено ли оно\.$/,
};

/** The error banner says `re` and is on screen, not below the fold. */
async function cancelledShown(page, lang, viewport) {
  await page.locator('#error').waitFor({ state: 'visible', timeout: 15000 });
  await waitFor(async () => CANCELLED[lang].test((await page.textContent('#error-text')).trim()),
    { timeout: 10000, describe: () => page.textContent('#error-text') });
  const box = await page.locator('#error-text').boundingBox();
  assert.ok(box && box.y >= 0 && box.y + box.height <= viewport.height,
    `the message is on screen: ${JSON.stringify(box)}`);
}

for (const [label, viewport, lang] of [['1280x800', VIEWPORT, 'en'], ['390x844', PHONE, 'ru']]) {
  const tag = label.replace('x', '-');

  test(`cancelled ${label} ${lang}: Join and an invitation link are refused with the reason`, s.recorded(async () => {
    const admin = await s.page(`cancel-admin-${tag}`, { viewport });
    await signIn(admin, 'admin@veche.demo');
    const bodies = (await apiCall(admin, 'GET', 'admin/bodies')).body.bodies;
    const presidium = bodies.find((b) => b.name === 'Президиум').id;
    const now = Date.now();
    const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
    const title = `Отменяемое ${tag}`;
    const created = await apiCall(admin, 'POST', 'admin/events', {
      title, body: presidium, startsAt: iso(now - 5 * 60000), endsAt: iso(now + 3600000),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const ev = created.body.id;
    const inv = await apiCall(admin, 'POST', `events/${ev}/invitations`,
      { email: `cancel-guest-${tag}@example.org`, name: `Гость отмены ${tag}` });
    assert.equal(inv.status, 201, JSON.stringify(inv.body));

    // the member's My events, open before the cancellation: Join enabled
    const member = await s.page(`cancel-member-${tag}`, { viewport });
    await signIn(member, 'member1@veche.demo');
    await member.selectOption('#lang', lang);
    const item = member.locator(`#events-list li.event[data-event="${ev}"]`);
    await item.waitFor({ timeout: 10000 });
    assert.ok(!(await item.locator('button.event-join').isDisabled()), 'Join is enabled');

    const cancel = await apiCall(admin, 'PATCH', `admin/events/${ev}`, { cancelled: true });
    assert.equal(cancel.status, 200, JSON.stringify(cancel.body));
    await item.locator('button.event-join').click();
    await cancelledShown(member, lang, viewport);
    assert.notEqual(await member.evaluate(() => window.veche.state().connection), 'joined');

    // a guest with the invitation link
    const guest = await s.page(`cancel-guest-${tag}`, { viewport });
    await guest.goto(BASE);
    await guest.selectOption('#lang', lang);
    await guest.goto(`${BASE}?invite=${encodeURIComponent(inv.body.token)}`);
    await cancelledShown(guest, lang, viewport);

    // withdrawn: the same link still works (it was not used up)
    const back = await apiCall(admin, 'PATCH', `admin/events/${ev}`, { cancelled: false });
    assert.equal(back.status, 200, JSON.stringify(back.body));
    const again = await s.page(`cancel-guest2-${tag}`, { viewport });
    await again.goto(`${BASE}?invite=${encodeURIComponent(inv.body.token)}`);
    await again.waitForFunction(() => window.veche.state().connection === 'joined', null,
      { timeout: 20000 });
    for (const p of [admin, member, guest, again]) await p.context().close();
  }));
}
