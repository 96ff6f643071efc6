// turn.test.mjs - a meeting relayed through coturn, as for people whose
// network lets only TCP out.
//
//   VECHE_SERVER=build/server/veche node --test --test-reporter=tap turn.test.mjs
//
// Starts Debian's coturn (turnserver) on 127.0.0.1 only (listening-ip and
// relay-ip 127.0.0.1, loopback peers allowed, no TLS, no CLI) with a shared
// secret (use-auth-secret), and a Veche server of its own whose turn_urls
// name that coturn over TCP.  Two Chromium pages whose RTCPeerConnections
// are forced to iceTransportPolicy 'relay' (an init script; the
// iceServers are the web client's own, from `joined`) join one room and
// must decode each other's video and receive audio; getStats must show the
// selected candidate pair's local side as a relay over TCP.  Then, against
// coturn directly: a credential made the same way but already expired
// gathers no relay candidate (coturn answers 401), while a fresh one does.
// Nothing but 127.0.0.1 is contacted.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as pathJoin } from 'node:path';
import { chromium } from 'playwright-core';
import {
  CHROMIUM_ARGS, COLLECT_PCS, OwnServers, checkPairsAndMedia, freePort, isolatedPage, join,
  roomName, startProcess, startServer, waitForMedia,
} from './lib.mjs';

const SECRET = `turn-test-${process.pid}-${Date.now()}`;
const ROOM = roomName('turn');

let dir;            // temporary: coturn's files and the server's data_dir
let turn;           // the turnserver process
let server;         // the veche process
let turnPort;
let base;           // https://127.0.0.1:PORT/
let browser;
const own = new OwnServers();
const recorded = (fn) => own.recorded(fn);

// A TURN REST API credential, made independently of the server's C code.
function credential(expiry, user) {
  const username = `${expiry}:${user}`;
  return { username, credential: createHmac('sha1', SECRET).update(username).digest('base64') };
}

