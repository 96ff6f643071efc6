// i18n.test.mjs - both languages have every text, and every code the
// server can send has one (no browser needed: the tables are read here).
//
// Keys: every key of the English table is in the Russian one and the other
// way round, and no text is empty.  Codes: the error codes of the API and
// the signalling (api_error, fail, refuse, ws_fail, ... in server/**/*.c)
// each have err.CODE; the roster import's issue codes and their csv
// reasons (server/store/roster_import.c) roster.CODE and roster.csv.WHY;
// the removal codes (signalling.c) removed.CODE.  A new code on the
// server without a text in both languages fails here.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STRINGS } from '../../web-client/js/i18n.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function sources(dir) {
  const out = [];
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (p.endsWith('.c')) out.push({ path: p, text: readFileSync(p, 'utf8') });
  }
  return out;
}

const SERVER = sources(join(ROOT, 'server'));
const grab = (patterns, files = SERVER) => {
  const found = new Set();
  for (const { text } of files) {
    for (const re of patterns) for (const m of text.matchAll(re)) found.add(m[1]);
  }
  return found;
};

const missing = (keys) => {
  const out = [];
  for (const lang of ['en', 'ru']) for (const k of keys) if (!STRINGS[lang][k]) out.push(`${lang}: ${k}`);
  return out;
};

test('i18n: English and Russian have the same keys, none empty', () => {
  const en = Object.keys(STRINGS.en);
  const ru = Object.keys(STRINGS.ru);
  assert.ok(en.length > 100, `only ${en.length} English texts?`);
  assert.deepEqual(en.filter((k) => !(k in STRINGS.ru)), [], 'English keys missing in Russian');
  assert.deepEqual(ru.filter((k) => !(k in STRINGS.en)), [], 'Russian keys missing in English');
  for (const lang of ['en', 'ru']) {
    for (const [k, v] of Object.entries(STRINGS[lang])) assert.ok(v.trim(), `${lang}: ${k} is empty`);
  }
});

test('i18n: the placeholders of each text are the same in both languages', () => {
  const holes = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
  const differ = Object.keys(STRINGS.en).filter((k) => k in STRINGS.ru &&
    holes(STRINGS.en[k]) !== holes(STRINGS.ru[k]));
  assert.deepEqual(differ, []);
});

test('i18n: every error code the server sends has a text', () => {
  const codes = grab([
    /api_error\(\s*c,\s*\d+,\s*"([a-z0-9-]+)"/g, /\bfail\(\s*err,\s*"([a-z0-9-]+)"/g,
    /refuse\(\s*(?:err|out),\s*(?:rc,\s*)?"([a-z0-9-]+)"/g, /err->code\s*=\s*"([a-z0-9-]+)"/g,
    /ws_fail\([^"]*"([a-z0-9-]+)"/g, /disconnect_person\([^"]*"([a-z0-9-]+)"/g,
    /"error",\s*"([a-z0-9-]+)",\s*"reason"/g,
  ]);
  for (const c of ['sign-in-required', 'room-locked', 'invalid-roster', 'not-admitted']) {
    assert.ok(codes.has(c), `the scan finds ${c} (it found ${[...codes]})`);
  }
  assert.deepEqual(missing([...codes].map((c) => `err.${c}`)), []);
});

test('i18n: every roster import issue and removal has a text', () => {
  const roster = SERVER.filter((f) => f.path.endsWith('roster_import.c'));
  const issues = grab([/(?:add_issue|add_issue_n|push_issue)\([^"]*?"([a-z0-9-]+)"/g], roster);
  const csv = grab([/\{"[^"]+", "([a-z0-9-]+)"\}/g], roster);
  assert.ok(issues.has('email-invalid') && issues.has('column-unknown') && issues.size >= 20,
    [...issues].join(' '));
  assert.ok(csv.has('bad-utf8') && csv.size >= 7, [...csv].join(' '));
  const removed = grab([/"(replaced|by-moderator[a-z-]*)"/g]);
  assert.equal(removed.size, 3, [...removed].join(' '));
  assert.deepEqual(missing([
    ...[...issues].map((c) => `roster.${c}`), ...[...csv, 'other'].map((c) => `roster.csv.${c}`),
    'roster.expect.body', 'roster.expect.course',
    ...[...removed].filter((c) => c !== 'by-moderator-reason').map((c) => `removed.${c}`),
  ]), []);
});

test('i18n: every role the server can name has a text', () => {
  const access = readFileSync(join(ROOT, 'server/gov/access.c'), 'utf8');
  const roles = [...access.matchAll(/\] = "([a-z_]+)",/g)].map((m) => m[1]).filter((r) => r !== 'none');
  assert.ok(roles.includes('secretary') && roles.length >= 8, roles.join(' '));
  assert.deepEqual(missing([...roles, 'observer'].map((r) => `role.${r}`)), []);
  assert.deepEqual(missing(roles.map((r) => `access.${r}`)), []);
});

test('i18n: the button names the README uses are the interface\'s', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Try a meeting');
  const end = readme.indexOf('## Administration');
  assert.ok(start > 0 && end > start, 'the README has its "Try" sections');
  const names = [...readme.slice(start, end).matchAll(/\*([^*\n]+)\*/g)].map((m) => m[1])
    .filter((n) => /^[A-Z][A-Za-z ()]+$/.test(n));
  assert.ok(names.includes('Download CSV') && names.length >= 5, names.join(' | '));
  const texts = new Set(Object.values(STRINGS.en));
  assert.deepEqual(names.filter((n) => !texts.has(n)), [], 'names the interface does not show');
});
