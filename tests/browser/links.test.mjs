// links.test.mjs - the account links, end to end through the page, against a
// real Veche server with the demo organization (run.sh: --set demo=true).
//
// 1. Password reset by link: the administrator makes a new link for
//    activist4@veche.demo in the admin pages (the old password keeps working
//    until the link is used); a fresh browser opens it (the link names the
//    server's public_url: the origin is swapped for the test server's), a
//    too-weak password is refused with a message, a good one is set, the old
//    one is refused and the new one signs in; the person's earlier session
//    has ended; the same link again says at once that it was used (the page
//    asks /api/password-reset/check) and changes nothing; a
//    link cut short is not valid.
// 2. Invitation link: the chair joins the presidium meeting and invites a
//    new guest from the attendance panel; a browser with no cookie opens the
//    link and is in the meeting as a guest without signing in; the chair's
//    roll shows the guest present (guest, not voting, not counted for the
//    quorum); the same link in another fresh browser says it was used.
// 3. Password change: a person (a fresh account the administrator creates)
//    changes the password from the header's dialog: a wrong current password
//    is refused with a message, then the change goes through; signed out,
//    the old password is refused and the new one signs in.
//
// Accounts: admin, chair (only joins), activist4 (nobody else's test uses
// it) and accounts this file creates; nothing shared is left changed but
// activist4's password.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'playwright-core';
import {
  BASE, DEMO_PASSWORD, ORIGIN, Session, banner, joinEvent, signIn, state, waitFor,
} from './lib.mjs';

const MEETING = 'Заседание президиума';
const RESET_EMAIL = 'activist4@veche.demo';
const GUEST_NAME = 'Глеб Приглашённый';
const s = new Session();
let admin = null;       // the administrator's page (signed in), shared by 1 and 3
let http = null;        // plain HTTP requests, no cookies shared with any page

before(async () => {
  await s.start();
  http = await s.http();
});
after(() => s.end());

const uniq = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

/** A link the server made (from its public_url), on the test server instead. */
function local(link) {
  const u = new URL(link);
  return new URL(`${u.pathname}${u.search}${u.hash}`, BASE).href;
}

/** The status of POST /api/login with these credentials, in a cookie jar of its own. */
async function loginStatus(email, password) {
  const ctx = await request.newContext({ baseURL: ORIGIN, ignoreHTTPSErrors: true });
  try {
    return (await ctx.post('/api/login', { data: { email, password } })).status();
  } finally {
    await ctx.dispose();
  }
}

// The admin page has drawn what it loaded (it redraws after every change).
const adminReady = (page) => page.locator('#admin-body[aria-busy="false"]')
  .waitFor({ state: 'attached', timeout: 10000 });

async function adminPage() {
  if (admin) return admin;
  admin = await s.page('admin');
  await signIn(admin, 'admin@veche.demo');
  await admin.click('#nav-admin');
  await admin.locator('#admin-view').waitFor({ state: 'visible', timeout: 10000 });
  await adminReady(admin);
  await admin.click('#admin-tab-people');
  await adminReady(admin);
  return admin;
}

/** The sign-in form of `page` (already on it): fill, submit, resolve with the error shown or null. */
async function trySignIn(page, email, password) {
  await page.fill('#signin-email', email);
  await page.fill('#signin-password', password);
  await page.click('#signin-submit');
  const err = page.locator('#signin-error');
  await waitFor(async () => (await err.isVisible()) || page.isVisible('#events-view'),
    { timeout: 15000, describe: async () => `${email}: neither an error nor "my events"` });
  return (await err.isVisible()) ? err.textContent() : null;
}

