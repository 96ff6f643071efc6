// lib.mjs - what the browser tests share: launching Debian's chromium with
// fake devices, pages that never leave 127.0.0.1, joining a room through
// the form, reading window.veche.stats()/state(), waiting for conditions,
// and printing the pages' console when a test failed.  Also Debian's
// firefox-esr through puppeteer-core (WebDriver BiDi), in a private Xvfb
// display, behind the few Playwright Page methods the helpers use, so the
// same helpers drive both browsers.  Every page reports the violations of
// the server's Content-Security-Policy (CSP_PROBE), and a test body wrapped
// in Session.recorded() fails when one happened.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium, request } from 'playwright-core';
import puppeteer from 'puppeteer-core';

export const BASE = process.env.VECHE_URL || 'https://127.0.0.1:8443/';
export const ORIGIN = new URL(BASE).origin;
// Screenshots, 1280x800 unless said otherwise: into screenshots/ (not
// committed) on every run; VECHE_UPDATE_SCREENSHOTS=1 writes the README's
// docs/screenshots/ instead, so test runs do not touch tracked files.
export const DOC_SHOTS = fileURLToPath(new URL(
  process.env.VECHE_UPDATE_SCREENSHOTS === '1' ? '../../docs/screenshots/' : './screenshots/',
  import.meta.url));
export const VIEWPORT = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

// --use-fake-ui-for-media-stream also accepts getDisplayMedia in headless
// chromium, and --auto-select-desktop-capture-source picks the (fake)
// screen, so screen sharing is the real code path, no stand-in.
// --host-resolver-rules fails every name lookup but localhost at once, so
// Chromium never asks the machine's DNS server (an address off loopback)
// for the hosts its background features know; the tests use 127.0.0.1.
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream', '--auto-select-desktop-capture-source=Entire screen',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--allow-loopback-in-peer-connection', '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--ignore-certificate-errors',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
  '--dns-prefetch-disable', '--no-pings',
];

export const FIREFOX = '/usr/bin/firefox-esr';

// Fake camera and microphone, no prompts, host candidates on loopback shown
// as they are (not mDNS).  Every HTTP(S) request to another host goes to a
// proxy at 127.0.0.1:9 that does not exist, so Firefox's own background
// traffic (updates, telemetry, safe browsing...) never leaves the machine;
// loopback is never proxied.
export const FIREFOX_PREFS = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'network.proxy.type': 1,
  'network.proxy.http': '127.0.0.1', 'network.proxy.http_port': 9,
  'network.proxy.ssl': '127.0.0.1', 'network.proxy.ssl_port': 9,
  'network.proxy.no_proxies_on': '127.0.0.1',
  'network.proxy.allow_hijacking_localhost': false,
  'network.dns.disablePrefetch': true,
  'network.trr.mode': 5,                 // no DNS over HTTPS either
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
};

/** Start Xvfb on a free display (it picks the number: -displayfd);
 *  resolves with {display: ':N', proc}.  Headless Firefox has no screen to
 *  share (getDisplayMedia: NotFoundError), so Firefox runs in this private
 *  display: with media.navigator.permission.disabled its getDisplayMedia
 *  shares that screen without a prompt, the real code path. */
export function startXvfb() {
  return new Promise((resolve, reject) => {
    const proc = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'],
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stderr.on('data', (d) => { err += d; });
    proc.stdio[3].on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve({ display: `:${out.trim()}`, proc });
    });
    proc.on('error', reject);
    proc.on('exit', (code) => reject(new Error(`Xvfb exited (${code}): ${err.slice(-500)}`)));
  });
}

/** A Firefox page (puppeteer-core) with the Playwright Page methods that
 *  join(), received(), waitForMedia() and the tests use. */
class FirefoxPage {
  constructor(page, label) {
    this.page = page;
    this.label = label;
  }

  goto(url) { return this.page.goto(url); }
  click(sel) { return this.page.click(sel); }
  selectOption(sel, value) { return this.page.select(sel, value); }
  screenshot(opts) { return this.page.screenshot(opts); }
  evaluate(fn, arg) { return this.page.evaluate(fn, arg); }
  textContent(sel) { return this.page.$eval(sel, (e) => e.textContent); }
  close() { return this.page.browserContext().close(); }

