// privacy.test.mjs - an organization's chat retention in the admin pages
// (issue 12), at 1280x800 and 390x844: the administrator sets the days in
// the organization's Edit panel (labelled, with its hint; Russian labels
// in the Russian interface), the server keeps them (GET /api/admin/orgs),
// and clearing the field gives the server's setting back (null).  The
// sweep that enforces them is tested in tests/integration/admin_edit.py.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PHONE, Session, VIEWPORT, apiCall, signIn, waitFor } from './lib.mjs';

const s = new Session();
before(() => s.start());
after(() => s.end());

const chatDays = async (page, org) =>
  (await apiCall(page, 'GET', 'admin/orgs')).body.orgs.find((o) => o.id === org).chatRetentionDays;

for (const [label, viewport, lang] of [['1280x800', VIEWPORT, 'en'], ['390x844', PHONE, 'ru']]) {
  const tag = label.replace('x', '-');
  test(`privacy ${label} ${lang}: an organization's chat retention is set and cleared`, s.recorded(async () => {
    const page = await s.page(`privacy-${tag}`, { viewport });
    await signIn(page, 'admin@veche.demo');
    await page.selectOption('#lang', lang);
    const root = (await apiCall(page, 'GET', 'admin/orgs')).body.orgs.find((o) => !o.parent).id;
    const org = (await apiCall(page, 'POST', 'admin/orgs',
      { name: `Хранение чата ${tag}`, level: 'regional', parent: root })).body.id;
    assert.equal(await chatDays(page, org), null, 'none of its own at first');
    const edit = async () => {
      await page.click('#nav-admin');
      await page.click('#admin-tab-orgs');
      await page.locator('#admin-body[aria-busy="false"]').waitFor({ state: 'attached' });
      await page.locator(`button.edit-open[data-kind="org"][data-id="${org}"]`).click();
      await page.locator('#edit-panel').waitFor();
    };
    await edit();
    const field = page.getByLabel(lang === 'ru' ? 'Хранить чат заседаний и занятий (дней)'
      : 'Keep the chat of meetings and trainings (days)');
    assert.equal(await field.getAttribute('id'), 'edit-org-chat-days');
    assert.match(await page.textContent('#edit-org-chat-days-hint'),
      lang === 'ru' ? /0 — хранить всегда/ : /0: kept for good/);
    await field.fill('30');
    await page.click('#edit-save');
    await waitFor(async () => (await chatDays(page, org)) === 30,
      { timeout: 10000, describe: () => page.textContent('#admin-body') });
    await edit();
    assert.equal(await page.inputValue('#edit-org-chat-days'), '30');
    await page.fill('#edit-org-chat-days', '');
    await page.click('#edit-save');
    await waitFor(async () => (await chatDays(page, org)) === null,
      { timeout: 10000, describe: () => page.textContent('#admin-body') });
    const audit = (await apiCall(page, 'GET', `admin/audit?action=org.update&target=${org}`)).body;
    assert.ok(audit.entries.some((e) => JSON.stringify(e.detail).includes('chatRetentionDays')),
      JSON.stringify(audit));
    await page.context().close();
  }));
}
