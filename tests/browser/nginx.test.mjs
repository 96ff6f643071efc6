// nginx.test.mjs - a meeting through nginx, as docs/operations.md ("Behind
// nginx") sets it up.
//
//   VECHE_SERVER=build/server/veche node --test --test-reporter=tap nginx.test.mjs
//
// A Veche server of its own (anonymous rooms, trusted_proxies 127.0.0.1,
// public_url naming nginx) and Debian's nginx in front of it with
// conf/nginx-veche.conf (tests/integration/nginx.py --front writes the
// configuration from that file, with a certificate it makes, and runs
// nginx in the foreground with its files in a temporary directory).  Two
// Chromium pages open the meeting at nginx's address: the page, its
// scripts and the signalling WebSocket come through nginx, while ICE and
// media go straight to Veche on 127.0.0.1.  Both pages must decode each
// other's video and receive audio; nginx's access log must show the
// WebSocket upgrades (101), and Veche's log the two connections.  No
// Content-Security-Policy violation may be reported.  Nothing but
// 127.0.0.1 is contacted.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as pathJoin } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import {
  CHROMIUM_ARGS, COLLECT_PCS, CSP_PROBE, OwnServers, checkCsp, checkPairsAndMedia, freePort,
  isCspViolation, isolatedPage, join, roomName, startProcess, startServer, waitFor, waitForMedia,
  waitHealthz,
} from './lib.mjs';

const FRONT = fileURLToPath(new URL('../integration/nginx.py', import.meta.url));
const ROOM = roomName('nginx');

let dir;
let server;
let nginx;
let nginxDir;
let base;           // https://127.0.0.1:NGINX_PORT/
let browser;
const own = new OwnServers();
const recorded = (fn) => own.recorded(fn, () => checkCsp(own.logs.filter(isCspViolation), 0));

before(async () => {
  dir = mkdtempSync(pathJoin(tmpdir(), 'veche-nginx-'));
  const port = await freePort();
  base = `https://127.0.0.1:${port}/`;
  let veche;
  ({ proc: server, base: veche } = await startServer(dir, [
    'allow_anonymous_rooms=true', 'trusted_proxies=127.0.0.1', `public_url=https://127.0.0.1:${port}`,
  ]));
  nginxDir = pathJoin(dir, 'nginx');
  mkdirSync(nginxDir);
  nginx = startProcess('python3', [FRONT, '--front', nginxDir, String(port), new URL(veche).port]);
  // up = /healthz answers 200 through nginx
  await waitHealthz(base, nginx, 'nginx');
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

after(() => own.end({ browser, dir, procs: [['veche', server, 6000], ['nginx', nginx, 3000]] }));

const newPage = (label) => isolatedPage(browser, label, base, own.logs, [CSP_PROBE, COLLECT_PCS]);

const pages = {};
const ids = {};

test('two pages meet through nginx and receive each other', { timeout: 150000 }, recorded(async () => {
  pages.A = await newPage('A');
  pages.B = await newPage('B');
  ids.A = await join(pages.A, { room: ROOM, name: 'Anna', base, timeout: 30000 });
  ids.B = await join(pages.B, { room: ROOM, name: 'Boris', base, timeout: 30000 });
  const a = await waitForMedia(pages.A, ids.B, { timeout: 60000 });
  const b = await waitForMedia(pages.B, ids.A, { timeout: 60000 });
  assert.ok(a.videoWidth > 0 && b.videoWidth > 0);
  // the page came from nginx: its own address, not Veche's port
  assert.equal(await pages.A.evaluate(() => window.location.origin), new URL(base).origin);
}));

test('media goes straight to Veche, the WebSocket went through nginx', { timeout: 60000 }, recorded(async () => {
  assert.ok(pages.A && pages.B, 'the pages did not join');
  // ICE: the selected pairs are UDP host candidates on loopback (Veche's
  // own media ports), so nginx carries no media
  await checkPairsAndMedia(pages, ids, (p, text) => {
    assert.equal(p.local.protocol, 'udp', text);
    assert.equal(p.remote.protocol, 'udp', text);
    assert.equal(p.remote.type, 'host', text);
  });
  // nginx logs a request when it ends: close the pages, then read its log
  for (const p of Object.values(pages)) await p.context().close();
  // nginx.py --front keeps nginx's files in a directory of its own there
  const sub = readdirSync(nginxDir).find((f) => f.startsWith('nginx-'));
  const accessLog = pathJoin(nginxDir, sub, 'access.log');
  const upgrades = () => readFileSync(accessLog, 'utf8').split('\n')
    .filter((l) => /"GET \/ws HTTP\/1\.1" 101 /.test(l));
  await waitFor(() => upgrades().length >= 2, {
    timeout: 20000, describe: () => readFileSync(accessLog, 'utf8').slice(-2000),
  });
  const opened = server.output().split('\n').filter((l) => /websocket open from 127\.0\.0\.1/.test(l));
  assert.ok(opened.length >= 2, server.output().slice(-2000));
}));

// Last: the server stops cleanly on SIGTERM.
test('the server exits cleanly', { timeout: 60000 }, recorded(() => OwnServers.stopsCleanly(server)));
