// lib.mjs - what the browser tests share: launching Debian's chromium with
// fake devices, pages that never leave 127.0.0.1, joining a room through
// the form, reading window.veche.stats()/state(), waiting for conditions,
// and printing the pages' console when a test failed.

import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

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
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream', '--auto-select-desktop-capture-source=Entire screen',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--allow-loopback-in-peer-connection', '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--ignore-certificate-errors',
];

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A unique room name for one test file. */
export function roomName(prefix) {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

/** One browser, its pages and their console output. */
export class Session {
  constructor() {
    this.browser = null;
    this.logs = [];
    this.failed = false;
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
    if (initScript) await context.addInitScript(initScript);
    const page = await context.newPage();
    page.label = label;
    page.on('console', (m) => this.logs.push(`[${label} ${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => this.logs.push(`[${label} pageerror] ${e.message}`));
    page.on('dialog', (d) => d.accept());   // "remove X?" and the like
    return page;
  }

  /** A test body that marks the session failed (for the log dump in end()). */
  recorded(fn) {
    return async (t) => {
      try {
        await fn(t);
      } catch (err) {
        this.failed = true;
        throw err;
      }
    };
  }

  async end() {
    if (this.failed || process.env.VECHE_TEST_VERBOSE) {
      process.stderr.write(`--- browser console (${this.logs.length} lines) ---\n${this.logs.join('\n')}\n`);
    }
    if (this.browser) await this.browser.close();
  }
}

/** Open the page, fill the form and join; resolves with our participant id.
 *  kind: 'training' ticks the training choice; key: moderator key (#key=). */
export async function join(page, { room, name, kind = null, key = null }) {
  await page.goto(`${BASE}?room=${room}${key ? `#key=${key}` : ''}`);
  await page.selectOption('#lang', 'en');
  await page.fill('#name', name);
  if (kind === 'training') await page.check('#kind-training');
  await page.click('#join');
  await page.waitForFunction(() => window.veche.state().connection === 'joined' &&
    window.veche.state().me, null, { timeout: 15000 });
  return page.evaluate(() => window.veche.state().me);
}

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
    audioPackets: audio.packetsReceived || 0,
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