before(async () => {
  dir = mkdtempSync(pathJoin(tmpdir(), 'veche-turn-'));
  turnPort = await freePort();
  const relayMin = 20000 + Math.floor(Math.random() * 20000);
  turn = startProcess('turnserver', [
    '-n', '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${turnPort}`,
    `--min-port=${relayMin}`, `--max-port=${relayMin + 200}`,
    '--use-auth-secret', `--static-auth-secret=${SECRET}`, '--realm=veche.test',
    '--allow-loopback-peers', '--no-cli', '--no-tls', '--no-dtls', '--no-software-attribute',
    '--log-file=stdout', '--simple-log', `--pidfile=${dir}/turn.pid`, `--db=${dir}/turndb`,
  ]);
  ({ proc: server, base } = await startServer(dir, [
    'allow_anonymous_rooms=true', `turn_urls=turn:127.0.0.1:${turnPort}?transport=tcp`,
    `turn_secret=${SECRET}`, 'turn_ttl_seconds=3600',
  ]));
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

after(() => own.end({ browser, dir, procs: [['veche', server, 6000], ['coturn', turn, 6000]] }));

// Every RTCPeerConnection of the page relays only (COLLECT_PCS, put
// before it, keeps them); the configurations the web client asked for are
// kept in window.__pcConfigs for the checks.
function forceRelay() {
  const Native = window.RTCPeerConnection;
  window.__pcConfigs = [];
  window.RTCPeerConnection = class extends Native {
    constructor(config = {}, ...rest) {
      super({ ...config, iceTransportPolicy: 'relay' }, ...rest);
      window.__pcConfigs.push(JSON.parse(JSON.stringify(config)));
    }
  };
}

const newPage = (label, { relay = true } = {}) =>
  isolatedPage(browser, label, base, own.logs, relay ? [COLLECT_PCS, forceRelay] : null);
const joinRoom = (page, name) => join(page, { room: ROOM, name, base, timeout: 20000 });

const pages = {};
const ids = {};

test('two relay-only pages join through coturn and receive each other', { timeout: 120000 }, recorded(async () => {
  assert.ok(server.exitCode === null, `the server exited: ${server.output().slice(-2000)}`);
  assert.ok(turn.exitCode === null, `coturn exited: ${turn.output().slice(-2000)}`);
  pages.A = await newPage('A');
  pages.B = await newPage('B');
  ids.A = await joinRoom(pages.A, 'Anna');
  ids.B = await joinRoom(pages.B, 'Boris');
  // The web client used the server's TURN settings.
  const configs = await pages.A.evaluate(() => window.__pcConfigs);
  assert.ok(configs.length >= 1, 'no RTCPeerConnection made');
  for (const c of configs) {
    assert.equal(c.iceServers.length, 1, JSON.stringify(c));
    assert.deepEqual(c.iceServers[0].urls, [`turn:127.0.0.1:${turnPort}?transport=tcp`]);
    assert.match(c.iceServers[0].username, new RegExp(`^\\d+:${ids.A}$`));
    const expiry = Number(c.iceServers[0].username.split(':')[0]);
    const now = Date.now() / 1000;
    assert.ok(expiry > now + 3500 && expiry < now + 3700, `expiry ${expiry} vs now ${now}`);
    assert.equal(c.iceServers[0].credential, credential(expiry, ids.A).credential);
  }
  const mediaA = await waitForMedia(pages.A, ids.B, { timeout: 60000 });
  const mediaB = await waitForMedia(pages.B, ids.A, { timeout: 60000 });
  assert.ok(mediaA.videoWidth > 0 && mediaB.videoWidth > 0);
}));

test('the selected candidate pairs are relays over TCP', { timeout: 60000 }, recorded(async () => {
  assert.ok(pages.A && pages.B, 'the pages did not join');
  // and media goes on through them
  await checkPairsAndMedia(pages, ids, (p, text) => {
    assert.equal(p.local.type, 'relay', text);
    assert.equal(p.local.relayProtocol, 'tcp', text);
    assert.equal(p.remote.type, 'host', text);
  });
}));

// Gather with one credential against coturn directly: the relay
// candidates and the ICE errors seen.
function gather(page, server) {
  return page.evaluate(async (iceServer) => {
    const pc = new RTCPeerConnection({ iceServers: [iceServer], iceTransportPolicy: 'relay' });
    const cands = [];
    const errors = [];
    pc.onicecandidate = (e) => { if (e.candidate && e.candidate.candidate) cands.push(e.candidate.candidate); };
    pc.onicecandidateerror = (e) => errors.push(e.errorCode);
    const done = new Promise((r) => {
      pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') r(); };
    });
    pc.createDataChannel('x');
    await pc.setLocalDescription(await pc.createOffer());
    await Promise.race([done, new Promise((r) => setTimeout(r, 15000))]);
    pc.close();
    return { relays: cands.filter((c) => / typ relay /.test(c)), errors };
  }, server);
}

test('an expired TURN credential is refused, a fresh one is not', { timeout: 60000 }, recorded(async () => {
  const page = await newPage('C', { relay: false });
  await page.goto(`${base}healthz`);
  const urls = `turn:127.0.0.1:${turnPort}?transport=tcp`;
  const now = Math.floor(Date.now() / 1000);
  const expired = await gather(page, { urls, ...credential(now - 60, 'late') });
  assert.equal(expired.relays.length, 0, JSON.stringify(expired));
  assert.ok(expired.errors.includes(401), JSON.stringify(expired));
  const fresh = await gather(page, { urls, ...credential(now + 600, 'early') });
  assert.ok(fresh.relays.length >= 1, JSON.stringify(fresh));
  // the same fresh name with a wrong password: refused too
  const forged = await gather(page, { urls, username: `${now + 600}:early`, credential: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' });
  assert.equal(forged.relays.length, 0, JSON.stringify(forged));
}));

// Last: the server stops cleanly on SIGTERM.
test('the server exits cleanly', { timeout: 60000 }, recorded(() => OwnServers.stopsCleanly(server)));