test('links: a password reset link made by the administrator sets a new password once',
  { timeout: 90000 }, s.recorded(async () => {
    // activist4 is signed in somewhere: a reset ends that session.
    const before = await http.post('/api/login', { data: { email: RESET_EMAIL, password: DEMO_PASSWORD } });
    assert.equal(before.status(), 200, 'activist4 signs in with the demo password');
    assert.equal((await http.get('/api/me')).status(), 200);

    const page = await adminPage();
    // The people list is paged: find the person by the search box.
    await page.fill('#people-search', RESET_EMAIL);
    await page.click('#people-search-submit');
    await adminReady(page);
    const row = page.locator('.admin-table tr', { hasText: RESET_EMAIL });
    await row.locator('button[data-action="reset"]').click();
    const box = page.locator('#reset-link');
    await box.waitFor({ state: 'visible', timeout: 10000 });
    assert.match(await page.locator('.link-box', { has: box }).textContent(),
      /Link to set the password/);
    const link = await box.inputValue();
    const token = new URL(link).searchParams.get('reset');
    assert.ok(token && token.length > 20, `a reset link: ${link}`);
    // Until the link is used the password stays as it is.
    assert.equal(await loginStatus(RESET_EMAIL, DEMO_PASSWORD), 200);

    const NEW = `reset-by-link-${uniq()}`;
    const person = await s.page('reset');
    await person.goto(local(link));
    await person.locator('#reset-view').waitFor({ state: 'visible', timeout: 10000 });
    assert.equal(await person.isVisible('#signin-view'), false);
    assert.equal(await person.isVisible('#account-bar'), false, 'nobody is signed in here');
    // Two different passwords: said so, nothing sent.
    await person.fill('#reset-new', NEW);
    await person.fill('#reset-repeat', `${NEW}x`);
    await person.click('#reset-submit');
    await person.locator('#reset-error').waitFor({ state: 'visible', timeout: 5000 });
    assert.equal(await person.textContent('#reset-error'), 'The two new passwords differ.');
    // A too-weak password: refused by the server, with its reason.
    await person.fill('#reset-new', 'short1');
    await person.fill('#reset-repeat', 'short1');
    await person.click('#reset-submit');
    await waitFor(async () => /too weak/.test(await person.textContent('#reset-error')),
      { timeout: 10000, describe: () => person.textContent('#reset-error') });
    assert.match(await person.textContent('#reset-error'), /^The new password is too weak\. \(.+\)$/);
    assert.equal(await person.isVisible('#reset-done'), false);
    assert.equal(await loginStatus(RESET_EMAIL, 'short1'), 401);
    assert.equal(await loginStatus(RESET_EMAIL, DEMO_PASSWORD), 200, 'a refused try changes nothing');
    // A good one.
    await person.fill('#reset-new', NEW);
    await person.fill('#reset-repeat', NEW);
    await person.click('#reset-submit');
    await person.locator('#reset-done').waitFor({ state: 'visible', timeout: 10000 });
    assert.equal(await person.textContent('#reset-done'), 'The password is set. Sign in with it.');
    assert.equal(await person.isVisible('#reset-error'), false);
    assert.equal(await person.isVisible('#reset-submit'), false, 'nothing more to submit');
    assert.equal(new URL(person.url()).search, '', 'the spent token left the address');
    // The session from before the reset has ended.
    assert.equal((await http.get('/api/me')).status(), 401);

    // Back to sign-in: the old password is refused, the new one signs in.
    await person.locator('#reset-view .to-signin').click();
    await person.locator('#signin-view').waitFor({ state: 'visible', timeout: 5000 });
    assert.equal(await trySignIn(person, RESET_EMAIL, DEMO_PASSWORD), 'Wrong e-mail or password.');
    assert.equal(await trySignIn(person, RESET_EMAIL, NEW), null);
    await person.waitForFunction(() => window.veche.state().account, null, { timeout: 10000 });
    assert.equal((await state(person)).account.email, RESET_EMAIL);
    assert.equal(await person.isVisible('#account-bar'), true);
    await person.context().close();

    // The same link again: it was used; the password stays.
    const again = await s.page('reset-again');
    await again.goto(local(link));
    await again.locator('#reset-view').waitFor({ state: 'visible', timeout: 10000 });
    // said at once, before anyone types a password; nothing to submit
    await again.locator('#reset-error').waitFor({ state: 'visible', timeout: 10000 });
    assert.equal(await again.textContent('#reset-error'), 'This link was used before. Ask for a new one.');
    assert.equal(await again.isVisible('#reset-submit'), false);
    assert.equal(await again.isVisible('#reset-done'), false);
    // and the server refuses it anyway
    const used = await http.post('/api/password-reset/confirm',
      { data: { token, new: 'another-password-99' } });
    assert.equal(used.status(), 400);
    assert.equal((await used.json()).error, 'token-used');
    assert.equal(await loginStatus(RESET_EMAIL, 'another-password-99'), 401);
    assert.equal(await loginStatus(RESET_EMAIL, NEW), 200);
    // A link cut short in the mail is not valid, said at once too.
    await again.goto(local(link.slice(0, -6)));
    await again.locator('#reset-view').waitFor({ state: 'visible', timeout: 10000 });
    await waitFor(async () => (await again.isVisible('#reset-error')) &&
      (await again.textContent('#reset-error')) === 'This link is not valid.',
    { timeout: 10000, describe: () => again.textContent('#reset-error') });
    assert.equal(await again.isVisible('#reset-submit'), false);
    assert.equal(await loginStatus(RESET_EMAIL, NEW), 200);
    await again.context().close();
  }));