  async fill(sel, text) {
    await this.page.$eval(sel, (e) => { e.value = ''; });
    await this.page.type(sel, text);
  }

  async check(sel) {
    if (!(await this.page.$eval(sel, (e) => e.checked))) await this.page.click(sel);
  }

  waitForFunction(fn, arg, { timeout = 30000 } = {}) {
    return this.page.waitForFunction(fn, { timeout, polling: 100 }, arg);
  }

  isVisible(sel) {
    return this.page.$eval(sel, (e) => e.getClientRects().length > 0 &&
      getComputedStyle(e).visibility !== 'hidden').catch(() => false);
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs in every page before its scripts: each Content-Security-Policy
 *  violation goes to the console as "CSP violation: ...", where
 *  isCspViolation() finds it (the browsers' own CSP messages too). */
export const CSP_PROBE = () => {
  document.addEventListener('securitypolicyviolation', (e) => {
    console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'}` +
      ` at ${e.sourceFile || '?'}:${e.lineNumber || 0}`);
  });
};

/** Whether a console message reports a CSP violation. */
export const isCspViolation = (text) =>
  /CSP violation|Content[- ]Security[- ]Policy/i.test(text);

/** Throw when violations holds entries after index seen; returns the new
 *  length (the next call's seen). */
export function checkCsp(violations, seen) {
  const fresh = violations.slice(seen);
  if (fresh.length) {
    throw new Error(`Content-Security-Policy violations:\n${fresh.join('\n')}`);
  }
  return violations.length;
}

/** A unique room name for one test file. */
export function roomName(prefix) {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

/** One browser, its pages and their console output. */
export class Session {
  constructor() {
    this.browser = null;
    this.firefox = null;    // started by the first firefoxPage()
    this.xvfb = null;
    this.logs = [];
    this.failed = false;
    this.csp = [];          // CSP violations reported by any page
    this.cspSeen = 0;       // how many of them a test has already failed on
    this.requests = [];     // http() contexts, disposed by end()
  }

  /** Plain HTTPS requests to the server, with a cookie jar of their own
   *  (no page's); end() disposes of them. */
  async http() {
    const ctx = await request.newContext({ baseURL: ORIGIN, ignoreHTTPSErrors: true });
    this.requests.push(ctx);
    return ctx;
  }

  /** Log a page's console message; keep CSP violations apart. */
  log(label, type, text) {
    this.logs.push(`[${label} ${type}] ${text}`);
    if (isCspViolation(text)) this.csp.push(`[${label}] ${text}`);
  }

  async start() {
    mkdirSync(DOC_SHOTS, { recursive: true });
    this.browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  }

  /** A page in its own context (its own person); options: viewport, initScript. */
  async page(label, { viewport = VIEWPORT, initScript = null } = {}) {
    const context = await this.browser.newContext({
      ignoreHTTPSErrors: true, locale: 'en-US', viewport, permissions: ['clipboard-read', 'clipboard-write'],
    });
    // Never leave 127.0.0.1 (the page has no external resources anyway).
    await context.route('**/*', (route) =>
      (new URL(route.request().url()).origin === ORIGIN ? route.continue() : route.abort()));
    await context.addInitScript(CSP_PROBE);
    if (initScript) await context.addInitScript(initScript);
    const page = await context.newPage();
    page.label = label;
    page.on('console', (m) => this.log(label, m.type(), m.text()));
    page.on('pageerror', (e) => this.logs.push(`[${label} pageerror] ${e.message}`));
    page.on('dialog', (d) => d.accept());   // "remove X?" and the like
    return page;
  }

  /** A Firefox page in its own browser context (its own person); Firefox
   *  starts with the first one, in a private Xvfb display. */
  async firefoxPage(label) {
    if (!this.firefox) {
      this.xvfb = await startXvfb();
      this.firefox = await puppeteer.launch({
        browser: 'firefox', executablePath: FIREFOX, headless: false, acceptInsecureCerts: true,
        extraPrefsFirefox: FIREFOX_PREFS, env: { ...process.env, DISPLAY: this.xvfb.display },
        defaultViewport: VIEWPORT,
      });
    }
    const context = await this.firefox.createBrowserContext();
    const page = await context.newPage();
    await page.evaluateOnNewDocument(CSP_PROBE);
    page.on('console', (m) => this.log(label, m.type(), m.text()));
    page.on('pageerror', (e) => this.logs.push(`[${label} pageerror] ${e.message}`));
    page.on('dialog', (d) => d.accept());
    return new FirefoxPage(page, label);
  }

  /** A test body that marks the session failed (for the log dump in
   *  end()), and fails when a page reported a CSP violation since the last
   *  check (during this test, or before it in this file). */
  recorded(fn) {
    return async (t) => {
      try {
        await fn(t);
        this.cspSeen = checkCsp(this.csp, this.cspSeen);
      } catch (err) {
        this.failed = true;
        this.cspSeen = this.csp.length;
        throw err;
      }
    };
  }

  async end() {
    if (this.failed || process.env.VECHE_TEST_VERBOSE) {
      process.stderr.write(`--- browser console (${this.logs.length} lines) ---\n${this.logs.join('\n')}\n`);
    }
    for (const ctx of this.requests) await ctx.dispose();
    if (this.browser) await this.browser.close();
    if (this.firefox) await this.firefox.close();
    if (this.xvfb) this.xvfb.proc.kill();
  }

  /** end(), after leaving properly with each of pages (a list, or an
   *  object of them) still in a meeting: a dropped page keeps a resume
   *  record (and the room, with its lock) for a minute, and the next test
   *  files use the same rooms. */
  async leaveAndEnd(pages) {
    for (const page of Object.values(pages)) {
      try {
        if ((await state(page)).connection === 'joined') await page.click('#leave');
      } catch { /* closed already, or not the app */ }
    }
    await this.end();
  }
}

/** Open the page, fill the form and join; resolves with our participant id.
 *  kind: 'training' ticks the training choice; key: moderator key (#key=);
 *  base: another server's URL (a test's own server). */
export async function join(page, {
  room, name, kind = null, key = null, base = BASE, timeout = 15000,
}) {
  await page.goto(`${base}?room=${room}${key ? `#key=${key}` : ''}`);
  await page.selectOption('#lang', 'en');
  await page.fill('#name', name);
  if (kind === 'training') await page.check('#kind-training');
  await page.click('#join');
  await page.waitForFunction(() => window.veche.state().connection === 'joined' &&
    window.veche.state().me, null, { timeout });
  return page.evaluate(() => window.veche.state().me);
}

/** 'on screen' when the element is wholly visible: inside the window and
 *  inside every scrolled box around it (so no scrolling is needed to see
 *  it); else where it is. */
// Queried in the page in one go: the panels redraw often, and an element
// handle kept across a redraw would be a detached node.
export const whereIs = (page, selector) => page.evaluate((sel) => {
  const el = document.querySelector(sel);
  if (!el) return 'not in the page';
  const r = el.getBoundingClientRect();
  const at = `${el.tagName}#${el.id} at ${Math.round(r.left)},${Math.round(r.top)} ` +
    `${Math.round(r.width)}x${Math.round(r.height)} in ${innerWidth}x${innerHeight}`;
  if (r.width === 0 || r.height === 0) return `not shown: ${at}`;
  if (r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth) {
    return `outside the window: ${at}`;
  }
  for (let a = el.parentElement; a; a = a.parentElement) {
    const st = getComputedStyle(a);
    if (!/(auto|scroll|hidden)/.test(st.overflowY + st.overflowX)) continue;
    const b = a.getBoundingClientRect();
    if (r.top < b.top - 1 || r.bottom > b.bottom + 1) {
      return `scrolled out of ${a.tagName}#${a.id}.${a.className} (${Math.round(b.top)}..${Math.round(b.bottom)}): ${at}`;
    }
  }
  return 'on screen';
}, selector);
/** Call the API from the page, with its session cookie: {status, body}. */
export const apiCall = (page, method, path, body) => page.evaluate(async ([m, p, b]) => {
  const r = await fetch(`/api/${p}`, {
    method: m, headers: b ? { 'Content-Type': 'application/json' } : {},
    body: b ? JSON.stringify(b) : undefined,
  });
  return { status: r.status, body: await r.json().catch(() => null) };
}, [method, path, body || null]);

export const state = (page) => page.evaluate(() => window.veche.state());

/** What `page` receives from participant `from`: per source. */
export async function received(page, from) {
  const stats = await page.evaluate(() => window.veche.stats());
  const pick = (source) => stats.find((s) => s.participant === from && s.source === source) || {};
  const video = pick('camera');
  const audio = pick('microphone');
  const screen = pick('screen');
  return {
    tracks: stats.filter((s) => s.participant === from).length,
    videoWidth: video.videoWidth || 0, framesDecoded: video.framesDecoded || 0,
    audioPackets: audio.packetsReceived || 0, audioEnergy: audio.audioEnergy || 0,
    screenWidth: screen.videoWidth || 0, screenFrames: screen.framesDecoded || 0,
  };
}

/** Poll fn() until it returns a truthy value; fail with describe()'s text. */
export async function waitFor(fn, { timeout = 20000, interval = 300, describe = null } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > deadline) {
      const why = describe ? await describe() : '';
      throw new Error(`timed out after ${timeout} ms${why ? `: ${why}` : ''}`);
    }
    await sleep(interval);
  }
}

/** Wait until `page` decodes `from`'s camera and receives their audio, both growing. */
export async function waitForMedia(page, from, { timeout = 30000, video = true, audio = true } = {}) {
  let first;
  await waitFor(async () => {
    first = await received(page, from);
    return (!video || (first.videoWidth > 0 && first.framesDecoded > 0)) &&
      (!audio || first.audioPackets > 0);
  }, { timeout, describe: async () => `${page.label} <- ${from}: ${JSON.stringify(first)}` });
  await waitFor(async () => {
    const now = await received(page, from);
    return (!video || now.framesDecoded > first.framesDecoded) &&
      (!audio || now.audioPackets > first.audioPackets);
  }, { timeout: 10000, describe: async () => `${page.label} <- ${from}: media stopped growing` });
  return received(page, from);
}

/** A Chromium page in a context of its own for a test with a server of
 *  its own at base: requests to other origins are aborted, the console
 *  goes to logs, initScript (a function, or a list of them) runs before
 *  the page's scripts. */
export async function isolatedPage(browser, label, base, logs, initScript = null) {
  const origin = new URL(base).origin;
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'en-US' });
  await context.route('**/*', (route) =>
    (new URL(route.request().url()).origin === origin ? route.continue() : route.abort()));
  for (const script of [].concat(initScript || [])) await context.addInitScript(script);
  const page = await context.newPage();
  page.label = label;
  page.on('console', (m) => logs.push(`[${label} ${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`[${label} pageerror] ${e.message}`));
  return page;
}

/** An init script (for isolatedPage) that keeps every RTCPeerConnection
 *  the page makes in window.__pcs, for selectedPairs() and
 *  checkPairsAndMedia().  Put it first: a later init script that replaces
 *  RTCPeerConnection again extends this one, so its connections are kept
 *  too. */
export const COLLECT_PCS = () => {
  const Native = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      window.__pcs.push(this);
    }
  };
};

/** The bookkeeping of a test file that starts servers of its own (nginx,
 *  turn, ice_tcp): the pages' console lines in logs (give it to
 *  isolatedPage), recorded() for the test bodies, end() for after(). */
export class OwnServers {
  constructor() {
    this.logs = [];
    this.failed = false;
  }

  /** A test body that marks the file failed (for end()'s output); then,
   *  when it passed, check() (e.g. no CSP violation) must pass too. */
  recorded(fn, check = null) {
    return async (t) => {
      try {
        await fn(t);
        if (check) check();
      } catch (err) {
        this.failed = true;
        throw err;
      }
    };
  }

  /** When a test failed (or VECHE_TEST_VERBOSE): print the browser
   *  console and the last output of each process ([name, proc, how many
   *  characters]); then close the browser, stop the processes and remove
   *  dir.  Any of them may be missing (before() failed half-way). */
  async end({ browser = null, procs = [], dir = null }) {
    if (this.failed || process.env.VECHE_TEST_VERBOSE) {
      process.stderr.write(`--- browser console ---\n${this.logs.join('\n')}\n`);
      for (const [name, proc, tail] of procs) {
        process.stderr.write(`--- ${name} ---\n${proc ? proc.output().slice(-tail) : ''}\n`);
      }
    }
    if (browser) await browser.close();
    for (const [, proc] of procs) await stopProcess(proc);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }

  /** Stop a server of the file's with SIGTERM; it must exit with 0 (a
   *  sanitizer build reports leaks and errors at exit with a non-zero
   *  status). */
  static async stopsCleanly(proc) {
    assert.ok(proc, 'no server was started');
    const code = await stopProcess(proc);
    assert.equal(code, 0, proc.output().slice(-3000));
  }
}

/** The selected candidate pair of each connected RTCPeerConnection in
 *  window.__pcs (the test's init script collects them): {local: {protocol,
 *  type, relayProtocol}, remote: {protocol, type, tcpType}}, or null for a
 *  connection without one yet. */
export function selectedPairs(page) {
  return page.evaluate(async () => {
    const out = [];
    for (const pc of window.__pcs) {
      if (pc.connectionState !== 'connected') continue;
      const stats = await pc.getStats();
      let pairId = null;
      stats.forEach((s) => { if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId; });
      const pair = pairId && stats.get(pairId);
      const l = pair && stats.get(pair.localCandidateId);
      const r = pair && stats.get(pair.remoteCandidateId);
      out.push(l && r ? {
        local: { protocol: l.protocol, type: l.candidateType, relayProtocol: l.relayProtocol },
        remote: { protocol: r.protocol, type: r.candidateType, tcpType: r.tcpType },
      } : null);
    }
    return out;
  });
}

/** Two pages of a meeting, pages.A and pages.B (participants ids.A and
 *  ids.B): on each, the connected PeerConnections (publishing and
 *  receiving, at least two) all have a selected pair that check(pair,
 *  text) accepts (it asserts), and the other's video frames and audio
 *  packets keep arriving. */
export async function checkPairsAndMedia(pages, ids, check) {
  for (const [label, from] of [['A', ids.B], ['B', ids.A]]) {
    const sel = await waitFor(async () => {
      const s = await selectedPairs(pages[label]);
      return s.length >= 2 && s.every((c) => c) ? s : null;
    }, { timeout: 20000, describe: async () => JSON.stringify(await selectedPairs(pages[label])) });
    for (const pair of sel) check(pair, `${label}: ${JSON.stringify(sel)}`);
    const before = await received(pages[label], from);
    await sleep(1500);
    const later = await received(pages[label], from);
    if (!(later.framesDecoded > before.framesDecoded && later.audioPackets > before.audioPackets)) {
      throw new Error(`${label}: media stopped: ${JSON.stringify([before, later])}`);
    }
  }
}

/** The text of the visible error banner, or null. */
export async function banner(page) {
  return (await page.isVisible('#error')) ? page.textContent('#error-text') : null;
}

// --- accounts (the server runs with --set demo=true: tests/browser/run.sh) ---

/** The password of every demo account (server/api/demo.c). */
export const DEMO_PASSWORD = 'demo-password-1';

/** Open the start page in English and sign in; resolves when "my events" shows. */
export async function signIn(page, email, password = DEMO_PASSWORD) {
  await page.goto(BASE);
  await page.selectOption('#lang', 'en');
  await page.locator('#signin-email').waitFor({ state: 'visible', timeout: 10000 });
  await page.fill('#signin-email', email);
  await page.fill('#signin-password', password);
  await page.click('#signin-submit');
  await page.locator('#events-view').waitFor({ state: 'visible', timeout: 15000 });
  await page.waitForFunction(() => window.veche.state().account, null, { timeout: 10000 });
}

/** Press Join on the event titled `title` in "my events"; resolves with our participant id. */
export async function joinEvent(page, title) {
  await page.locator('#events-list li.event', { hasText: title })
    .locator('button.event-join').click();
  await page.waitForFunction(() => window.veche.state().connection === 'joined' &&
    window.veche.state().me, null, { timeout: 15000 });
  return page.evaluate(() => window.veche.state().me);
}

// --- recording and lessons (recording, recording_e2e, lessons) ---

/** Press the trainer's button (#recording-start or #recording-stop) until
 *  the watcher's recording indicator is in state ('visible' or 'hidden'):
 *  recording needs the trainer's tracks at the server (nothing-to-record
 *  before), and on a shared machine a request sent while the page's media
 *  reconnects is lost. */
export function pressUntilRecording(trainer, button, watcher, state) {
  return waitFor(async () => {
    if (await trainer.isVisible(button)) await trainer.click(button);
    try {
      await watcher.locator('#recording-indicator').waitFor({ state, timeout: 4000 });
      return true;
    } catch { return false; }
  }, { timeout: 60000, interval: 500, describe: `${button}: the indicator ${state}` });
}

/** Evaluate expr(video) on the lesson page's video element. */
export const lessonVideo = (page, expr) => page.$eval('#lesson-video', expr);

/** The lesson of eventId from GET /api/lessons once it is ready or failed,
 *  polled every second for at most timeout ms (the catalog page must be
 *  open); else the last seen (or null). */
export async function waitForLesson(page, eventId, timeout) {
  const deadline = Date.now() + timeout;
  let lesson = null;
  while (Date.now() < deadline) {
    const r = await page.evaluate(() => fetch('/api/lessons').then((x) => x.json()));
    lesson = r.lessons.find((l) => l.eventId === eventId);
    if (lesson && (lesson.state === 'ready' || lesson.state === 'failed')) break;
    await page.waitForTimeout(1000);
  }
  return lesson;
}

/** The lesson's item in the catalog, shown anew (away and back). */
export async function catalogItem(page, lessonId, timeout) {
  await page.click('#nav-events');
  await page.click('#nav-lessons');
  const item = page.locator(`#lessons-list li[data-lesson="${lessonId}"]`);
  await item.waitFor({ state: 'visible', timeout });
  return item;
}

/** Open the lesson page from the catalog (signed in); resolves once its
 *  video has its metadata. */
export async function openLesson(page, lessonId) {
  await page.click('#nav-lessons');
  await page.locator(`#lessons-list li[data-lesson="${lessonId}"] button.lesson-watch`).click();
  await page.locator('#lesson-view').waitFor({ state: 'visible' });
  await page.waitForFunction(() => document.querySelector('#lesson-video').readyState >= 1,
    null, { timeout: 20000 });
}

/** The speed control sets the video's playbackRate (1.5, then 0.75). */
export async function checkLessonSpeed(page) {
  for (const rate of [1.5, 0.75]) {
    await page.selectOption('#lesson-speed', String(rate));
    assert.equal(await lessonVideo(page, (v) => v.playbackRate), rate);
  }
}

// --- a server of a test's own (tests that need other settings) ---

/** A TCP port free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Spawn a process; proc.output() gives what it printed so far. */
export function startProcess(cmd, args) {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  proc.on('error', (e) => { out += `\n${cmd}: ${e.message}\n`; });  // e.g. not installed
  proc.output = () => out;
  return proc;
}

/** SIGTERM, then SIGKILL after 10 s; resolves when it has exited, with
 *  its exit code (null when a signal ended it). */
export async function stopProcess(proc) {
  if (!proc) return null;
  if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
  const gone = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 10000);
  await gone;
  clearTimeout(timer);
  return proc.exitCode;
}

/** The server binary run.sh uses (VECHE_SERVER), or the build tree's. */
export const SERVER_BINARY = process.env.VECHE_SERVER ||
  fileURLToPath(new URL('../../build/server/veche', import.meta.url));
export const WEB_ROOT = fileURLToPath(new URL('../../web-client', import.meta.url));

/** Start a Veche server on 127.0.0.1 with a data_dir under dir and the
 *  extra --set arguments; resolves with {proc, base} once /healthz
 *  answers (rejects with its output when it does not within 20 s). */
export async function startServer(dir, sets = []) {
  const port = await freePort();
  const args = ['listen_address=127.0.0.1', `port=${port}`, 'ice_addresses=127.0.0.1',
    `web_root=${WEB_ROOT}`, `data_dir=${dir}/data-${port}`, ...sets]
    .flatMap((s) => ['--set', s]);
  const proc = startProcess(SERVER_BINARY, args);
  const base = `https://127.0.0.1:${port}/`;
  await waitHealthz(base, proc, 'server');
  return { proc, base };
}

/** Wait until base's /healthz answers 200 (rejects with proc's output,
 *  naming it `what`, when proc exits first or 20 s pass). */
export function waitHealthz(base, proc, what) {
  return waitFor(() => new Promise((resolve) => {
    if (proc.exitCode !== null) { resolve(false); return; }
    const req = httpsGet(`${base}healthz`, { rejectUnauthorized: false }, (r) => {
      r.resume();
      resolve(r.statusCode === 200);
    });
    req.on('error', () => resolve(false));
  }), { timeout: 20000, describe: () => `${what} did not start: ${proc.output().slice(-2000)}` });
}
