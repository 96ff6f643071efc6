// a11y.test.mjs - accessibility (issue 12): axe-core (npm axe-core, run
// inside the page) finds no serious or critical violation on the sign-in
// page, the join form, a meeting as its chair, a training session as an
// activist, every tab of the admin pages and the printable attendance
// report, in English and in Russian, at 1280x800 and 390x844; and the
// controls of a meeting are all reached with the Tab key alone.  Runs on the
// demo organization (run.sh: --set demo=true).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { BASE, PHONE, Session, VIEWPORT, joinEvent, signIn } from './lib.mjs';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const s = new Session();
const pages = [];
before(() => s.start());
after(() => s.leaveAndEnd(pages));

/** axe-core's serious and critical violations on the page now, as text. */
async function violations(page, what) {
  // Evaluated by the test, not added as a <script>: the pages' CSP allows
  // no inline script (and must not, for this test's sake).
  if (!(await page.evaluate(() => !!window.axe))) await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      rules: { 'label-content-name-mismatch': { enabled: true } },
    });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(', ')}`);
  });
  return found.map((x) => `${what}: ${x}`);
}

async function setLang(page, lang) {
  await page.selectOption('#lang', lang);
  await page.waitForFunction((l) => document.documentElement.lang === l, lang, { timeout: 5000 })
    .catch(() => {});
}

for (const [label, viewport] of [['1280x800', VIEWPORT], ['390x844', PHONE]]) {
  test(`a11y ${label}: sign-in page and join form, both languages`, s.recorded(async () => {
    const page = await s.page(`a11y-signin-${label}`, { viewport });
    const bad = [];
    for (const lang of ['en', 'ru']) {
      await page.goto(BASE);
      await page.locator('#signin-email').waitFor({ state: 'visible', timeout: 10000 });
      await setLang(page, lang);
      bad.push(...await violations(page, `sign-in ${lang}`));
      await page.goto(`${BASE}?room=a11y-room`);
      await page.locator('#join-form').waitFor({ state: 'visible', timeout: 10000 });
      await setLang(page, lang);
      bad.push(...await violations(page, `join form ${lang}`));
    }
    assert.deepEqual(bad, []);
    await page.context().close();
  }));

  test(`a11y ${label}: the admin pages and the attendance report, both languages`, s.recorded(async () => {
    const page = await s.page(`a11y-admin-${label}`, { viewport });
    await signIn(page, 'admin@veche.demo');
    const bad = [];
    for (const lang of ['en', 'ru']) {
      await setLang(page, lang);
      bad.push(...await violations(page, `my events ${lang}`));
      await page.click('#nav-admin');
      for (const tab of ['orgs', 'people', 'bodies', 'courses', 'events', 'audit']) {
        await page.click(`#admin-tab-${tab}`);
        await page.locator('#admin-body[aria-busy="false"]').waitFor({ state: 'attached' });
        bad.push(...await violations(page, `admin ${tab} ${lang}`));
      }
      // an edit panel open
      await page.click('#admin-tab-people');
      await page.locator('#admin-body[aria-busy="false"]').waitFor({ state: 'attached' });
      await page.locator('button.edit-open').first().click();
      await page.locator('#edit-panel').waitFor();
      bad.push(...await violations(page, `admin edit panel ${lang}`));
      const meeting = await page.evaluate(async () => (await (await fetch('/api/events')).json())
        .events.find((e) => e.kind === 'meeting').id);
      const report = await s.page(`a11y-report-${label}-${lang}`, { viewport });
      await report.context().addCookies(await page.context().cookies());
      await report.goto(`${BASE}api/events/${meeting}/attendance.html?lang=${lang}`);
      bad.push(...await violations(report, `attendance report ${lang}`));
      await report.context().close();
      await page.click('#nav-events').catch(() => {});
    }
    assert.deepEqual(bad, []);
    await page.context().close();
  }));
}

test('a11y: a meeting as its chair and a training as an activist, both languages; Tab reaches every control',
  s.recorded(async () => {
    const chair = await s.page('a11y-chair');
    pages.push(chair);
    await signIn(chair, 'chair@veche.demo');
    await joinEvent(chair, 'Заседание президиума');
    const activist = await s.page('a11y-activist', { viewport: PHONE });
    pages.push(activist);
    await signIn(activist, 'activist1@veche.demo');
    await joinEvent(activist, 'Занятие школы актива');
    const bad = [];
    for (const lang of ['en', 'ru']) {
      for (const [page, what] of [[chair, 'meeting as chair'], [activist, 'training as activist']]) {
        await setLang(page, lang);
        bad.push(...await violations(page, `${what} ${lang}`));
      }
      await chair.click('#people-toggle');
      bad.push(...await violations(chair, `meeting side panel ${lang}`));
      await chair.click('#people-toggle');
    }
    assert.deepEqual(bad, []);
    // keyboard only: Tab from the top reaches every visible, enabled control
    // (the folded parts of the side panel opened, as Enter on their summary
    // does, so that what is inside them counts too)
    if (await chair.getAttribute('#people-toggle', 'aria-pressed') !== 'true') {
      await chair.click('#people-toggle');
    }
    await chair.evaluate(() => document.querySelectorAll('#meeting details:not([hidden])')
      .forEach((d) => { d.open = true; }));
    const missed = await chair.evaluate(async () => {
      const controls = [...document.querySelectorAll('#meeting button, #meeting input, #meeting select, #meeting textarea, #meeting a[href]')]
        .filter((el) => !el.disabled && el.offsetParent !== null && el.getClientRects().length &&
          !el.closest('details:not([open]), [hidden]'));
      return controls.map((el) => el.id || el.getAttribute('aria-label') || el.textContent.trim());
    });
    for (const id of ['mic', 'cam', 'leave', 'chat-toggle', 'guest-email']) {
      assert.ok(missed.includes(id), `${id} is among the controls checked: ${missed}`);
    }
    const reached = new Set();
    await chair.evaluate(() => document.activeElement && document.activeElement.blur());
    for (let i = 0; i < 200; i++) {
      await chair.keyboard.press('Tab');
      reached.add(await chair.evaluate(() => {
        const el = document.activeElement;
        return el ? el.id || el.getAttribute('aria-label') || el.textContent.trim() : '';
      }));
    }
    assert.deepEqual(missed.filter((name) => !reached.has(name)), [], 'controls Tab never reaches');
  }));
