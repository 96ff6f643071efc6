// csp.test.mjs - the server's security headers, and that the browser tests
// notice a Content-Security-Policy violation (lib.mjs: every page reports
// them, Session.recorded() fails on one).
//
//   - the page, its files and the API carry a strict CSP (no inline script,
//     no inline style but the printable pages' own blocks by their hashes,
//     no eval, connections only to the server itself, no framing), nosniff,
//     no-referrer, DENY, and HSTS (the server runs TLS);
//   - an inline <script> and an inline style attribute put into the page
//     are blocked by Chromium, and the session records both violations:
//     the check every other test relies on is not blind;
//   - the page itself, loaded and used (join a room), reports none.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, Session, checkCsp, join, roomName, waitFor } from './lib.mjs';

const s = new Session();
let http = null;
before(async () => {
  await s.start();
  http = await s.http();
});
after(() => s.end());

/** The CSP directives of a header value, as name -> [sources]. */
function directives(value) {
  const out = {};
  for (const part of value.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) out[name] = sources;
  }
  return out;
}

test('pages, their files and the API carry the security headers', s.recorded(async () => {
  const port = new URL(BASE).port;
  for (const path of ['/', '/index.html', '/js/app.js', '/style.css', '/api/me']) {
    const r = await http.get(path);
    const h = r.headers();
    assert.ok(h['content-security-policy'], `${path}: no content-security-policy`);
    const d = directives(h['content-security-policy']);
    assert.deepEqual(d['default-src'], ["'self'"], path);
    assert.deepEqual(d['script-src'], ["'self'"], `${path}: script-src`);
    assert.equal(d['style-src'][0], "'self'", `${path}: style-src`);
    for (const src of d['style-src'].slice(1)) {
      assert.match(src, /^'sha256-[A-Za-z0-9+/]{43}='$/, `${path}: style-src ${src}`);
    }
    assert.deepEqual(d['object-src'], ["'none'"], path);
    assert.deepEqual(d['frame-ancestors'], ["'none'"], path);
    assert.equal(d['connect-src'][0], "'self'", `${path}: connect-src`);
    for (const src of d['connect-src'].slice(1)) {
      assert.match(src, new RegExp(`^wss://[^/*]+:${port}$`), `${path}: connect-src ${src}`);
    }
    assert.ok(!h['content-security-policy'].includes('unsafe'), `${path}: unsafe-*`);
    assert.equal(h['x-content-type-options'], 'nosniff', path);
    assert.equal(h['referrer-policy'], 'no-referrer', path);
    assert.equal(h['x-frame-options'], 'DENY', path);
    assert.match(h['strict-transport-security'] || '', /^max-age=\d{7,}/, `${path}: HSTS`);
  }
}));

test('an inline script and an inline style are blocked and noticed', async () => {
  const page = await s.page('probe');
  await page.goto(`${BASE}?room=${roomName('csp')}`);
  const before = s.csp.length;
  const ran = await page.evaluate(() => new Promise((resolve) => {
    window.cspProbeRan = false;
    const el = document.createElement('script');
    el.textContent = 'window.cspProbeRan = true;';
    document.body.append(el);
    const div = document.createElement('div');
    div.innerHTML = '<span style="color: red">x</span>';
    document.body.append(div);
    setTimeout(() => resolve(window.cspProbeRan), 300);
  }));
  assert.equal(ran, false, 'the inline script ran: the CSP is not applied');
  await waitFor(() => s.csp.length >= before + 2, {
    timeout: 5000, describe: () => `violations seen: ${JSON.stringify(s.csp.slice(before))}`,
  });
  assert.throws(() => checkCsp(s.csp, before), /Content-Security-Policy violations/);
  assert.ok(s.csp.slice(before).some((v) => /script-src/.test(v)), 'script-src reported');
  assert.ok(s.csp.slice(before).some((v) => /style-src/.test(v)), 'style-src reported');
  s.cspSeen = s.csp.length;  // expected: not the page's own
  await page.context().close();
});

test('the page itself reports no violation while joining a room', { timeout: 60000 },
  s.recorded(async () => {
    const page = await s.page('user');
    await join(page, { room: roomName('csp'), name: 'Ирина' });
    await page.waitForTimeout(1000);
    await page.context().close();
  }));
