// ice_tcp.test.mjs - a meeting over ICE-TCP (RFC 6544) without TURN, as for
// a browser that cannot send UDP to the server.
//
//   VECHE_SERVER=build/server/veche node --test --test-reporter=tap ice_tcp.test.mjs
//
// A Veche server of its own runs with ice_tcp = true.  Two Chromium pages
// see only TCP candidates: an init script drops every UDP candidate the
// page would hand the server (trickled, or in its SDP) and every UDP
// candidate the server offers, so the only pair ICE can form is the
// browser's active TCP candidate to the server's passive one.  Both pages
// must decode each other's video and receive audio, and getStats must show
// TCP host pairs.  Then a server without ice_tcp must offer no TCP
// candidate at all (the default stays UDP only).  Nothing but 127.0.0.1 is
// contacted.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as pathJoin } from 'node:path';
import { chromium } from 'playwright-core';
import {
  CHROMIUM_ARGS, COLLECT_PCS, OwnServers, checkPairsAndMedia, isolatedPage, join, roomName,
  startServer, waitFor, waitForMedia,
} from './lib.mjs';

const ROOM = roomName('icetcp');
let dir;
let server;
let base;
let browser;
const own = new OwnServers();
const recorded = (fn) => own.recorded(fn);

before(async () => {
  dir = mkdtempSync(pathJoin(tmpdir(), 'veche-icetcp-'));
  ({ proc: server, base } = await startServer(dir, ['allow_anonymous_rooms=true', 'ice_tcp=true']));
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

after(() => own.end({ browser, dir, procs: [['veche', server, 6000]] }));

// The page's PeerConnections (COLLECT_PCS, put before it, keeps them) see
// and show only TCP candidates; every candidate line the server offered is
// kept in window.__serverCandidates.
function tcpOnly() {
  const Native = window.RTCPeerConnection;
  const udp = (line) => String(line).replace(/^a=/, '').split(' ')[2]?.toLowerCase() === 'udp';
  const strip = (sdp) => sdp.split('\r\n').filter((l) => !(l.startsWith('a=candidate:') && udp(l)))
    .join('\r\n');
  window.__serverCandidates = [];
  window.RTCPeerConnection = class extends Native {
    setRemoteDescription(desc) {
      if (!desc || !desc.sdp) return super.setRemoteDescription(desc);
      for (const l of desc.sdp.split('\r\n')) if (l.startsWith('a=candidate:')) window.__serverCandidates.push(l);
      return super.setRemoteDescription({ type: desc.type, sdp: strip(desc.sdp) });
    }

    addIceCandidate(c) {
      if (c && c.candidate) window.__serverCandidates.push(c.candidate);
      if (c && c.candidate && udp(c.candidate)) return Promise.resolve();
      return super.addIceCandidate(c);
    }

    get localDescription() {
      const d = super.localDescription;
      return d && { type: d.type, sdp: strip(d.sdp) };
    }

    get onicecandidate() { return super.onicecandidate; }

    set onicecandidate(fn) {
      super.onicecandidate = fn && ((e) => {
        if (e.candidate && e.candidate.candidate && udp(e.candidate.candidate)) return;
        fn(e);
      });
    }
  };
}

const newPage = (label, url) =>
  isolatedPage(browser, label, url, own.logs, [COLLECT_PCS, tcpOnly]);
const joinRoom = (page, url, name) => join(page, { room: ROOM, name, base: url, timeout: 20000 });

const pages = {};
const ids = {};

test('two pages with TCP candidates only meet over ICE-TCP', { timeout: 120000 }, recorded(async () => {
  pages.A = await newPage('A', base);
  pages.B = await newPage('B', base);
  ids.A = await joinRoom(pages.A, base, 'Anna');
  ids.B = await joinRoom(pages.B, base, 'Boris');
  await waitForMedia(pages.A, ids.B, { timeout: 60000 });
  await waitForMedia(pages.B, ids.A, { timeout: 60000 });
  const offered = await pages.A.evaluate(() => window.__serverCandidates);
  assert.ok(offered.some((c) => / tcp .* tcptype passive/i.test(c)), JSON.stringify(offered));
  assert.ok(!offered.some((c) => / tcptype (active|so)/i.test(c)), JSON.stringify(offered));
}));

test('the selected pairs are TCP, and media keeps flowing', { timeout: 60000 }, recorded(async () => {
  assert.ok(pages.A && pages.B, 'the pages did not join');
  await checkPairsAndMedia(pages, ids, (p, text) => {
    assert.equal(p.local.protocol, 'tcp', text);
    assert.equal(p.remote.protocol, 'tcp', text);
    assert.equal(p.remote.type, 'host', text);
  });
}));

test('without ice_tcp the server offers no TCP candidate', { timeout: 180000 }, recorded(async () => {
  // The meeting is over: its pages would only compete for the CPU.
  for (const p of Object.values(pages)) await p.context().close();
  const plain = await startServer(dir, ['allow_anonymous_rooms=true']);
  try {
    const page = await newPage('C', plain.base);
    await page.goto(`${plain.base}?room=${ROOM}-udp`, { timeout: 90000 });
    await page.selectOption('#lang', 'en');
    await page.fill('#name', 'Vera');
    await page.click('#join');
    await page.waitForFunction(() => window.veche.state().connection === 'joined', null, { timeout: 60000 });
    const offered = await waitFor(async () => {
      const c = await page.evaluate(() => window.__serverCandidates);
      return c.length ? c : null;
    }, { timeout: 60000 });
    assert.ok(offered.every((c) => / udp /i.test(c)), JSON.stringify(offered));
  } finally {
    await OwnServers.stopsCleanly(plain.proc);
  }
}));

// Last: the server stops cleanly on SIGTERM.
test('the server exits cleanly', { timeout: 60000 }, recorded(() => OwnServers.stopsCleanly(server)));