test('links: a guest invited by the chair joins the meeting by the link alone, once',
  { timeout: 90000 }, s.recorded(async () => {
    const chair = await s.page('chair');
    await signIn(chair, 'chair@veche.demo');
    await joinEvent(chair, MEETING);
    const eventId = (await state(chair)).event;
    await chair.locator('#attendance').waitFor({ state: 'visible', timeout: 10000 });
    await chair.locator('#guest-details').waitFor({ state: 'visible', timeout: 10000 });
    await chair.click('#guest-details > summary');   // folded under the people list
    await chair.locator('#guest-form').waitFor({ state: 'visible', timeout: 10000 });
    const guestEmail = `guest-${uniq()}@example.org`;
    await chair.fill('#guest-email', guestEmail);
    await chair.fill('#guest-name', GUEST_NAME);
    await chair.click('#guest-submit');
    await chair.locator('#guest-link').waitFor({ state: 'visible', timeout: 10000 });
    assert.equal(await chair.isVisible('#guest-error'), false);
    assert.equal(await chair.isVisible('#guest-copy'), true);
    const link = await chair.inputValue('#guest-link');
    assert.ok(new URL(link).searchParams.get('invitation'), `an invitation link: ${link}`);
    const roll = () => chair.locator('#attendance-list li', { hasText: GUEST_NAME });

    const guest = await s.page('guest');
    await guest.goto(local(link));
    await guest.waitForFunction(() => window.veche.state().connection === 'joined' &&
      window.veche.state().me, null, { timeout: 20000 });
    const st = await state(guest);
    assert.equal(st.event, eventId);
    assert.equal(st.role, 'guest');
    assert.equal(st.access, 'guest');
    assert.equal(await guest.isVisible('#meeting'), true);
    assert.equal(await guest.isVisible('#signin-view'), false, 'no sign-in on the way');
    assert.equal(await guest.textContent('#room-name'), MEETING);
    assert.equal(await guest.textContent('#my-role'), 'You: guest');
    assert.equal(await guest.isVisible('#attendance'), false, 'a guest sees no roll');
    assert.equal(await banner(guest), null);
    assert.equal(await guest.isVisible('#notice'), false, 'no "opening the invitation" left over');
    assert.doesNotMatch(guest.url(), /invitation=/, 'the token left the address');

    // The chair sees the guest come in: present, a guest, no vote.
    await waitFor(async () => (await roll().count()) === 1 &&
      (await roll().getAttribute('class', { timeout: 2000 })) === 'present',
    { timeout: 15000, describe: async () => JSON.stringify((await state(chair)).attendance) });
    const tags = await roll().locator('small span').allTextContents();
    assert.ok(tags.includes('guest'), JSON.stringify(tags));
    assert.ok(!tags.includes('voting'), JSON.stringify(tags));
    assert.match(await roll().textContent(), /present since \d/);
    const entry = (await state(chair)).attendance.people.find((p) => p.name === GUEST_NAME);
    assert.equal(entry.role, 'guest');
    assert.equal(entry.voting, false);
    assert.equal(entry.present, true);
    // Not one of the voting members: the quorum is still of the presidium's 5.
    assert.equal((await state(chair)).quorum.voting, 5);
    assert.match(await chair.textContent('#quorum'), / of 5, 3 needed$/);
    // The guest is in the chair's room too, as a guest.
    const guestId = st.me;
    await waitFor(async () => (await state(chair)).people.find((x) => x.id === guestId),
      { timeout: 10000, describe: async () => JSON.stringify((await state(chair)).people) });
    const seen = (await state(chair)).people.find((x) => x.id === guestId);
    assert.equal(seen.name, GUEST_NAME);
    assert.equal(seen.role, 'guest');

    // The same link once more, in another browser with no cookie.
    const again = await s.page('guest-again');
    await again.goto(local(link));
    await again.locator('#error').waitFor({ state: 'visible', timeout: 15000 });
    assert.equal(await banner(again), 'This invitation link was used before. Ask for a new one.');
    assert.equal((await state(again)).connection, 'none');
    assert.equal(await again.isVisible('#signin-view'), true);
    assert.equal(await again.isVisible('#account-bar'), false);
    assert.equal(await again.isVisible('#notice'), false, 'not "opening" next to the error');
    assert.equal(await roll().count(), 1, 'still one guest of that name');
    await again.context().close();

    // The guest leaves: the chair's roll says so.
    const presentBefore = (await state(chair)).attendance.present;
    await guest.context().close();
    // The roll shows who is present (protocol v2): the guest goes from it
    // and from the chair's present people, and the count drops.
    await waitFor(async () => (await roll().count()) === 0,
      { timeout: 20000, describe: async () => roll().textContent() });
    const after = (await state(chair)).attendance;
    assert.ok(!after.people.some((p) => p.name === GUEST_NAME), JSON.stringify(after.people));
    assert.equal(after.present, presentBefore - 1, JSON.stringify(after));
    await chair.context().close();
  }));

test('links: a person changes the password from the header; a wrong current one is refused',
  { timeout: 90000 }, s.recorded(async () => {
    // A person of our own: the administrator makes the account with a link,
    // which sets the first password (so no change is forced at sign-in).
    const page = await adminPage();
    const email = `changer-${uniq()}@example.org`;
    const FIRST = `first-password-${uniq()}`;
    const NEXT = `next-password-${uniq()}`;
    const made = await page.evaluate(async (a) => {
      const r = await fetch('/api/admin/accounts', {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(a),
      });
      return { status: r.status, body: await r.json() };
    }, { email, name: 'Сергей Сменщиков' });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const token = new URL(made.body.resetLink).searchParams.get('reset');
    const set = await http.post('/api/password-reset/confirm', { data: { token, new: FIRST } });
    assert.equal(set.status(), 200, await set.text());

    const me = await s.page('changer');
    await signIn(me, email, FIRST);
    assert.equal(await me.isVisible('#password-dialog'), false, 'no change is forced');
    await me.click('#nav-password');
    await me.locator('#password-dialog').waitFor({ state: 'visible', timeout: 5000 });
    assert.equal(await me.isVisible('#pw-cancel'), true);
    assert.equal(await me.isVisible('#pw-forced'), false);
    // A wrong current password: refused, the dialog stays.
    await me.fill('#pw-old', 'not-my-password-1');
    await me.fill('#pw-new', NEXT);
    await me.fill('#pw-repeat', NEXT);
    await me.click('#pw-submit');
    await me.locator('#pw-error').waitFor({ state: 'visible', timeout: 10000 });
    assert.equal(await me.textContent('#pw-error'), 'The current password is wrong.');
    assert.equal(await me.isVisible('#password-dialog'), true);
    assert.equal(await loginStatus(email, NEXT), 401, 'nothing changed');
    // A too-weak new one: refused with the reason.
    await me.fill('#pw-old', FIRST);
    await me.fill('#pw-new', 'weak');
    await me.fill('#pw-repeat', 'weak');
    await me.click('#pw-submit');
    await waitFor(async () => /too weak/.test(await me.textContent('#pw-error')),
      { timeout: 10000, describe: () => me.textContent('#pw-error') });
    assert.equal(await me.isVisible('#password-dialog'), true);
    // Now right.
    await me.fill('#pw-old', FIRST);
    await me.fill('#pw-new', NEXT);
    await me.fill('#pw-repeat', NEXT);
    await me.click('#pw-submit');
    await me.locator('#password-dialog').waitFor({ state: 'hidden', timeout: 10000 });
    await me.locator('#notice').waitFor({ state: 'visible', timeout: 5000 });
    assert.equal(await me.textContent('#notice-text'), 'Your password is changed.');
    assert.equal(await me.isVisible('#events-view'), true, 'still signed in');

    // Sign out; the old password is refused, the new one signs in.
    await me.click('#nav-signout');
    await me.locator('#signin-view').waitFor({ state: 'visible', timeout: 10000 });
    assert.equal(await me.isVisible('#account-bar'), false);
    assert.equal((await state(me)).account, null);
    assert.equal(await trySignIn(me, email, FIRST), 'Wrong e-mail or password.');
    assert.equal(await trySignIn(me, email, NEXT), null);
    await me.waitForFunction(() => window.veche.state().account, null, { timeout: 10000 });
    assert.equal((await state(me)).account.email, email);
    await me.context().close();
  }));
